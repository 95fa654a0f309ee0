//go:build !cgo

package xla

import "fmt"

// Device is an accelerator behind a PJRT plugin. This build has no cgo, so
// no plugin can be loaded: OpenDevice says so, and no Device exists.
type Device struct{}

// Executable is a program compiled for a Device; without cgo there is none.
type Executable struct{}

// OpenDevice checks path as the cgo build does, then refuses: loading a
// PJRT plugin takes dlopen, which needs cgo.
func OpenDevice(path string) (*Device, error) {
	abs, err := pluginFile(path)
	if err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("PJRT plugin %s: this sslrun was built without cgo (CGO_ENABLED=0 or no C compiler), and loading a plugin needs it; rebuild with a C compiler", abs)
}

// String is never called: OpenDevice makes no Device without cgo.
func (d *Device) String() string { return "no device (built without cgo)" }

// Close releases nothing.
func (d *Device) Close() error { return nil }

// Compile cannot compile without a device.
func (d *Device) Compile(p *Program) (*Executable, error) {
	return nil, fmt.Errorf("compiling %s: built without cgo", p.Name)
}

// SetHost, Set, Run and Close mirror the cgo build's methods; with no
// Executable to call them on, they only report the missing cgo.
func (e *Executable) SetHost() error { return errNoCgo }

// Set: see SetHost.
func (e *Executable) Set(int, Array) error { return errNoCgo }

// Run: see SetHost.
func (e *Executable) Run(...int) ([]Array, error) { return nil, errNoCgo }

// Close: see SetHost.
func (e *Executable) Close() error { return nil }

var errNoCgo = fmt.Errorf("the XLA engine needs a build with cgo")
