package evaluation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/sslrun/sslrun/components/augment"
	"github.com/sslrun/sslrun/components/dataset"
	"github.com/sslrun/sslrun/components/evaluate"
	"github.com/sslrun/sslrun/imaging"
	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/pipeline"
	"github.com/sslrun/sslrun/internal/progress"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/registry"
)

// channelSet is a labelled set of 3x12x12 images in which the channel of
// an image's class is bright and the others dark, each value jittered a
// little: raw pixels separate the classes perfectly, by cosine similarity
// and linearly. It counts the images it is asked for.
type channelSet struct {
	n, seed int
	reads   int
}

var _ dataset.Dataset = (*channelSet)(nil)

func (s *channelSet) Len() int { return s.n }

func (s *channelSet) Label(i int) int { return i % 3 }

func (s *channelSet) Classes() []string { return []string{"red", "green", "blue"} }

func (s *channelSet) Image(i int) (*imaging.Image, error) {
	s.reads++
	rng := rand.New(rand.NewPCG(uint64(s.seed), uint64(i)))
	m := imaging.New(3, 12, 12)
	plane := m.H * m.W
	for j := range m.Pix { // (C, H, W)
		v := 0.1 + 0.1*rng.Float32()
		if j/plane == s.Label(i) {
			v = 0.8 + 0.1*rng.Float32()
		}
		m.Pix[j] = v
	}
	return m, nil
}

// suiteFixture is featureSpec's convnet at its seed and the evaluation
// preprocessing of featureSpec's first view (its normalize) for
// channelSet's images.
func suiteFixture(t *testing.T) (*model.Model, func() (*model.Model, error), *Setup) {
	t.Helper()
	exp, err := spec.Load("features.hcl", []byte(featureSpec), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	build := func() (*model.Model, error) { return model.FromSpec(exp, nn.NewParams(uint64(exp.Seed))) }
	m, err := build()
	if err != nil {
		t.Fatal(err)
	}
	views, err := pipeline.BuildViews(exp)
	if err != nil {
		t.Fatal(err)
	}
	sample, err := (&channelSet{n: 1}).Image(0)
	if err != nil {
		t.Fatal(err)
	}
	setup, err := Prepare(views, sample)
	if err != nil {
		t.Fatal(err)
	}
	return m, build, setup
}

// TestPixels: the pixels of a set are its images after the evaluation
// preprocessing, flattened to C*H*W values each, in one matrix of the
// set's size, with the labels.
func TestPixels(t *testing.T) {
	_, _, setup := suiteFixture(t)
	for _, n := range []int{1, 7, 450} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			d := &channelSet{n: n, seed: 3}
			f, err := Pixels(context.Background(), d, "train", setup.Prep, nil)
			if err != nil {
				t.Fatal(err)
			}
			if f.Dim != 3*12*12 || len(f.Data) != n*f.Dim || cap(f.Data) != len(f.Data) || len(f.Labels) != n {
				t.Fatalf("%d labels and %d values of width %d (capacity %d) for %d images of 3x12x12", len(f.Labels), len(f.Data), f.Dim, cap(f.Data), n)
			}
			if d.reads != n {
				t.Errorf("%d images read for a set of %d", d.reads, n)
			}
			for _, i := range []int{0, n / 2, n - 1} {
				img, _ := d.Image(i)
				for _, s := range setup.Prep {
					img = s.Apply(img, nil)
				}
				if diff := cmp.Diff(img.Pix, f.Data[i*f.Dim:(i+1)*f.Dim]); diff != "" {
					t.Errorf("vector %d is not image %d preprocessed (-want +got):\n%s", i, i, diff)
				}
				if f.Labels[i] != d.Label(i) {
					t.Errorf("label %d is %d, want %d", i, f.Labels[i], d.Label(i))
				}
			}
			// The preprocessing is the view's normalize (mean 0.5, std
			// 0.25): the raw values, in [0.1, 0.9], reach neither.
			if first, last := f.Data[0], f.Data[f.Dim-1]; first <= 1 || last >= -1 {
				t.Errorf("image 0 from %v to %v: the pixels are not normalised as the features' input is", first, last)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Pixels(ctx, &channelSet{n: 5}, "train", setup.Prep, nil); err == nil {
		t.Error("a cancelled context read the pixels")
	}
}

// TestSuitePixels: a protocol with pixels = true scores the raw pixels
// with the same settings, reported beside the model's scores (nested under
// "pixels" in JSON, an eval event with pixels true); each set's pixels are
// read once however many protocols ask for them.
func TestSuitePixels(t *testing.T) {
	knn := func(params map[string]any) Protocol {
		params["k"] = 3
		e, err := registry.Build[evaluate.Evaluator]("evaluate.knn", params)
		if err != nil {
			t.Fatal(err)
		}
		return Protocol{Name: "knn", Eval: e}
	}
	linear := func(params map[string]any) Protocol {
		e, err := registry.Build[evaluate.Evaluator]("evaluate.linear", params)
		if err != nil {
			t.Fatal(err)
		}
		return Protocol{Name: "linear", Eval: e}
	}
	tests := []struct {
		name      string
		protocols []Protocol
		pixels    []string // the protocols with a pixels score, all 1
		baseline  []string // the protocols with a baseline score
		reads     int      // times each set's pixels are read
	}{
		{name: "none", protocols: []Protocol{knn(map[string]any{}), linear(map[string]any{"baseline": true})}, baseline: []string{"linear"}},
		{name: "knn", protocols: []Protocol{knn(map[string]any{"pixels": true}), linear(map[string]any{})}, pixels: []string{"knn"}, reads: 1},
		{name: "linear with baseline", protocols: []Protocol{linear(map[string]any{"pixels": true, "baseline": true})}, pixels: []string{"linear"}, baseline: []string{"linear"}, reads: 1},
		{name: "both", protocols: []Protocol{knn(map[string]any{"pixels": true, "baseline": true}), linear(map[string]any{"pixels": true})}, pixels: []string{"knn", "linear"}, baseline: []string{"knn"}, reads: 1},
	}
	m, initial, setup := suiteFixture(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sets := map[string]dataset.Dataset{"train": &channelSet{n: 60, seed: 1}, "test": &channelSet{n: 30, seed: 2}}
			var said, logged bytes.Buffer
			s := &Suite{
				Protocols: tt.protocols,
				Model:     m,
				Initial:   initial,
				Dataset:   func(_ context.Context, name string) (dataset.Dataset, error) { return sets[name], nil },
				Setup:     setup,
				Batch:     16,
				Progress:  progress.New(&said, false),
				Log:       zerolog.New(&logged),
			}
			res, err := s.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"train", "test"} {
				if n := strings.Count(said.String(), fmt.Sprintf("reading the pixels of %q", name)); n != tt.reads {
					t.Errorf("the pixels of %q were read %d times, want %d:\n%s", name, n, tt.reads, said.String())
				}
			}
			b, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			var tree map[string]map[string]any
			if err := json.Unmarshal(b, &tree); err != nil {
				t.Fatal(err)
			}
			events := map[string]int{}
			for line := range strings.Lines(logged.String()) {
				var e struct {
					Protocol         string
					Baseline, Pixels bool
					Top1, Top5       float64
				}
				if err := json.Unmarshal([]byte(line), &e); err != nil {
					t.Fatal(err)
				}
				switch {
				case e.Pixels && e.Baseline:
					t.Errorf("an eval event is both baseline and pixels: %s", line)
				case e.Pixels:
					events[e.Protocol]++
					if r := res[e.Protocol].Pixels; r == nil || r.Top1 != e.Top1 || r.Top5 != e.Top5 {
						t.Errorf("pixels event %s, result %+v", line, r)
					}
				}
			}
			for _, p := range tt.protocols {
				r := res[p.Name]
				wantPixels, wantBaseline := slices.Contains(tt.pixels, p.Name), slices.Contains(tt.baseline, p.Name)
				if (r.Baseline != nil) != wantBaseline {
					t.Errorf("%s: baseline %+v, want one: %v", p.Name, r.Baseline, wantBaseline)
				}
				pixels, nested := tree[p.Name]["pixels"].(map[string]any)
				if !wantPixels {
					if r.Pixels != nil || nested || events[p.Name] != 0 {
						t.Errorf("%s: pixels scored unasked: %+v, JSON %s, %d events", p.Name, r.Pixels, b, events[p.Name])
					}
					continue
				}
				if r.Pixels == nil || r.Pixels.Top1 != 1 || r.Pixels.Top5 != 1 {
					t.Errorf("%s: pixels %+v, want top-1 and top-5 1 on pixels that separate the classes", p.Name, r.Pixels)
				}
				if !nested || pixels["top1"] != 1.0 || pixels["top5"] != 1.0 {
					t.Errorf("%s: JSON %s lacks %s.pixels.top1 and top5 of 1", p.Name, b, p.Name)
				}
				// The same protocol, settings and preprocessing, run by hand.
				tr, err := Pixels(context.Background(), sets["train"], "train", setup.Prep, nil)
				if err != nil {
					t.Fatal(err)
				}
				te, err := Pixels(context.Background(), sets["test"], "test", setup.Prep, nil)
				if err != nil {
					t.Fatal(err)
				}
				if want, err := p.Eval.Evaluate(context.Background(), tr, te, 3); err != nil || want != *r.Pixels {
					t.Errorf("%s: pixels %+v, the protocol on the pixels %+v (%v)", p.Name, *r.Pixels, want, err)
				}
				if events[p.Name] != 1 {
					t.Errorf("%s: %d eval events for its pixels, want 1:\n%s", p.Name, events[p.Name], logged.String())
				}
			}
		})
	}
}

// blankGreenBlue sets every value of channels 1 and 2 to 0.5, so that only
// class 0 stands out.
type blankGreenBlue struct{}

func (blankGreenBlue) Apply(m *imaging.Image, _ *rand.Rand) *imaging.Image {
	plane := m.H * m.W
	for j := plane; j < len(m.Pix); j++ { // (C, H, W): channels 1 and 2
		m.Pix[j] = 0.5
	}
	return m
}

// TestSuitePixelsPreprocessed: the pixels scored are the images after the
// suite's preprocessing, the one the features are computed from: with a
// step that leaves only class 0 apart, they no longer separate the
// classes.
func TestSuitePixelsPreprocessed(t *testing.T) {
	m, initial, setup := suiteFixture(t)
	setup.Prep = append([]augment.Transform{blankGreenBlue{}}, setup.Prep...)
	e, err := registry.Build[evaluate.Evaluator]("evaluate.knn", map[string]any{"k": 3, "pixels": true})
	if err != nil {
		t.Fatal(err)
	}
	sets := map[string]dataset.Dataset{"train": &channelSet{n: 60, seed: 1}, "test": &channelSet{n: 30, seed: 2}}
	s := &Suite{
		Protocols: []Protocol{{Name: "knn", Eval: e}},
		Model:     m,
		Initial:   initial,
		Dataset:   func(_ context.Context, name string) (dataset.Dataset, error) { return sets[name], nil },
		Setup:     setup,
		Batch:     16,
		Log:       zerolog.Nop(),
	}
	res, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := res["knn"].Pixels; got == nil || got.Top1 > 2.0/3+1e-9 {
		t.Errorf("pixels %+v: classes 1 and 2, blanked by the preprocessing, were told apart", got)
	}
}
