package model

import (
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/sslrun/sslrun/internal/safetensors"
	"github.com/sslrun/sslrun/nn"
)

// slot is one tensor of a backbone file and the values it holds: a
// parameter or running statistic (f32), or a batch-norm counter (i64).
type slot struct {
	name  string
	shape []int
	f32   []float32
	i64   *int64
}

// dtype is the slot's type in the file.
func (s slot) dtype() safetensors.DType {
	if s.i64 != nil {
		return safetensors.Int64
	}
	return safetensors.Float32
}

// backboneSlots lists what a backbone file holds for graph g: every
// parameter g uses under its own name, then for each batch norm NAME g uses
// NAME.running_mean, NAME.running_var (C) and NAME.num_batches_tracked (a
// scalar), the names of a torchvision state_dict.
func backboneSlots(g *Graph, ps *nn.Params) ([]slot, error) {
	var out []slot
	for _, p := range g.Params {
		shape := []int(p.Value.Shape().Clone())
		data := p.Data()
		if len(data) != p.Value.Shape().TotalSize() {
			return nil, fmt.Errorf("parameter %s holds %d values for shape %v", p.Name, len(data), shape)
		}
		out = append(out, slot{name: p.Name, shape: shape, f32: data})
	}
	known := ps.BNNames()
	for _, name := range g.BatchNorms {
		if _, ok := slices.BinarySearch(known, name); !ok {
			return nil, fmt.Errorf("batch norm %s is not in the parameters", name)
		}
		s := ps.BN(name, 0)
		c := len(s.Mean)
		if len(s.Var) != c {
			return nil, fmt.Errorf("batch norm %s has %d means and %d variances", name, c, len(s.Var))
		}
		out = append(out,
			slot{name: name + ".running_mean", shape: []int{c}, f32: s.Mean},
			slot{name: name + ".running_var", shape: []int{c}, f32: s.Var},
			slot{name: name + ".num_batches_tracked", shape: []int{}, i64: &s.Tracked},
		)
	}
	return out, nil
}

// ExportBackbone writes the backbone of evaluation graph g (from
// Model.Features) as a safetensors file in the layout of a torchvision
// state_dict: every parameter g uses under its own name (conv1.weight,
// layer1.0.bn1.weight, ...) and, for each batch norm NAME, NAME.running_mean
// and NAME.running_var (F32) and NAME.num_batches_tracked (an I64 scalar).
// A torchvision model of the same architecture, with the classifier
// replaced by nn.Identity, loads it with load_state_dict(strict=True).
//
// The file's metadata is metadata plus "format": "pt", which is how the
// Hugging Face libraries recognise PyTorch weights; metadata may not give
// "format" another value. The bytes depend only on the values (see package
// safetensors).
func ExportBackbone(w io.Writer, g *Graph, ps *nn.Params, metadata map[string]string) error {
	if f, ok := metadata["format"]; ok && f != "pt" {
		return fmt.Errorf("model: export backbone: metadata format %q, the file is \"pt\"", f)
	}
	tensors, err := backboneTensors(g, ps)
	if err != nil {
		return fmt.Errorf("model: export backbone: %w", err)
	}
	meta := map[string]string{"format": "pt"}
	maps.Copy(meta, metadata)
	if err := safetensors.Write(w, tensors, meta); err != nil {
		return fmt.Errorf("model: export backbone: %w", err)
	}
	return nil
}

// BackboneSHA256 is the sha256 of the tensor data ExportBackbone writes for
// g: a checksum to record in its metadata.
func BackboneSHA256(g *Graph, ps *nn.Params) (string, error) {
	tensors, err := backboneTensors(g, ps)
	if err != nil {
		return "", fmt.Errorf("model: backbone checksum: %w", err)
	}
	return safetensors.DataSHA256(tensors), nil
}

// backboneTensors are the tensors of the backbone's file.
func backboneTensors(g *Graph, ps *nn.Params) ([]safetensors.Tensor, error) {
	slots, err := backboneSlots(g, ps)
	if err != nil {
		return nil, err
	}
	tensors := make([]safetensors.Tensor, len(slots))
	for i, s := range slots {
		if s.i64 != nil {
			tensors[i] = safetensors.I64(s.name, s.shape, []int64{*s.i64})
		} else {
			tensors[i] = safetensors.F32(s.name, s.shape, s.f32)
		}
	}
	return tensors, nil
}

// LoadBackbone reads a file as ExportBackbone writes it (or as a torchvision
// state_dict of the same architecture saved with safetensors) into the
// parameters and batch-norm statistics graph g uses. The file must hold
// exactly the tensors ExportBackbone would write, with the same dtypes and
// shapes; otherwise nothing is changed. Metadata is not read, and batch-norm
// momentum and eps, which a state_dict does not hold, stay as they are.
func LoadBackbone(data []byte, g *Graph, ps *nn.Params) error {
	f, err := safetensors.Read(data)
	if err != nil {
		return fmt.Errorf("model: load backbone: %w", err)
	}
	slots, err := backboneSlots(g, ps)
	if err != nil {
		return fmt.Errorf("model: load backbone: %w", err)
	}
	wanted := make(map[string]bool, len(slots))
	for _, s := range slots {
		wanted[s.name] = true
	}
	for _, t := range f.Tensors {
		if !wanted[t.Name] {
			return fmt.Errorf("model: load backbone: the file holds %s, which the backbone does not have", t.Name)
		}
	}
	// Decode everything before changing anything.
	f32 := make([][]float32, len(slots))
	i64 := make([]int64, len(slots))
	for i, s := range slots {
		t, ok := f.Get(s.name)
		if !ok {
			return fmt.Errorf("model: load backbone: the file has no %s", s.name)
		}
		if t.DType != s.dtype() || !slices.Equal(t.Shape, s.shape) {
			return fmt.Errorf("model: load backbone: %s is %s %v in the file, want %s %v", s.name, t.DType, t.Shape, s.dtype(), s.shape)
		}
		if s.i64 != nil {
			v, err := t.Int64s()
			if err != nil {
				return fmt.Errorf("model: load backbone: %w", err)
			}
			i64[i] = v[0]
			continue
		}
		if f32[i], err = t.Float32s(); err != nil {
			return fmt.Errorf("model: load backbone: %w", err)
		}
	}
	for i, s := range slots {
		if s.i64 != nil {
			*s.i64 = i64[i]
		} else {
			copy(s.f32, f32[i])
		}
	}
	return nil
}
