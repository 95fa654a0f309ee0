// Package schedule holds the learning-rate schedule components (kind
// "schedule"): warmup_cosine (linear warmup, then cosine decay, per step) and
// constant.
package schedule
