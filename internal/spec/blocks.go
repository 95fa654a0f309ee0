package spec

import (
	"fmt"

	"github.com/sslrun/sslrun/registry"
)

// BlockDoc is the reference of a block kind that is not a component
// (experiment, variable, locals, view, train): `sslrun components train`
// prints it as it prints a component's.
type BlockDoc struct {
	// Type is the block's type, the word that opens it.
	Type string
	// Labels are placeholders for the block's labels, e.g. "NAME".
	Labels []string
	// Doc is one line for the reference.
	Doc string
	// Params are the attributes the block takes, decoded and checked as a
	// component's parameters are.
	Params []registry.Param
	// Body describes what else the body holds.
	Body []BodyItem
}

// BodyItem is something a block's body holds besides its Params: an
// attribute of any type or nested blocks.
type BodyItem struct {
	// Example is the item as a spec writes it, e.g. `augment "TYPE" { ... }`.
	Example string
	// Doc says what it is.
	Doc string
}

// Blocks returns the reference of every block kind that is not a
// component, in the order a spec usually writes them.
func Blocks() []BlockDoc {
	return []BlockDoc{
		{
			Type: "variable", Labels: []string{"NAME"}, Params: variableParams,
			Doc: "a value used as var.NAME in every expression; --var NAME=VALUE overrides its default",
			Body: []BodyItem{{
				Example: "default = VALUE",
				Doc:     "any value (string, number, bool, list, object); a --var value is read as its type. Without a default, --var NAME=VALUE is required",
			}},
		},
		{
			Type: "locals",
			Doc:  fmt.Sprintf("named expressions used as local.NAME, which may refer to var.* and to each other (at most %d locals)", MaxLocals),
			Body: []BodyItem{{Example: "NAME = EXPRESSION", Doc: "one attribute per local, any expression"}},
		},
		{
			Type: "experiment", Labels: []string{"NAME"}, Params: experimentParams,
			Doc: fmt.Sprintf("the experiment's name (its run folder's: ASCII letters, digits, _, - and . not first, at most %d bytes), seed and description; one per spec", MaxExperimentName),
		},
		{
			Type: "view", Labels: []string{"NAME"}, Params: viewParams,
			Doc: "an ordered augmentation pipeline applied count times to every image; several views make multi-crop",
			Body: []BodyItem{{
				Example: `augment "TYPE" { ... }`,
				Doc:     "one or more, applied in order; `sslrun components augment` lists the types",
			}},
		},
		{
			Type: "train", Params: trainParams,
			Doc: "the training loop's settings; at most one per spec, every attribute has a default",
		},
	}
}

// LookupBlock returns the reference of the block kind typ.
func LookupBlock(typ string) (BlockDoc, bool) {
	for _, b := range Blocks() {
		if b.Type == typ {
			return b, true
		}
	}
	return BlockDoc{}, false
}
