package nn

import "fmt"

// Follow moves dst towards src as an exponential moving average with
// momentum tau: dst = tau dst + (1 - tau) src, element by element, in
// float32 with each product rounded before the sum, as PyTorch computes
// a momentum teacher's update (solo-learn's MomentumUpdater).
func Follow(dst, src []float32, tau float64) error {
	if len(dst) != len(src) {
		return fmt.Errorf("nn: a moving average of %d values over %d", len(dst), len(src))
	}
	keep, take := float32(tau), float32(1-tau)
	for i := range dst {
		dst[i] = float32(keep*dst[i]) + float32(take*src[i]) // never fused
	}
	return nil
}
