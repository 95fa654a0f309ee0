package evaluate

import "context"

// Evaluator is what an evaluate component builds: a protocol that scores
// frozen backbone features of a labelled train split on a test split.
type Evaluator interface {
	// Splits names the dataset blocks of the train and test splits.
	Splits() (train, test string)
	// Baseline reports whether the backbone at its seeded initialisation is
	// scored too.
	Baseline() bool
	// Pixels reports whether the images themselves are scored too: the
	// same protocol on each image after the evaluation preprocessing,
	// flattened to C*H*W values, in place of the backbone's features.
	Pixels() bool
	// Evaluate fits on train and scores test; classes is the number of
	// labels.
	Evaluate(ctx context.Context, train, test Features, classes int) (Result, error)
}

// Result is one evaluation's accuracies, as fractions in [0, 1].
type Result struct {
	Top1 float64 `json:"top1"`
	Top5 float64 `json:"top5"`
}
