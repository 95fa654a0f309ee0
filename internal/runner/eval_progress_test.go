package runner_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sslrun/sslrun/internal/runner"
)

// TestEvaluationProgress: feature extraction shows its progress on a
// terminal as training does, a line redrawn in place, for every set.
func TestEvaluationProgress(t *testing.T) {
	var out bytes.Buffer
	run(t, tinySpec, map[string]string{"epochs": "1"}, runner.Options{Progress: &out, Terminal: true})
	for _, want := range []string{
		"\r\x1b[Kfeatures of \"train\": 96/96 images",
		"\r\x1b[Kfeatures of \"test\": 48/48 images",
	} {
		if n := strings.Count(out.String(), want); n != 2 { // trained, then at initialisation
			t.Errorf("progress shows %q %d times, want 2:\n%q", want, n, out.String())
		}
	}
}
