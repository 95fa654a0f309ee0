// Package registry holds every component sslrun can build, keyed by an ID of
// the form kind.type (augment.color_jitter, dataset.image_folder).
//
// A component lives in one file of its own package: it declares its schema
// (attributes, types, defaults, ranges and a one-line doc each) next to its
// code and registers itself from init(). The spec loader decodes each block
// against the schema of the component it names, so a new component needs no
// change anywhere else; nothing in sslrun switches on component names.
//
//	func init() {
//		registry.Register(registry.Component{
//			ID:     "augment.solarize",
//			Doc:    "inverts every value at or above a threshold",
//			Params: []registry.Param{...},
//			New:    func(v registry.Values) (any, error) { ... },
//		})
//	}
//
// registry.New[T] builds an instance from decoded values and checks that it
// implements T, the interface of its kind.
package registry
