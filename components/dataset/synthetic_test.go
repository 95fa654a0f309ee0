package dataset

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/imaging"
)

// equalSamples is a fast cmp.Equal for samples.
func equalSamples(a, b []sample) bool {
	return slices.EqualFunc(a, b, func(x, y sample) bool {
		return x.Label == y.Label && x.Image.C == y.Image.C && x.Image.H == y.Image.H && x.Image.W == y.Image.W && slices.Equal(x.Image.Pix, y.Image.Pix)
	})
}

// synthParams returns dataset.synthetic parameters.
func synthParams(size, seed int, split string) map[string]any {
	return map[string]any{"size": size, "seed": seed, "split": split}
}

func TestSyntheticDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var sets [][]sample
	for _, procs := range []int{1, 4} {
		runtime.GOMAXPROCS(procs)
		sets = append(sets, samples(t, openSet(t, "dataset.synthetic", synthParams(300, 7, "train"))))
	}
	if !equalSamples(sets[0], sets[1]) {
		t.Errorf("GOMAXPROCS 1 and 4 differ (-1 +4):\n%s", cmp.Diff(sets[0], sets[1]))
	}
	// Image i does not depend on size: a smaller set is a prefix.
	small := samples(t, openSet(t, "dataset.synthetic", synthParams(45, 7, "train")))
	if !equalSamples(sets[0][:45], small) {
		t.Errorf("size 45 is not a prefix of size 300 (-300 +45):\n%s", cmp.Diff(sets[0][:45], small))
	}
}

func TestSyntheticStreamsDiffer(t *testing.T) {
	base := samples(t, openSet(t, "dataset.synthetic", synthParams(100, 0, "train")))
	for _, other := range []map[string]any{synthParams(100, 0, "test"), synthParams(100, 1, "train")} {
		t.Run(fmt.Sprint(other), func(t *testing.T) {
			set := samples(t, openSet(t, "dataset.synthetic", other))
			sameLabels := 0
			for i := range set {
				for j := range base {
					if slices.Equal(set[i].Image.Pix, base[j].Image.Pix) {
						t.Fatalf("image %d equals image %d of the base set", i, j)
					}
				}
				if set[i].Label == base[i].Label {
					sameLabels++
				}
			}
			if sameLabels > 30 {
				t.Errorf("%d of 100 labels equal the base set's", sameLabels)
			}
		})
	}
}

func TestSyntheticLabels(t *testing.T) {
	tests := []struct {
		size, classes int
	}{
		{1000, 10},
		{1003, 10},
		{17, 2},
		{99, 7},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d/%d", tt.size, tt.classes), func(t *testing.T) {
			d := openSet(t, "dataset.synthetic", map[string]any{"size": tt.size, "classes": tt.classes, "image_size": 8})
			if diff := cmp.Diff(synthClasses[:tt.classes], d.Classes()); diff != "" {
				t.Errorf("classes (-want +got):\n%s", diff)
			}
			counts := make([]int, tt.classes)
			inOrder := 0
			for i := range d.Len() {
				counts[d.Label(i)]++
				if d.Label(i) == i%tt.classes {
					inOrder++
				}
			}
			lo := tt.size / tt.classes
			for c, n := range counts {
				if n != lo && n != lo+1 {
					t.Errorf("class %d has %d images, want %d or %d", c, n, lo, lo+1)
				}
			}
			if inOrder == d.Len() {
				t.Error("labels are not shuffled")
			}
		})
	}
}

func TestSyntheticImages(t *testing.T) {
	for _, side := range []int{8, 32, 256} {
		t.Run(fmt.Sprint(side), func(t *testing.T) {
			d := openSet(t, "dataset.synthetic", map[string]any{"size": 20, "image_size": side})
			for i := range d.Len() {
				img, err := d.Image(i)
				if err != nil {
					t.Fatal(err)
				}
				if img.C != 3 || img.H != side || img.W != side {
					t.Fatalf("image %d is %dx%dx%d, want 3x%dx%d", i, img.C, img.H, img.W, side, side)
				}
				lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
				for _, v := range img.Pix {
					lo, hi = min(lo, v), max(hi, v)
				}
				if lo < 0 || hi > 1 || hi-lo < 0.2 {
					t.Errorf("image %d has values in [%v, %v], want a spread inside [0, 1]", i, lo, hi)
				}
			}
		})
	}
}

// shapeFeatures describes an image by the autocorrelation of its
// normalised luma at a few shifts: it does not change with the colours
// (nor with swapping foreground and background) nor much with position.
func shapeFeatures(img *imaging.Image) []float64 {
	n := img.H * img.W
	luma := make([]float64, n)
	mean := 0.0
	for i := range luma {
		luma[i] = 0.299*float64(img.Pix[i]) + 0.587*float64(img.Pix[n+i]) + 0.114*float64(img.Pix[2*n+i])
		mean += luma[i] / float64(n)
	}
	variance := 0.0
	for i := range luma {
		luma[i] -= mean
		variance += luma[i] * luma[i] / float64(n)
	}
	var f []float64
	for _, s := range [][2]int{{1, 0}, {0, 1}, {1, 1}, {1, -1}, {2, 0}, {0, 2}, {2, 2}, {2, -2}, {3, 0}, {0, 3}, {3, 3}, {3, -3}, {4, 0}, {0, 4}, {6, 0}, {0, 6}} {
		sum, count := 0.0, 0
		for y := max(0, -s[1]); y < img.H-max(0, s[1]); y++ {
			for x := 0; x < img.W-s[0]; x++ {
				sum += luma[y*img.W+x] * luma[(y+s[1])*img.W+x+s[0]]
				count++
			}
		}
		f = append(f, sum/float64(count)/variance)
	}
	return f
}

// colourFeatures describes an image by its mean colour.
func colourFeatures(img *imaging.Image) []float64 {
	var f []float64
	for c := range 3 {
		sum := 0.0
		for _, v := range img.Plane(c) {
			sum += float64(v)
		}
		f = append(f, sum/float64(img.H*img.W))
	}
	return f
}

// centroidAccuracy fits per-class mean features on train and returns the
// accuracy of nearest-centroid classification on test.
func centroidAccuracy(t *testing.T, train, test Dataset, features func(*imaging.Image) []float64) float64 {
	classes := len(train.Classes())
	centroids := make([][]float64, classes)
	counts := make([]int, classes)
	for i := range train.Len() {
		img, _ := train.Image(i)
		f := features(img)
		c := train.Label(i)
		if centroids[c] == nil {
			centroids[c] = make([]float64, len(f))
		}
		for k, v := range f {
			centroids[c][k] += v
		}
		counts[c]++
	}
	for c := range centroids {
		for k := range centroids[c] {
			centroids[c][k] /= float64(counts[c])
		}
	}
	correct := 0
	for i := range test.Len() {
		img, _ := test.Image(i)
		f := features(img)
		best, bestDist := -1, math.Inf(1)
		for c, m := range centroids {
			d := 0.0
			for k := range f {
				d += (f[k] - m[k]) * (f[k] - m[k])
			}
			if d < bestDist {
				best, bestDist = c, d
			}
		}
		if best == test.Label(i) {
			correct++
		}
	}
	return float64(correct) / float64(test.Len())
}

// TestSyntheticLearnable checks that the classes differ in shape but not in
// colour: a nearest-centroid classifier does far better than chance (0.1)
// on shape features and about chance on the mean colour.
func TestSyntheticLearnable(t *testing.T) {
	train := openSet(t, "dataset.synthetic", synthParams(2000, 0, "train"))
	test := openSet(t, "dataset.synthetic", synthParams(1000, 0, "test"))
	shape := centroidAccuracy(t, train, test, shapeFeatures)
	colour := centroidAccuracy(t, train, test, colourFeatures)
	t.Logf("nearest-centroid accuracy: %.3f from shape, %.3f from colour", shape, colour)
	if shape < 0.5 {
		t.Errorf("accuracy from shape %.3f, want at least 0.5", shape)
	}
	if colour > 0.16 {
		t.Errorf("accuracy from colour %.3f, want about chance (0.1)", colour)
	}
}
