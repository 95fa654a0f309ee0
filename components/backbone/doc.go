// Package backbone holds the networks whose features are learned. Each is
// one file that registers itself and reports its feature width, so heads
// wire themselves to it.
package backbone
