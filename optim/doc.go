// Package optim updates parameters from their gradients. The optimizers are
// written here rather than taken from gorgonia so that weight decay, momentum
// and parameter groups follow PyTorch exactly (gorgonia v0.9.18's Momentum
// applies L2 regularisation to the velocity, not the weights).
package optim
