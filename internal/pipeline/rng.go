package pipeline

import "math/rand/v2"

// Streams of random numbers. Each purpose gets its own constant so that no
// two draws share a stream.
const (
	streamOrder uint64 = 0x6f72646572 // epoch order ("order")
	streamView  uint64 = 0x76696577   // per-sample views ("view")
)

// mix is splitmix64's finaliser: a bijection on uint64 that spreads every
// input bit over the output.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// derive hashes a seed and a path of integers into two PCG seed words.
func derive(seed uint64, path ...uint64) (uint64, uint64) {
	h := mix(seed)
	for _, p := range path {
		h = mix(h ^ mix(p))
	}
	return h, mix(h ^ 0x5851f42d4c957f2d)
}

// SampleRNG returns the generator for view v of sample i in epoch e of a run
// seeded with seed. The result depends on nothing else.
func SampleRNG(seed uint64, epoch, i, v int) *rand.Rand {
	a, b := derive(seed, streamView, uint64(epoch), uint64(i), uint64(v))
	return rand.New(rand.NewPCG(a, b))
}

// Order returns the sample order of epoch e: a permutation of [0, n).
func Order(seed uint64, epoch, n int) []int {
	a, b := derive(seed, streamOrder, uint64(epoch))
	return rand.New(rand.NewPCG(a, b)).Perm(n)
}
