package dataset

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/imaging"
)

func TestParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	tests := []struct {
		name    string
		n       int
		failAt  []int // indices whose call fails
		wantErr string
	}{
		{name: "none", n: 0},
		{name: "all", n: 1000},
		{name: "one failure", n: 1000, failAt: []int{700}, wantErr: "item 700"},
		{name: "lowest failure wins", n: 1000, failAt: []int{999, 3, 500, 4}, wantErr: "item 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := make([]atomic.Int32, tt.n)
			fails := map[int]bool{}
			for _, i := range tt.failAt {
				fails[i] = true
			}
			err := parallel(context.Background(), tt.n, func(i int) error {
				calls[i].Add(1)
				if fails[i] {
					return fmt.Errorf("item %d", i)
				}
				return nil
			})
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.wantErr {
				t.Errorf("error %q, want %q", got, tt.wantErr)
			}
			for i := range calls {
				c := calls[i].Load()
				if c > 1 || (tt.wantErr == "" && c != 1) {
					t.Fatalf("item %d called %d times", i, c)
				}
			}
		})
	}
}

func TestParallelCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	err := parallel(ctx, 1_000_000, func(i int) error {
		if calls.Add(1) == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if n := calls.Load(); n > 1000 {
		t.Errorf("%d calls after cancelling at the 10th", n)
	}
}

func TestMemorySet(t *testing.T) {
	set := &memorySet{c: 1, h: 1, w: 2, pix: [][]uint8{{0, 255}, {51, 102}}}
	if set.Label(1) != -1 || set.Classes() != nil {
		t.Errorf("unlabeled set: label %d, classes %v; want -1, nil", set.Label(1), set.Classes())
	}
	img, err := set.Image(1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&imaging.Image{C: 1, H: 1, W: 2, Pix: []float32{0.2, 0.4}}, img); diff != "" {
		t.Errorf("image 1 (-want +got):\n%s", diff)
	}
	img.Pix[0] = 9 // a returned image is the caller's
	if again, _ := set.Image(1); again.Pix[0] != 0.2 {
		t.Error("modifying a returned image changed the set")
	}
	for _, i := range []int{-1, 2} {
		if _, err := set.Image(i); err == nil {
			t.Errorf("Image(%d) of 2 images: no error", i)
		}
	}
}
