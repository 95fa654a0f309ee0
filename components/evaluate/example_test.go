package evaluate_test

import (
	"context"
	"fmt"

	"github.com/sslrun/sslrun/components/evaluate"
	"github.com/sslrun/sslrun/registry"
)

// A linear probe built from Go, as a spec's `evaluate "linear" { ... }` block
// would build it, fitted on three points per class and scored on two.
func ExampleLinear() {
	e, err := registry.Build[evaluate.Evaluator]("evaluate.linear", map[string]any{
		"train": "cifar10_train",
		"test":  "cifar10_test",
	})
	if err != nil {
		panic(err)
	}
	train := evaluate.Features{
		Dim:    2,
		Data:   []float32{0, 1, 0.2, 1.1, 0.1, 0.8, 1, 0, 0.9, 0.3, 1.2, 0.1},
		Labels: []int{0, 0, 0, 1, 1, 1},
	}
	test := evaluate.Features{Dim: 2, Data: []float32{0.1, 0.9, 0.8, 0.2}, Labels: []int{0, 1}}
	res, err := e.Evaluate(context.Background(), train, test, 2)
	if err != nil {
		panic(err)
	}
	trainSplit, testSplit := e.Splits()
	fmt.Printf("fitted on %s, scored on %s: top-1 %.2f, top-5 %.2f\n", trainSplit, testSplit, res.Top1, res.Top5)
	// Output: fitted on cifar10_train, scored on cifar10_test: top-1 1.00, top-5 1.00
}
