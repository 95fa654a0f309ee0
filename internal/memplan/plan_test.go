package memplan

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestSize(t *testing.T) {
	tests := []struct {
		b    int64
		want string
	}{
		{0, "0 B"},
		{1023, "1023 B"},
		{1024, "1.0 KiB"},
		{1536 << 10, "1.5 MiB"},
		{13 << 29, "6.5 GiB"},
		{40 << 40, "40.0 TiB"},
		{math.MaxInt64 - 1, "8.0 EiB"},
		{math.MaxInt64, "more than 8 EiB"},
	}
	for _, tt := range tests {
		if got := Size(tt.b); got != tt.want {
			t.Errorf("Size(%d) = %q, want %q", tt.b, got, tt.want)
		}
	}
}

func TestPlan(t *testing.T) {
	p := &Plan{Experiment: "x", Batch: 256, Views: 2}
	p.add(Step, 1<<20, "small")
	p.add(Data, 3<<30, "dataset %q", "train")
	p.add(Other, math.MaxInt64, "absurd")
	if p.Total != math.MaxInt64 {
		t.Errorf("total %d, want the saturated maximum", p.Total)
	}
	if got := p.Sum(Step, Data); got != 1<<20+3<<30 {
		t.Errorf("Sum(Step, Data) = %d", got)
	}
	if got, want := p.Breakdown(), `absurd more than 8 EiB, dataset "train" 3.0 GiB, small 1.0 MiB`; got != want {
		t.Errorf("Breakdown = %q, want %q", got, want)
	}
	tests := []struct {
		partial bool
		unsized []string
		about   string
		omitted string
	}{
		{false, nil, "more than 8 EiB", ""},
		{true, []string{"train"}, "more than 8 EiB", ` (not counting dataset "train", whose source does not tell its size)`},
		{false, []string{"train", "test"}, "more than 8 EiB", ` (not counting datasets "train", "test", whose sources do not tell their size)`},
	}
	for _, tt := range tests {
		p.Partial, p.Unsized = tt.partial, tt.unsized
		if p.About() != tt.about || p.Omitted() != tt.omitted {
			t.Errorf("partial %t, unsized %v: About %q, Omitted %q", tt.partial, tt.unsized, p.About(), p.Omitted())
		}
	}
	p.Total = 3 << 30
	for _, tt := range []struct {
		partial bool
		about   string
	}{{false, "about 3.0 GiB"}, {true, "at least 3.0 GiB"}} {
		p.Partial = tt.partial
		if p.About() != tt.about {
			t.Errorf("partial %t: About %q, want %q", tt.partial, p.About(), tt.about)
		}
	}
}

func TestCheck(t *testing.T) {
	m := Machine{Total: 8 << 30, Available: 6 << 30, Limit: 4 << 30, Used: 1 << 30}
	p := &Plan{Experiment: "x", Batch: 256, Views: 2}
	p.add(Step, 2<<30, "activations of the training step")
	if err := Check(p, m); err != nil {
		t.Fatalf("2 GiB on a machine that gives 3: %v", err)
	}
	p.add(Data, 2<<30, "dataset %q (%d images)", "train", 1000)
	err := Check(p, m)
	var tl *TooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("4 GiB on a machine that gives 3: %v", err)
	}
	for _, want := range []string{
		`experiment "x" needs about 4.0 GiB of memory at a batch of 256 images in 2 views`,
		"more than the 3.0 GiB this machine can give it (6.0 GiB available of 8.0 GiB (cgroup limit 4.0 GiB, 1.0 GiB used))",
		`activations of the training step 2.0 GiB, dataset "train" (1000 images) 2.0 GiB`,
		"Lower train.batch_size",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q:\n%s", want, err)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("message is not one paragraph:\n%s", err)
	}
}
