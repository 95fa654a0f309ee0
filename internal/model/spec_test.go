package model_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/sslrun/sslrun/internal/model"
	"github.com/sslrun/sslrun/internal/spec"
	"github.com/sslrun/sslrun/nn"
)

func TestFromSpec(t *testing.T) {
	const views = `
experiment "x" {}
dataset "synthetic" "train" { size = 8 }
view "global" {
  count = 2
  augment "random_resized_crop" { size = 8 }
}
`
	const backbone = `backbone "convnet" { channels = [4] }
`
	const heads = `head "projection_mlp" "proj" {
  hidden_dim = 8
  output_dim = 4
}
head "prototypes" "protos" { count = 5 }
`
	tests := []struct {
		name  string
		src   string
		heads int
		taps  int // tapped nodes of a two-view graph
		err   string
	}{
		{"simclr", views + backbone + `objective "nt_xent" {}`, 0, 0, ""},
		{"swav without a queue", views + backbone + heads + `objective "swav" {}`, 2, 0, ""},
		{"swav with a queue", views + backbone + heads + `objective "swav" { queue_length = 64 }`, 2, 2, ""},
		{"no backbone", views + `objective "nt_xent" {}`, 0, 0, "has no backbone block"},
		{"no objective", views + backbone, 0, 0, "has no objective block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp, err := spec.Load(filepath.Join(t.TempDir(), "x.hcl"), []byte(tt.src), spec.Options{})
			if err != nil {
				t.Fatal(err)
			}
			ps := nn.NewSymbolicParams()
			m, err := model.FromSpec(exp, ps)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Params != ps || len(m.Heads) != tt.heads {
				t.Errorf("model: %d heads", len(m.Heads))
			}
			g, err := m.Train([]model.Shape{{4, 3, 8, 8}, {4, 3, 8, 8}})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(g.TapNodes()); n != tt.taps {
				t.Errorf("%d tapped nodes, want %d", n, tt.taps)
			}
		})
	}
}
