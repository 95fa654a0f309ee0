package registry

// Wiring describes the rest of an experiment to a component whose validity
// depends on other blocks (an objective that needs two views or a
// prototypes head). The spec loader passes it once every block decoded.
type Wiring struct {
	Datasets []string    // dataset block names, in spec order
	Views    []WiredView // view blocks, in spec order
	Heads    []WiredHead // head blocks, in spec order
	// BatchSize is the train block's batch of source images.
	BatchSize int
}

// WiredView is one view block.
type WiredView struct {
	Name  string
	Count int
}

// WiredHead is one head block.
type WiredHead struct {
	Name string
	ID   string
}

// ViewCount is the number of views made of each image.
func (w Wiring) ViewCount() int {
	n := 0
	for _, v := range w.Views {
		n += v.Count
	}
	return n
}

// WiringChecker is implemented by components that check how they are wired;
// the error is reported at the component's block.
type WiringChecker interface {
	CheckWiring(w Wiring) error
}

// HasDataset reports whether a dataset block is called name.
func (w Wiring) HasDataset(name string) bool {
	for _, d := range w.Datasets {
		if d == name {
			return true
		}
	}
	return false
}
