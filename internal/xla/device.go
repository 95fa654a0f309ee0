//go:build cgo

package xla

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/gomlx/go-xla/pkg/pjrt"
)

// Device is one accelerator behind a PJRT plugin, loaded with dlopen at
// run time (JAX's CUDA plugin, for instance): programs compile for it and
// run on it. Only its first addressable device is used.
type Device struct {
	plugin *pjrt.Plugin
	client *pjrt.Client
	desc   string
}

// OpenDevice loads the PJRT plugin at path (see PluginPath) and opens a
// client on it. Errors say what went wrong: no path given (and what to
// set), no such file, or a file that is not a PJRT plugin (dlopen's or the
// missing GetPjrtApi symbol's message).
//
// GOPJRT_CUDA_CHECKS is set to 0 when unset: go-xla v0.1.4's check of a
// CUDA plugin's libraries points XLA_FLAGS at a directory of its author's
// machine.
func OpenDevice(path string) (*Device, error) {
	abs, err := pluginFile(path)
	if err != nil {
		return nil, err
	}
	if _, ok := os.LookupEnv("GOPJRT_CUDA_CHECKS"); !ok {
		if err := os.Setenv("GOPJRT_CUDA_CHECKS", "0"); err != nil {
			return nil, fmt.Errorf("PJRT plugin %s: %w", abs, err)
		}
	}
	// An absolute name makes go-xla load that file instead of searching
	// its directories for a plugin of that name.
	plugin, err := pjrt.GetPlugin(abs)
	if err != nil {
		return nil, fmt.Errorf("loading PJRT plugin %s (is it a PJRT plugin exporting GetPjrtApi?): %w", abs, err)
	}
	client, err := plugin.NewClient(nil)
	if err != nil {
		return nil, fmt.Errorf("PJRT plugin %s: opening a client: %w", abs, err)
	}
	devs := client.AddressableDevices()
	if len(devs) == 0 {
		_ = client.Destroy()
		return nil, fmt.Errorf("PJRT plugin %s (%s): no addressable device", abs, client.Platform())
	}
	kind := "device 0"
	if d, err := devs[0].GetDescription(); err == nil {
		kind = d.DebugString()
	}
	desc := fmt.Sprintf("%s %s, %s (%d addressable), PJRT plugin %s", client.Platform(), client.PlatformVersion(), kind, len(devs), abs)
	return &Device{plugin: plugin, client: client, desc: strings.Join(strings.Fields(desc), " ")}, nil
}

// String names the device for the run folder and the bench's JSON:
// platform and its version, the first device's description, the plugin.
func (d *Device) String() string { return d.desc }

// Close releases the client; executables and buffers of the device must
// not be used after.
func (d *Device) Close() error {
	if err := d.client.Destroy(); err != nil {
		return fmt.Errorf("closing the PJRT client: %w", err)
	}
	return nil
}

// Executable is a program compiled for a device, with its arguments' device
// buffers: arguments the host sets once (parameters, optimizer and
// batch-norm state) stay on the device from run to run, each donated
// argument replaced after a run by the result it is aliased to
// (Port.Alias), so that only what the caller sets each run (the batch,
// the learning rate) goes in and only what it fetches (the loss) comes out.
type Executable struct {
	dev  *Device
	prog *Program
	exe  *pjrt.LoadedExecutable
	args []*pjrt.Buffer // per prog.Inputs, nil until set
}

// Compile compiles p's StableHLO text for d.
func (d *Device) Compile(p *Program) (*Executable, error) {
	exe, err := d.client.Compile().WithStableHLO([]byte(p.Text())).Done()
	if err != nil {
		return nil, fmt.Errorf("compiling %s on %s: %w", p.Name, d.client.Platform(), err)
	}
	if exe.NumOutputs != len(p.Outputs) {
		_ = exe.Destroy()
		return nil, fmt.Errorf("compiling %s: %d results, the program declares %d", p.Name, exe.NumOutputs, len(p.Outputs))
	}
	return &Executable{dev: d, prog: p, exe: exe, args: make([]*pjrt.Buffer, len(p.Inputs))}, nil
}

// Program is the program e runs.
func (e *Executable) Program() *Program { return e.prog }

// Set copies a to the device as argument i, checked against the program's
// port first; it replaces (and frees) the argument's previous buffer.
func (e *Executable) Set(i int, a Array) error {
	if i < 0 || i >= len(e.args) {
		return fmt.Errorf("%s: argument %d of %d", e.prog.Name, i, len(e.args))
	}
	p := e.prog.Inputs[i]
	if err := a.Check(p); err != nil {
		return fmt.Errorf("%s: %w", e.prog.Name, err)
	}
	buf, err := e.dev.client.BufferFromHost().FromRawData(a.bytes(), p.DType, p.Shape).ToDeviceNum(0).Done()
	if err != nil {
		return fmt.Errorf("%s: copying %s %s to the device: %w", e.prog.Name, p.Role, p.Name, err)
	}
	if old := e.args[i]; old != nil {
		if err := old.Destroy(); err != nil {
			return fmt.Errorf("%s: freeing %s's previous buffer: %w", e.prog.Name, p.Name, err)
		}
	}
	e.args[i] = buf
	return nil
}

// SetHost sets every argument the host holds (Value: parameters, state,
// optimizer state) from the host's present values.
func (e *Executable) SetHost() error {
	for i, p := range e.prog.Inputs {
		if p.Role == Input || p.Role == LR || p.Role == Freeze || p.Role == Momentum {
			continue
		}
		a, err := Value(p)
		if err != nil {
			return fmt.Errorf("%s: %w", e.prog.Name, err)
		}
		if err := e.Set(i, a); err != nil {
			return err
		}
	}
	return nil
}

// Run runs the program once on the arguments set, donating every argument
// aliased to a result, which then takes its place; it copies the results
// fetch lists to the host, in that order, and frees the results neither
// fetched nor aliased.
func (e *Executable) Run(fetch ...int) ([]Array, error) {
	donate := make([]bool, len(e.args))
	for i, b := range e.args {
		if b == nil {
			p := e.prog.Inputs[i]
			return nil, fmt.Errorf("%s: %s %s not set", e.prog.Name, p.Role, p.Name)
		}
		donate[i] = e.prog.Inputs[i].Alias >= 0
	}
	for _, r := range fetch {
		if r < 0 || r >= len(e.prog.Outputs) {
			return nil, fmt.Errorf("%s: result %d of %d", e.prog.Name, r, len(e.prog.Outputs))
		}
	}
	outs, err := e.exe.Execute(e.args...).SetDonate(donate).Done()
	if err != nil {
		return nil, fmt.Errorf("running %s: %w", e.prog.Name, err)
	}
	kept := make([]bool, len(outs))
	for i, p := range e.prog.Inputs {
		if donate[i] {
			e.args[i] = outs[p.Alias]
			kept[p.Alias] = true
		}
	}
	got := make([]Array, len(fetch))
	for k, r := range fetch {
		if got[k], err = toHost(outs[r], e.prog.Outputs[r]); err != nil {
			return nil, fmt.Errorf("%s: %w", e.prog.Name, err)
		}
	}
	for r, b := range outs {
		if !kept[r] {
			if err := b.Destroy(); err != nil {
				return nil, fmt.Errorf("%s: freeing result %d: %w", e.prog.Name, r, err)
			}
		}
	}
	return got, nil
}

// Get copies argument i's present buffer to the host: after a run, a
// donated argument holds its result (the updated parameter or state).
func (e *Executable) Get(i int) (Array, error) {
	if i < 0 || i >= len(e.args) || e.args[i] == nil {
		return Array{}, fmt.Errorf("%s: argument %d not set", e.prog.Name, i)
	}
	a, err := toHost(e.args[i], e.prog.Inputs[i])
	if err != nil {
		return Array{}, fmt.Errorf("%s: %w", e.prog.Name, err)
	}
	return a, nil
}

// Close frees the arguments' buffers and the compiled program.
func (e *Executable) Close() error {
	var errs []error
	for i, b := range e.args {
		if b != nil {
			errs = append(errs, b.Destroy())
			e.args[i] = nil
		}
	}
	errs = append(errs, e.exe.Destroy())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("closing %s: %w", e.prog.Name, err)
	}
	return nil
}

// toHost copies b, the value of port p, to a new host array.
func toHost(b *pjrt.Buffer, p Port) (Array, error) {
	a, err := zeros(p)
	if err != nil {
		return Array{}, err
	}
	dims, err := b.Dimensions()
	if err != nil {
		return Array{}, fmt.Errorf("%s %s: %w", p.Role, p.Name, err)
	}
	if size(dims) != size(p.Shape) {
		return Array{}, fmt.Errorf("%s %s: the device holds %v, the program declares %v", p.Role, p.Name, dims, p.Shape)
	}
	if err := b.ToHost(a.bytes()); err != nil {
		return Array{}, fmt.Errorf("copying %s %s to the host: %w", p.Role, p.Name, err)
	}
	return a, nil
}
