// Package evaluate scores learned features. It starts with weighted kNN on
// L2-normalised features, the progress signal solo-learn and lightly report.
package evaluate
