// Package evaluate holds the evaluate components: protocols that score the
// frozen features of a backbone. Each component is one file that registers
// itself and builds an Evaluator, which fits on the labelled features of one
// dataset block of the spec and reports top-1 and top-5 accuracy on another.
//
//   - evaluate.knn (knn.go) is weighted kNN on L2-normalised features, votes
//     weighing exp(similarity / temperature), k 200 and temperature 0.1 as in
//     solo-learn and lightly: the cheap progress signal.
//   - evaluate.linear (linear.go) is the linear probe, the headline number of
//     SimCLR and SwAV: softmax regression on features standardised with the
//     train split's statistics, mean cross-entropy plus an L2 penalty on the
//     weights, minimised to convergence with gonum's L-BFGS. It is
//     deterministic: the same features give bit-identical results whatever
//     GOMAXPROCS is.
//
// Every evaluate component takes train and test, the names of the dataset
// blocks it fits on and scores (they must differ, and the spec loader checks
// through registry.WiringChecker that they name dataset blocks), baseline,
// which also scores the backbone at its seeded initialisation, and pixels,
// which also scores the images themselves: the same protocol on each image
// after the evaluation preprocessing, flattened to C*H*W values.
package evaluate
