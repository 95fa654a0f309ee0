// Package procstat reads figures of the running process from Linux's /proc:
// its peak resident memory, which benchmarks report next to their speed.
package procstat
