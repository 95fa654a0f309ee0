// Package optimizer holds the optimizer components (kind "optimizer"):
// sgd, lars and adamw. They follow PyTorch's update rules exactly (solo-learn's
// LARS for lars), leave biases and batch-norm parameters out of weight decay
// unless asked, and expose their state for checkpoints.
package optimizer
