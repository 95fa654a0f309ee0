package objective

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/google/go-cmp/cmp"
	"github.com/sslrun/sslrun/components/head"
	"github.com/sslrun/sslrun/nn"
	"github.com/sslrun/sslrun/ops"
	"github.com/sslrun/sslrun/ops/opstest"
	"github.com/sslrun/sslrun/registry"
)

type swavGolden struct {
	Sinkhorn []struct {
		Name       string
		Batch, K   int
		Epsilon    float64
		Iterations int
		Scores     []float32
		Codes      []float64
	}
	Loss []struct {
		Name        string
		Views       int
		Assign      []int
		Batch, K    int
		Temperature float64
		Epsilon     float64
		Iterations  int
		Z           []float32
		Codes       [][]float64
		Loss        float64
		Grad        []float64
	}
	Queue []struct {
		Name                  string
		Views                 int
		Assign                []int
		Batch, K, Dim, Length int
		Temperature           float64
		Epsilon               float64
		Iterations            int
		Prototypes, Queue, Z  []float32
		Embeddings            []float32
		Codes                 [][]float64
		Loss                  float64
		Grad                  []float64
		NewQueue              []float32 `json:"new_queue"`
	}
}

func loadSwavGolden(t *testing.T) swavGolden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "swav_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g swavGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Sinkhorn) == 0 || len(g.Loss) == 0 {
		t.Fatal("swav_golden.json has no cases")
	}
	return g
}

// newSwav builds objective.swav with the schema defaults overridden by params.
func newSwav(t *testing.T, params map[string]any) *Swav {
	t.Helper()
	o, err := registry.Build[Objective]("objective.swav", params)
	if err != nil {
		t.Fatal(err)
	}
	return o.(*Swav)
}

func TestSwavRegistration(t *testing.T) {
	o := newSwav(t, nil)
	if o.Temperature != 0.1 || o.Epsilon != 0.05 || o.Iterations != 3 || len(o.Assign) != 2 || o.Assign[0] != 0 || o.Assign[1] != 1 || o.QueueLength != 0 || o.QueueStartEpoch != 15 {
		t.Errorf("defaults %+v", o)
	}
	for _, bad := range [][]float64{{0.5}, {1, 1}, {-1}} {
		if _, err := registry.Build[Objective]("objective.swav", map[string]any{"crops_for_assign": bad}); err == nil {
			t.Errorf("crops_for_assign %v accepted", bad)
		}
	}
}

// TestSinkhornGolden compares with facebookresearch/swav's
// distributed_sinkhorn (testdata/make_swav_golden.py), including scores for
// which the official float64 code overflows.
func TestSinkhornGolden(t *testing.T) {
	for _, c := range loadSwavGolden(t).Sinkhorn {
		t.Run(c.Name, func(t *testing.T) {
			q := ops.Sinkhorn(c.Scores, c.Batch, c.K, c.Iterations, c.Epsilon)
			for i, x := range q {
				want := c.Codes[i]
				if math.IsNaN(float64(x)) || math.Abs(float64(x)-want) > 1e-5+1e-4*math.Abs(want) {
					t.Fatalf("code [%d] = %.7g, PyTorch %.7g", i, x, want)
				}
			}
		})
	}
}

// TestSinkhornMarginals: every sample's codes sum to 1 (official: Q *= B
// after columns were scaled to 1/B) and each prototype gets about B/K.
func TestSinkhornMarginals(t *testing.T) {
	for _, c := range loadSwavGolden(t).Sinkhorn {
		t.Run(c.Name, func(t *testing.T) {
			b, k := c.Batch, c.K
			q := ops.Sinkhorn(c.Scores, b, k, 5000, c.Epsilon) // converged: peaked scores need many
			for i := 0; i < b; i++ {
				var s float64
				for j := 0; j < k; j++ {
					s += float64(q[i*k+j])
				}
				if math.Abs(s-1) > 1e-5 {
					t.Errorf("sample %d: codes sum to %.7g", i, s)
				}
			}
			for j := 0; j < k; j++ {
				var s float64
				for i := 0; i < b; i++ {
					s += float64(q[i*k+j])
				}
				if want := float64(b) / float64(k); math.Abs(s-want) > 1e-3*want {
					t.Errorf("prototype %d: codes sum to %.7g, want %.7g", j, s, want)
				}
			}
		})
	}
}

// swavGraph builds the swapped loss of a golden case: score inputs per view
// and constant code nodes, the codes computed by ops.Sinkhorn from the scores.
func swavGraph(t *testing.T, g *G.ExprGraph, views int, assign []int, b, k int, zs []float32, temperature, eps float64, iters int) (*G.Node, []*G.Node, [][]float32) {
	t.Helper()
	z := viewNodes(g, zs, views, b, k)
	scores := make([][]float32, views)
	for v := range scores {
		scores[v] = zs[v*b*k : (v+1)*b*k]
	}
	codes := make([][]float32, len(assign))
	for c, a := range assign {
		codes[c] = ops.Sinkhorn(scores[a], b, k, iters, eps)
	}
	cn := make([]*G.Node, len(codes))
	for c, q := range codes {
		cn[c] = G.NewMatrix(g, tensor.Float32, G.WithShape(b, k), G.WithName("swav.codes."+string(rune('0'+assign[c]))),
			G.WithValue(tensor.New(tensor.WithShape(b, k), tensor.WithBacking(append([]float32(nil), q...)))))
	}
	loss, err := SwappedPredictionLoss(z, cn, assign, temperature)
	if err != nil {
		t.Fatal(err)
	}
	return loss, z, codes
}

func TestSwavLossGolden(t *testing.T) {
	for _, c := range loadSwavGolden(t).Loss {
		t.Run(c.Name, func(t *testing.T) {
			g := G.NewGraph()
			loss, z, codes := swavGraph(t, g, c.Views, c.Assign, c.Batch, c.K, c.Z, c.Temperature, c.Epsilon, c.Iterations)
			for i := range codes {
				for j, x := range codes[i] {
					if want := c.Codes[i][j]; math.Abs(float64(x)-want) > 1e-5+1e-4*math.Abs(want) {
						t.Fatalf("codes %d [%d] = %.7g, PyTorch %.7g", i, j, x, want)
					}
				}
			}
			// a view that predicts no codes (only itself is assigned) gets
			// no gradient: PyTorch's is zero, gorgonia refuses to differentiate.
			var wrt []*G.Node
			var wrtView []int
			for v := range z {
				if !(len(c.Assign) == 1 && c.Assign[0] == v) {
					wrt = append(wrt, z[v])
					wrtView = append(wrtView, v)
				}
			}
			grads, err := G.Grad(loss, wrt...)
			if err != nil {
				t.Fatal(err)
			}
			if err := ops.CheckGraph(g); err != nil {
				t.Error(err)
			}
			m := G.NewTapeMachine(g)
			defer m.Close()
			if err := m.RunAll(); err != nil {
				t.Fatal(err)
			}
			got := float64(loss.Value().Data().(float32))
			if math.Abs(got-c.Loss) > 1e-5*max(1, math.Abs(c.Loss)) {
				t.Errorf("loss %.7g, PyTorch %.7g", got, c.Loss)
			}
			per := c.Batch * c.K
			for v := range z {
				if len(c.Assign) == 1 && c.Assign[0] == v {
					for i, want := range c.Grad[v*per : (v+1)*per] {
						if want != 0 {
							t.Fatalf("PyTorch grad of view %d [%d] = %g, want 0", v, i, want)
						}
					}
				}
			}
			for gi, gn := range grads {
				v := wrtView[gi]
				for i, x := range gn.Value().Data().([]float32) {
					want := c.Grad[v*per+i]
					if math.Abs(float64(x)-want) > 1e-5+1e-4*math.Abs(want) {
						t.Fatalf("grad view %d [%d] = %.7g, PyTorch %.7g", v, i, x, want)
					}
				}
			}
		})
	}
}

// TestSwavFiniteDifferences differentiates the swapped loss with the codes
// held fixed (they are computed without gradient).
func TestSwavFiniteDifferences(t *testing.T) {
	c := loadSwavGolden(t).Loss[1]
	opstest.CheckGrad(t, func(g *G.ExprGraph) (*G.Node, []*G.Node) {
		loss, z, _ := swavGraph(t, g, c.Views, c.Assign, c.Batch, c.K, c.Z, c.Temperature, c.Epsilon, c.Iterations)
		return loss, z
	}, opstest.Float32)
}

func TestSwavLossErrors(t *testing.T) {
	g := G.NewGraph()
	a := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 3), G.WithName("a"))
	b := G.NewMatrix(g, tensor.Float32, G.WithShape(5, 3), G.WithName("b"))
	o := newSwav(t, nil)
	if _, err := o.Loss([]*G.Node{a}); err == nil {
		t.Error("one view accepted")
	}
	if _, err := o.Loss([]*G.Node{a, b}); err == nil {
		t.Errorf("views of different shapes accepted")
	}
	if _, err := SwappedPredictionLoss([]*G.Node{a, a}, []*G.Node{a}, []int{0, 1}, 0.1); err == nil {
		t.Error("one code node for two assigned views accepted")
	}
	if _, err := SwappedPredictionLoss([]*G.Node{a, a}, []*G.Node{a}, []int{2}, 0.1); err == nil {
		t.Error("assigned view 2 of 2 accepted")
	}
}

func TestSwavCheckWiring(t *testing.T) {
	views := func(counts ...int) []registry.WiredView {
		var out []registry.WiredView
		for i, c := range counts {
			out = append(out, registry.WiredView{Name: "v" + string(rune('0'+i)), Count: c})
		}
		return out
	}
	protos := []registry.WiredHead{{Name: "proj", ID: "head.projection_mlp"}, {Name: "protos", ID: "head.prototypes"}}
	tests := []struct {
		name   string
		assign []float64
		w      registry.Wiring
		want   string // "" for no error, else a substring of it
	}{
		{"2 views", []float64{0, 1}, registry.Wiring{Views: views(2), Heads: protos}, ""},
		{"2+6 views", []float64{0, 1}, registry.Wiring{Views: views(2, 6), Heads: protos}, ""},
		{"one view", []float64{0}, registry.Wiring{Views: views(1), Heads: protos}, "at least two views"},
		{"assign out of range", []float64{0, 2}, registry.Wiring{Views: views(2), Heads: protos}, "view 2"},
		{"no prototypes", []float64{0, 1}, registry.Wiring{Views: views(2), Heads: protos[:1]}, "head.prototypes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := newSwav(t, map[string]any{"crops_for_assign": tc.assign})
			var wc registry.WiringChecker = o
			err := wc.CheckWiring(tc.w)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one naming %q", err, tc.want)
			}
		})
	}
}

// TestSwavLossInGraph builds the loss through the component, codes by the
// Sinkhorn op in the same graph, and compares it with PyTorch's.
func TestSwavLossInGraph(t *testing.T) {
	for _, c := range loadSwavGolden(t).Loss {
		t.Run(c.Name, func(t *testing.T) {
			assign := make([]float64, len(c.Assign))
			for i, a := range c.Assign {
				assign[i] = float64(a)
			}
			o := newSwav(t, map[string]any{"temperature": c.Temperature, "epsilon": c.Epsilon,
				"sinkhorn_iterations": c.Iterations, "crops_for_assign": assign})
			g := G.NewGraph()
			z := viewNodes(g, c.Z, c.Views, c.Batch, c.K)
			loss, err := o.Loss(z)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := G.Grad(loss, z[0]); err != nil {
				t.Fatal(err)
			}
			if err := ops.CheckGraph(g); err != nil {
				t.Error(err)
			}
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			if got := float64(loss.Value().Data().(float32)); math.Abs(got-c.Loss) > 1e-5*max(1, math.Abs(c.Loss)) {
				t.Errorf("loss %.7g, PyTorch %.7g", got, c.Loss)
			}
		})
	}
}

// TestSwavQueueGolden runs a step with a full queue against main_swav.py's
// loop (testdata/make_swav_golden.py): the queue's embeddings, scored by the
// prototypes, join the Sinkhorn; the loss and its gradient match PyTorch and
// the push leaves the queue as PyTorch's.
func TestSwavQueueGolden(t *testing.T) {
	g := loadSwavGolden(t)
	if len(g.Queue) == 0 {
		t.Fatal("swav_golden.json has no queue cases")
	}
	for _, c := range g.Queue {
		t.Run(c.Name, func(t *testing.T) {
			assign := make([]float64, len(c.Assign))
			for i, a := range c.Assign {
				assign[i] = float64(a)
			}
			o := newSwav(t, map[string]any{"temperature": c.Temperature, "epsilon": c.Epsilon,
				"sinkhorn_iterations": c.Iterations, "crops_for_assign": assign, "queue_length": c.Length})
			gr := G.NewGraph()
			z := viewNodes(gr, c.Z, c.Views, c.Batch, c.K)
			loss, err := o.Loss(z)
			if err != nil {
				t.Fatal(err)
			}
			// a view that predicts nothing (the only assigned one) has no
			// gradient in gorgonia and a zero one in PyTorch.
			var wrt []*G.Node
			var wrtView []int
			for v := range z {
				if !(len(c.Assign) == 1 && c.Assign[0] == v) {
					wrt, wrtView = append(wrt, z[v]), append(wrtView, v)
				}
			}
			grads, err := G.Grad(loss, wrt...)
			if err != nil {
				t.Fatal(err)
			}
			q, err := o.NewQueue(c.Dim, c.Batch)
			if err != nil {
				t.Fatal(err)
			}
			per := c.Length * c.Dim
			for i := range q.Emb {
				copy(q.Emb[i], c.Queue[i*per:(i+1)*per])
			}
			// Not full yet: the queue is left out.
			q.Filled = c.Length - 1
			if err := o.UseQueue(q, c.Prototypes, c.K); err != nil {
				t.Fatal(err)
			}
			if o.sinkhorn[0].Rows != 0 {
				t.Fatalf("a queue short of full was used (%d rows)", o.sinkhorn[0].Rows)
			}
			q.Filled = c.Length
			if err := o.UseQueue(q, c.Prototypes, c.K); err != nil {
				t.Fatal(err)
			}
			vm := G.NewTapeMachine(gr)
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			if got := float64(loss.Value().Data().(float32)); math.Abs(got-c.Loss) > 1e-5*max(1, math.Abs(c.Loss)) {
				t.Errorf("loss %.7g, PyTorch %.7g", got, c.Loss)
			}
			bk := c.Batch * c.K
			for gi, gn := range grads {
				v := wrtView[gi]
				for i, x := range gn.Value().Data().([]float32) {
					if want := c.Grad[v*bk+i]; math.Abs(float64(x)-want) > 1e-5+1e-4*math.Abs(want) {
						t.Fatalf("grad view %d [%d] = %.7g, PyTorch %.7g", v, i, x, want)
					}
				}
			}
			bd := c.Batch * c.Dim
			emb := make([][]float32, len(c.Assign))
			for i, a := range c.Assign {
				emb[i] = c.Embeddings[a*bd : (a+1)*bd]
			}
			if err := q.Push(emb); err != nil {
				t.Fatal(err)
			}
			for i := range q.Emb {
				for j, x := range q.Emb[i] {
					if want := c.NewQueue[i*per+j]; x != want {
						t.Fatalf("queue %d [%d] = %g after the push, PyTorch %g", i, j, x, want)
					}
				}
			}
		})
	}
}

func TestSwavQueueLength(t *testing.T) {
	o := newSwav(t, map[string]any{"queue_length": 100})
	q, err := o.NewQueue(4, 32)
	if err != nil {
		t.Fatal(err)
	}
	if q.Length != 96 {
		t.Errorf("queue of 100 for batches of 32 has %d rows, want 96 (main_swav.py rounds down)", q.Length)
	}
	if _, err := o.NewQueue(4, 128); err == nil || !strings.Contains(err.Error(), "shorter than a batch") {
		t.Errorf("queue shorter than a batch: %v", err)
	}
	if !o.Queues() || newSwav(t, nil).Queues() {
		t.Error("Queues does not follow queue_length")
	}
	if newSwav(t, nil).QueueStarts(100) {
		t.Error("a swav without a queue starts one")
	}
	if o.QueueStarts(14) || !o.QueueStarts(15) {
		t.Error("queue_start_epoch 15 not honoured")
	}
	if err := q.Push([][]float32{make([]float32, 32*4)}); err == nil {
		t.Error("push with one batch for two assigned views accepted")
	}
	if err := q.Push([][]float32{make([]float32, 32*4), make([]float32, 32*4)}); err != nil || q.Filled != 32 {
		t.Errorf("push: %v, filled %d", err, q.Filled)
	}
}

// TestSwavStateBytes checks the queue's share of the memory estimate
// against a queue made and used: its embeddings and the scores UseQueue
// keeps, plus the Sinkhorn's float64 work.
func TestSwavStateBytes(t *testing.T) {
	const dim, k, batch = 4, 6, 32
	o := newSwav(t, map[string]any{"queue_length": 100})
	q, err := o.NewQueue(dim, batch)
	if err != nil {
		t.Fatal(err)
	}
	z := make([]*G.Node, 2)
	g := G.NewGraph()
	for i := range z {
		z[i] = G.NewMatrix(g, tensor.Float32, G.WithShape(batch, k), G.WithName(fmt.Sprint("z", i)))
	}
	if _, err := o.Loss(z); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := q.Push([][]float32{make([]float32, batch*dim), make([]float32, batch*dim)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.UseQueue(q, make([]float32, k*dim), k); err != nil {
		t.Fatal(err)
	}
	held := 0
	for c := range q.Emb {
		held += 4 * (len(q.Emb[c]) + len(o.sinkhorn[c].Scores))
	}
	want := int64(held + 8*(q.Length+batch)*k)
	taps := func(dim, k int) map[string][]int {
		return map[string][]int{head.TapPrototypesInput: {batch, dim}, head.TapPrototypes: {k, dim}}
	}
	if got := o.StateBytes(batch, taps(dim, k), -1); got != want {
		t.Errorf("StateBytes = %d, want %d", got, want)
	}
	if got := o.StateBytes(batch, taps(dim, k), 14); got != 0 {
		t.Errorf("before queue_start_epoch: %d bytes", got)
	}
	if got := newSwav(t, nil).StateBytes(batch, taps(dim, k), -1); got != 0 {
		t.Errorf("without a queue: %d bytes", got)
	}
	if got := newSwav(t, map[string]any{"queue_length": 1_000_000_000}).StateBytes(1, taps(1<<40, 1<<40), -1); got != math.MaxInt64 {
		t.Errorf("an absurd queue: %d bytes, want the saturated maximum", got)
	}
}

// TestSwavMethod drives Swav as the training loop does (Method): no queue
// before queue_start_epoch, a queue made at the first push there, the
// Sinkhorn reading it once full (Variant "queue"), and State/SetState
// carrying it across a resume; bad states are refused.
func TestSwavMethod(t *testing.T) {
	const dim, k, batch = 3, 4, 2
	o := newSwav(t, map[string]any{"queue_length": 4, "queue_start_epoch": 1})
	z := make([]*G.Node, 2)
	g := G.NewGraph()
	for i := range z {
		z[i] = G.NewMatrix(g, tensor.Float32, G.WithShape(batch, k), G.WithName(fmt.Sprint("z", i)))
	}
	if _, err := o.Loss(z); err != nil {
		t.Fatal(err)
	}
	nodes, params := o.Taps()
	if diff := cmp.Diff([]string{head.TapPrototypesInput}, nodes); diff != "" {
		t.Errorf("node taps: %s", diff)
	}
	if diff := cmp.Diff([]string{head.TapPrototypes}, params); diff != "" {
		t.Errorf("parameter taps: %s", diff)
	}
	ps := nn.NewParams(1)
	w := ps.Get("prototypes.weight", []int{k, dim}, dim, k, nn.KaimingUniform, false)
	tapped := map[string]*nn.Param{head.TapPrototypes: w}
	emb := func(v float32) map[string][][]float32 {
		e := make([]float32, batch*dim)
		for i := range e {
			e[i] = v + float32(i)
		}
		return map[string][][]float32{head.TapPrototypesInput: {e, e}}
	}
	for i, s := range []Step{{Step: 0, Epoch: 0, Batch: batch}, {Step: 1, Epoch: 1, Batch: batch}, {Step: 2, Epoch: 1, Batch: batch}, {Step: 3, Epoch: 1, Batch: batch}} {
		if err := o.BeforeStep(s, tapped); err != nil {
			t.Fatal(err)
		}
		wantRows, wantVariant := 0, ""
		if i == 3 { // two pushes of 2 rows fill a queue of 4
			wantRows, wantVariant = 4, "queue"
		}
		if o.sinkhorn[0].Rows != wantRows || o.Variant(s) != wantVariant {
			t.Errorf("step %d: the Sinkhorn reads %d queue rows, variant %q; want %d, %q", i, o.sinkhorn[0].Rows, o.Variant(s), wantRows, wantVariant)
		}
		if err := o.AfterStep(s, emb(float32(i))); err != nil {
			t.Fatal(err)
		}
	}
	st := o.State()
	if st.Counters["queue.filled"] != 4 || len(st.Buffers) != 2 {
		t.Fatalf("state %+v", st)
	}
	resumed := newSwav(t, map[string]any{"queue_length": 4, "queue_start_epoch": 1})
	if err := resumed.SetState(st); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(o.queue, resumed.queue); diff != "" {
		t.Errorf("queue after SetState (-saved +restored):\n%s", diff)
	}
	bad := []struct {
		name string
		st   State
		want string
	}{
		{"longer than queue_length", State{Counters: map[string]int64{"queue.length": 8, "queue.dim": 3, "queue.filled": 0}, Buffers: st.Buffers}, "does not fit"},
		{"one view's queue", State{Counters: st.Counters, Buffers: map[string][]float32{"queue.0": st.Buffers["queue.0"]}}, "2 views"},
		{"short buffer", State{Counters: st.Counters, Buffers: map[string][]float32{"queue.0": st.Buffers["queue.0"], "queue.1": {1}}}, "holds 1 values"},
	}
	for _, b := range bad {
		if err := resumed.SetState(b.st); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: got %v, want an error containing %q", b.name, err, b.want)
		}
	}
	if err := newSwav(t, nil).SetState(st); err == nil {
		t.Error("a swav without a queue took a queue's state")
	}
}
