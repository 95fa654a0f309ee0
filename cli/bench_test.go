package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// benchSpec is the smallest experiment `sslrun bench` can time.
const benchSpec = `
variable "data" { default = "" }
experiment "tiny_bench" {}
dataset "synthetic" "train" {
  size       = 16
  image_size = 16
}
view "global" {
  count = 2
  augment "random_resized_crop" { size = 16 }
}
backbone "convnet" { channels = [4] }
objective "nt_xent" {}
optimizer "sgd" { lr = 0.1 }
train { batch_size = 8 }
`

func TestBench(t *testing.T) {
	good := writeSpec(t, benchSpec)
	missing := writeSpec(t, strings.Replace(benchSpec, `dataset "synthetic" "train" {`, `dataset "image_folder" "train" {
  path = "no-such-folder"`, 1))
	tests := []struct {
		name       string
		args       []string
		code       int
		stderrHave string
	}{
		{"no file", []string{"bench"}, 2, "want one spec file"},
		{"unknown flag", []string{"bench", good, "--bogus"}, 2, "usage: sslrun bench"},
		{"bad steps", []string{"bench", good, "--steps", "0"}, 2, "--steps must be at least 1"},
		{"bad batch", []string{"bench", good, "--batch", "-1"}, 2, "--batch must be at least 1"},
		{"bad var", []string{"bench", good, "--var", "data"}, 2, "want name=value"},
		{"missing data", []string{"bench", missing}, 1, "no-such-folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := sslrun(t, tt.args...)
			if code != tt.code || stdout != "" || !strings.Contains(stderr, tt.stderrHave) {
				t.Errorf("exit %d (want %d), stderr lacks %q?\nstdout: %s\nstderr: %s", code, tt.code, tt.stderrHave, stdout, stderr)
			}
		})
	}

	code, stdout, stderr := sslrun(t, "bench", good, "--steps", "1", "--batch", "4", "--augment-images", "8", "--var", "data=x")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Count(stdout, "\n") != 1 {
		t.Errorf("want one line, got:\n%s", stdout)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	for _, k := range []string{"experiment", "backbone", "views", "batch", "steps", "threads", "step_images_per_s",
		"seconds_per_step", "peak_rss_mb", "augment_images_per_s", "augment_images_per_s_per_core", "go_version"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no %s in %s", k, stdout)
		}
	}
	if got["experiment"] != "tiny_bench" || got["views"] != "2x16" || got["batch"] != 4.0 || got["steps"] != 1.0 {
		t.Errorf("result %s", stdout)
	}
}
