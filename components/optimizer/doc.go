// Package optimizer holds the optimizer components (kind "optimizer"):
// sgd, lars and adamw. They follow PyTorch's update rules exactly (solo-learn's
// LARS for lars), leave biases and batch-norm parameters out of weight decay
// unless asked, and expose their state for checkpoints.
//
// Every optimizer requires lr, the learning rate for a batch of 256 images,
// and by default scales it linearly with the batch size (scale_lr), as
// solo-learn does; the schedule then shapes that peak step by step and Step
// receives the result. Updates run in float32, in PyTorch's order of
// operations, so they agree with PyTorch to a few float32 roundings.
//
// State is keyed by parameter name ("momentum/conv1.weight",
// "exp_avg/…", "exp_avg_sq/…", "step/…"), and a parameter gets state on its
// first update with a gradient, as in PyTorch. SetState checks the keys and
// their consistency at once and the buffer lengths against the parameters of
// the next Step (or of the last one, when a Step already ran); a Step that
// finds the state does not fit fails before changing anything.
package optimizer
