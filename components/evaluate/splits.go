package evaluate

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sslrun/sslrun/registry"
)

// splitParams are the parameters every evaluate component shares: the
// dataset blocks it fits on and scores, and whether the untrained backbone
// and the raw pixels are scored too.
func splitParams() []registry.Param {
	return []registry.Param{
		{Name: "train", Type: registry.String, Default: "train", Doc: "dataset block whose labelled features the protocol fits on"},
		{Name: "test", Type: registry.String, Default: "test", Doc: "dataset block whose features are scored; must differ from train"},
		{Name: "baseline", Type: registry.Bool, Default: false, Doc: "also score the backbone at its seeded initialisation (the random-features reference)"},
		{Name: "pixels", Type: registry.Bool, Default: false, Doc: "also score the raw pixels: the same protocol on the images after the evaluation preprocessing, flattened to C*H*W values each (the no-learning reference)"},
	}
}

// splits holds the shared parameters and implements the part of Evaluator
// and registry.WiringChecker that only depends on them.
type splits struct {
	train, test      string
	baseline, pixels bool
}

// newSplits reads the shared parameters; train and test naming the same
// block is a *registry.ParamError on test, since the accuracy would then be
// measured on the data the protocol was fitted on.
func newSplits(v registry.Values) (splits, error) {
	s := splits{train: v.String("train"), test: v.String("test"), baseline: v.Bool("baseline"), pixels: v.Bool("pixels")}
	if s.train == s.test {
		return splits{}, &registry.ParamError{Param: "test", Msg: fmt.Sprintf("train and test both name dataset block %q; scoring the data the protocol was fitted on measures nothing", s.test)}
	}
	return s, nil
}

// Splits names the dataset blocks of the train and test splits.
func (s splits) Splits() (train, test string) { return s.train, s.test }

// Baseline reports whether the backbone at its seeded initialisation is
// scored too.
func (s splits) Baseline() bool { return s.baseline }

// Pixels reports whether the preprocessed images, flattened, are scored
// too.
func (s splits) Pixels() bool { return s.pixels }

// CheckWiring requires train and test to name dataset blocks of the spec
// (newSplits already made sure they differ).
func (s splits) CheckWiring(w registry.Wiring) error {
	for _, p := range []struct{ param, name string }{{"train", s.train}, {"test", s.test}} {
		if w.HasDataset(p.name) {
			continue
		}
		if len(w.Datasets) == 0 {
			return fmt.Errorf("%s names dataset block %q, but the spec has no dataset blocks", p.param, p.name)
		}
		quoted := make([]string, len(w.Datasets))
		for i, d := range w.Datasets {
			quoted[i] = strconv.Quote(d)
		}
		return fmt.Errorf("%s names dataset block %q, which the spec does not have; its dataset blocks are %s", p.param, p.name, strings.Join(quoted, ", "))
	}
	return nil
}
