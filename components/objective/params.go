package objective

import (
	"fmt"
	"math"
	"slices"

	"github.com/sslrun/sslrun/registry"
)

// viewIndices reads a list of distinct view indices.
func viewIndices(param string, fs []float64) ([]int, error) {
	out := make([]int, len(fs))
	for i, f := range fs {
		if f != math.Trunc(f) {
			return nil, &registry.ParamError{Param: param, Msg: fmt.Sprintf("element %d (%g) is not a view index", i, f)}
		}
		out[i] = int(f)
		if slices.Contains(out[:i], out[i]) {
			return nil, &registry.ParamError{Param: param, Msg: fmt.Sprintf("view %d listed twice", out[i])}
		}
	}
	if len(out) == 0 {
		return nil, &registry.ParamError{Param: param, Msg: "names no view"}
	}
	return out, nil
}
