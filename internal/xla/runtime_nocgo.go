//go:build !cgo

package xla

// Get: see SetHost.
func (e *Executable) Get(int) (Array, error) { return Array{}, errNoCgo }
