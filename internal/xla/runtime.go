package xla

// Runtime is what runs lowered programs for the runner's XLA engine: a
// PJRT device (OpenRuntime), or in tests an evaluator on the CPU
// (package xlatest), so that the engine's logic is tested on machines
// without a plugin.
type Runtime interface {
	// Compile prepares p to run, its arguments not yet set.
	Compile(p *Program) (Session, error)
	// String names the runtime's device for the run folder and the log.
	String() string
	// Close releases the runtime; its sessions must not be used after.
	Close() error
}

// Session is a compiled program with its arguments, as Executable keeps
// them: arguments set once stay from run to run, and each donated
// argument (Port.Alias) is replaced after a run by the result it is
// aliased to.
type Session interface {
	// Set sets argument i to a, checked against the program's port.
	Set(i int, a Array) error
	// SetHost sets every argument the host holds (Value).
	SetHost() error
	// Run runs the program once and returns the results fetch lists.
	Run(fetch ...int) ([]Array, error)
	// Get is argument i's present value: after a run, a donated argument
	// holds its result.
	Get(i int) (Array, error)
	// Close frees the session's arguments and program.
	Close() error
}

// OpenRuntime opens the PJRT device whose plugin is at path (OpenDevice)
// as a Runtime.
func OpenRuntime(path string) (Runtime, error) {
	d, err := OpenDevice(path)
	if err != nil {
		return nil, err
	}
	return deviceRuntime{d}, nil
}

// deviceRuntime is a Device as a Runtime.
type deviceRuntime struct{ *Device }

// Compile compiles p for the device.
func (d deviceRuntime) Compile(p *Program) (Session, error) {
	e, err := d.Device.Compile(p)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Zeros is a zero array of port p's element type and shape: the optimizer
// state of a parameter not updated yet, as Step creates it.
func Zeros(p Port) (Array, error) { return zeros(p) }

// The PJRT device is a Runtime and its executables are Sessions.
var (
	_ Runtime = deviceRuntime{}
	_ Session = (*Executable)(nil)
)
