package nn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFollow: momentum 1 keeps the average, 0 copies the source, 0.5
// halves (exact in float32 here); components/objective's TestByolEMA
// checks PyTorch's bits at solo-learn's momenta.
func TestFollow(t *testing.T) {
	src := []float32{1, -2, 3.5, 0.25}
	for _, tt := range []struct {
		name string
		tau  float64
		dst  []float32
		want []float32
	}{
		{"momentum 1 keeps", 1, []float32{4, 5, 6, 7}, []float32{4, 5, 6, 7}},
		{"momentum 0 copies", 0, []float32{4, 5, 6, 7}, src},
		{"halfway", 0.5, []float32{4, 5, 6, 7}, []float32{2.5, 1.5, 4.75, 3.625}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := Follow(tt.dst, src, tt.tau); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, tt.dst); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if err := Follow(make([]float32, 2), src, 0.5); err == nil {
		t.Error("a moving average of 2 values over 4 was taken")
	}
}
