package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sslrun/sslrun/internal/checkpoint"
	"github.com/sslrun/sslrun/internal/runner"
	"github.com/sslrun/sslrun/internal/safetensors"
	"github.com/sslrun/sslrun/internal/spec"
)

// files reads the named files of a run folder, to check that a command
// left them as they were.
func files(t *testing.T, dir string, names ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range names {
		out[n] = string(read(t, filepath.Join(dir, n)))
	}
	return out
}

// rewriteMeta changes metadata of the checkpoint at path, keeping its data
// (and so its checksum) as it is.
func rewriteMeta(t *testing.T, path string, set map[string]string) {
	t.Helper()
	f, err := safetensors.Read(read(t, path))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range set {
		f.Metadata[k] = v
	}
	var b bytes.Buffer
	if err := safetensors.Write(&b, f.Tensors, f.Metadata); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// interruptAt makes dir look like a run stopped by a signal after the
// numbered checkpoint of step: that checkpoint is the latest, and there is
// no summary yet.
func interruptAt(t *testing.T, dir string, step string) {
	t.Helper()
	b := read(t, filepath.Join(dir, "checkpoints", "step-0000000"+step+".safetensors"))
	if err := os.WriteFile(filepath.Join(dir, "checkpoints", runner.LatestCheckpoint), b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{runner.SummaryFile, runner.BackboneFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestResumeKeepsLimit: a run started with a step limit and interrupted
// resumes to that limit, not to the end of its epochs, and ends with the
// bytes of a run that was never interrupted; --max-steps on resume sets a
// new limit, which a later resume keeps.
func TestResumeKeepsLimit(t *testing.T) {
	whole := run(t, tinySpec, nil, runner.Options{MaxSteps: 4}).Dir
	dir := run(t, tinySpec, nil, runner.Options{MaxSteps: 4}).Dir
	interruptAt(t, dir, "2")
	res, err := runner.Resume(context.Background(), dir, runner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Steps != 4 {
		t.Errorf("resumed to step %d, the run's limit is 4", res.Summary.Steps)
	}
	for _, f := range []string{runner.BackboneFile, "checkpoints/latest.safetensors"} {
		if !bytes.Equal(read(t, filepath.Join(whole, f)), read(t, filepath.Join(dir, f))) {
			t.Errorf("%s differs from the uninterrupted run's", f)
		}
	}
	interruptAt(t, dir, "2")
	if res, err = runner.Resume(context.Background(), dir, runner.Options{MaxSteps: 5}); err != nil {
		t.Fatal(err)
	}
	if res.Summary.Steps != 5 {
		t.Errorf("resumed with --max-steps 5 to step %d", res.Summary.Steps)
	}
	interruptAt(t, dir, "4")
	if res, err = runner.Resume(context.Background(), dir, runner.Options{}); err != nil {
		t.Fatal(err)
	}
	if res.Summary.Steps != 5 {
		t.Errorf("a later resume went to step %d, the limit set by the last is 5", res.Summary.Steps)
	}
}

// TestResumeFinished: resuming a finished run changes nothing and says so.
func TestResumeFinished(t *testing.T) {
	dir := run(t, tinySpec, nil, runner.Options{MaxSteps: 2}).Dir
	names := []string{runner.SummaryFile, runner.LogFile, runner.ConfigFile, runner.BackboneFile, "checkpoints/latest.safetensors"}
	before := files(t, dir, names...)
	res, err := runner.Resume(context.Background(), dir, runner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Finished || res.Summary.Steps != 2 || res.Summary.FinalLoss == 0 {
		t.Errorf("resume of a finished run: finished %v, summary %+v", res.Finished, res.Summary)
	}
	if diff := cmp.Diff(before, files(t, dir, names...)); diff != "" {
		t.Errorf("resume of a finished run changed its folder (-before +after):\n%s", diff)
	}
}

// TestResumeAfterEvaluationInterrupted: a run stopped during evaluation
// resumes to its evaluation only, and its summary keeps the final loss.
func TestResumeAfterEvaluationInterrupted(t *testing.T) {
	dir := run(t, tinySpec, nil, runner.Options{MaxSteps: 2}).Dir
	want := read(t, filepath.Join(dir, runner.SummaryFile))
	if err := os.Remove(filepath.Join(dir, runner.SummaryFile)); err != nil {
		t.Fatal(err)
	}
	res, err := runner.Resume(context.Background(), dir, runner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got, was runner.Summary
	if err := json.Unmarshal(want, &was); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(read(t, filepath.Join(dir, runner.SummaryFile)), &got); err != nil {
		t.Fatal(err)
	}
	if res.Finished || got.Steps != 2 || got.FinalLoss != was.FinalLoss || !cmp.Equal(got.Eval, was.Eval) || got.Eval["linear"].Pixels == nil {
		t.Errorf("summary after evaluating again: %+v, the run's was %+v", got, was)
	}
}

// TestResumeRefusesCheckpoint: checkpoints whose data or position do not
// fit the run are refused at once (none of these may hang), and the run
// folder is left as it was.
func TestResumeRefusesCheckpoint(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, path string)
		want   string
	}{
		{"flipped bit", func(t *testing.T, path string) {
			b := read(t, path)
			b[len(b)-5] ^= 0x10
			os.WriteFile(path, b, 0o644)
		}, "does not match the checksum"},
		{"1e38 written into the data", func(t *testing.T, path string) {
			b := read(t, path)
			copy(b[len(b)-8:], []byte{0x99, 0x76, 0x96, 0x7e})
			os.WriteFile(path, b, 0o644)
		}, "does not match the checksum"},
		{"no checksum", func(t *testing.T, path string) {
			rewriteMeta(t, path, map[string]string{"sslrun.data_sha256": ""})
		}, "no checksum"},
		{"step in epoch past the epoch", func(t *testing.T, path string) {
			rewriteMeta(t, path, map[string]string{"sslrun.epoch_step": "1000000"})
		}, "of an epoch of 3 steps"},
		{"epoch past the run", func(t *testing.T, path string) {
			rewriteMeta(t, path, map[string]string{"sslrun.epoch": "1000000"})
		}, "of a run of 2 epochs"},
		{"step far ahead", func(t *testing.T, path string) {
			rewriteMeta(t, path, map[string]string{"sslrun.step": "2000000000"})
		}, "says step 2000000000"},
		{"infinite epoch loss", func(t *testing.T, path string) {
			rewriteMeta(t, path, map[string]string{"sslrun.epoch_loss": "+Inf"})
		}, "not a finite number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := run(t, tinySpec, nil, runner.Options{MaxSteps: 4}).Dir
			interruptAt(t, dir, "2")
			latest := filepath.Join(dir, "checkpoints", runner.LatestCheckpoint)
			tt.change(t, latest)
			before := files(t, dir, runner.LogFile, "checkpoints/latest.safetensors")
			_, err := runner.Resume(context.Background(), dir, runner.Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if diff := cmp.Diff(before, files(t, dir, runner.LogFile, "checkpoints/latest.safetensors")); diff != "" {
				t.Errorf("the refused resume changed the folder (-before +after):\n%s", diff)
			}
		})
	}
}

// TestEvaluateRefusesCorruptBackbone: a changed byte in the exported
// backbone is found before it is evaluated.
func TestEvaluateRefusesCorruptBackbone(t *testing.T) {
	dir := run(t, tinySpec, nil, runner.Options{MaxSteps: 1}).Dir
	path := filepath.Join(dir, runner.BackboneFile)
	b := read(t, path)
	b[len(b)-3] ^= 1
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := runner.Evaluate(context.Background(), dir, runner.Options{}); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("evaluating a corrupt backbone: %v", err)
	}
}

// writeFolder writes an image folder of two classes of n 8x8 PNGs each,
// image i of a class with brightness from i.
func writeFolder(t *testing.T, root string, n int) {
	t.Helper()
	for c, class := range []string{"a", "b"} {
		if err := os.MkdirAll(filepath.Join(root, class), 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			img := image.NewGray(image.Rect(0, 0, 8, 8))
			for p := range img.Pix {
				img.Pix[p] = uint8(40*c + 7*i + 3*p)
			}
			var b bytes.Buffer
			if err := png.Encode(&b, img); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, class, string(rune('a'+i))+".png"), b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// folderSpec is tinySpec on an image folder next to the spec.
var folderSpec = strings.NewReplacer(`dataset "synthetic" "train" {
  size       = 96
  classes    = 4
  image_size = 16
}`, `dataset "image_folder" "train" { path = "images" }`, `dataset "synthetic" "test" {
  size       = 48
  classes    = 4
  image_size = 16
  split      = "test"
}`, `dataset "image_folder" "test" { path = "images" }`, `size  = 16`, `size  = 8`).Replace(tinySpec)

// TestResumeRefusesChangedData: two images swapped after the run started
// are found by the dataset's content hash, as a changed spec is.
func TestResumeRefusesChangedData(t *testing.T) {
	root := t.TempDir()
	writeFolder(t, filepath.Join(root, "images"), 16)
	specPath := filepath.Join(root, "folder.hcl")
	exp, err := spec.Load(specPath, []byte(folderSpec), spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "run")
	if _, err := runner.Run(context.Background(), exp, []byte(folderSpec), runner.Options{Out: dir, MaxSteps: 1}); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, runner.SummaryFile))
	a, b := filepath.Join(root, "images", "a", "a.png"), filepath.Join(root, "images", "b", "b.png")
	da, db := read(t, a), read(t, b)
	os.WriteFile(a, db, 0o644)
	os.WriteFile(b, da, 0o644)
	if _, err := runner.Resume(context.Background(), dir, runner.Options{ToEnd: true}); err == nil || !strings.Contains(err.Error(), `has changed since the run started`) {
		t.Fatalf("resume on changed data: %v", err)
	}
}

// TestDivergedState: with a huge learning rate the state turns infinite;
// the run stops with a LossError that says truly what is kept, and never
// writes a checkpoint holding a NaN or an infinity.
func TestDivergedState(t *testing.T) {
	tests := []struct {
		name, keep, every string
		vars              map[string]string
	}{
		{"lr 1e20, a checkpoint every step", "1", `"1 step"`, map[string]string{"lr": "1e20"}},
		{"infinite loss before the first checkpoint", "0", `"2 steps"`, map[string]string{"temperature": "1e-40"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(strings.Replace(tinySpec, `keep_every       = 1`, `keep_every       = `+tt.keep, 1), `"2 steps"`, tt.every, 1)
			exp, b := load(t, src, tt.vars)
			dir := filepath.Join(t.TempDir(), "run")
			_, err := runner.Run(context.Background(), exp, b, runner.Options{Out: dir})
			var le *runner.LossError
			if !errors.As(err, &le) {
				t.Fatalf("diverged run: %v", err)
			}
			latest := filepath.Join(dir, "checkpoints", runner.LatestCheckpoint)
			_, statErr := os.Stat(latest)
			switch {
			case le.Kept < 0 && !strings.Contains(err.Error(), "no checkpoint was written"):
				t.Errorf("no checkpoint kept, but the message says %q", err)
			case le.Kept < 0 && statErr == nil:
				t.Errorf("the message says no checkpoint was written, but %s exists", latest)
			case le.Kept >= 0 && statErr != nil:
				t.Errorf("the message says the checkpoint of step %d is kept, but %v", le.Kept, statErr)
			}
			if statErr != nil {
				return
			}
			f, err := safetensors.Read(read(t, latest))
			if err != nil {
				t.Fatal(err)
			}
			for _, tn := range f.Tensors {
				if v, err := tn.Float32s(); err == nil && !allFinite(v) {
					t.Errorf("the kept checkpoint holds a non-finite %s", tn.Name)
				}
			}
		})
	}
}

func allFinite(v []float32) bool {
	for _, x := range v {
		if x-x != 0 {
			return false
		}
	}
	return true
}

// TestRunFolderGuards: a new run refuses a folder with someone's files in
// it, and a folder held by another process; a start that fails before
// training removes what it wrote.
func TestRunFolderGuards(t *testing.T) {
	exp, src := load(t, tinySpec, nil)
	t.Run("non-empty folder", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "spec.hcl"), []byte("mine"), 0o644)
		os.WriteFile(filepath.Join(dir, "summary.json"), []byte("{}"), 0o644)
		_, err := runner.Run(context.Background(), exp, src, runner.Options{Out: dir, MaxSteps: 1})
		if err == nil || !strings.Contains(err.Error(), "is not empty") {
			t.Fatalf("run into a folder with files: %v", err)
		}
		if diff := cmp.Diff(map[string]string{"spec.hcl": "mine", "summary.json": "{}"}, files(t, dir, "spec.hcl", "summary.json")); diff != "" {
			t.Errorf("the user's files changed:\n%s", diff)
		}
	})
	t.Run("locked folder", func(t *testing.T) {
		dir := run(t, tinySpec, nil, runner.Options{MaxSteps: 2}).Dir
		interruptAt(t, dir, "0")
		f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			t.Fatal(err)
		}
		f.WriteString("pid 42 (sslrun run)")
		_, err = runner.Resume(context.Background(), dir, runner.Options{})
		if err == nil || !strings.Contains(err.Error(), "in use by pid 42 (sslrun run)") {
			t.Fatalf("resume of a folder in use: %v", err)
		}
		empty := t.TempDir()
		g, err := os.OpenFile(filepath.Join(empty, ".lock"), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer g.Close()
		if err := syscall.Flock(int(g.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			t.Fatal(err)
		}
		if _, err := runner.Run(context.Background(), exp, src, runner.Options{Out: empty, MaxSteps: 1}); err == nil || !strings.Contains(err.Error(), "in use") {
			t.Fatalf("run into a folder in use: %v", err)
		}
	})
	t.Run("failed start", func(t *testing.T) {
		bad, b := load(t, strings.Replace(tinySpec, `mean = [0.5]`, `mean = [0.5, 0.5]`, 1), nil)
		b = bytes.Clone(b)
		for _, pre := range []bool{false, true} {
			dir := filepath.Join(t.TempDir(), "run")
			if pre {
				os.Mkdir(dir, 0o755)
			}
			if _, err := runner.Run(context.Background(), bad, b, runner.Options{Out: dir}); err == nil {
				t.Fatal("a run whose normalize has the wrong channel count started")
			}
			entries, err := os.ReadDir(dir)
			switch {
			case pre && (err != nil || len(entries) != 0):
				t.Errorf("the failed start left %v in the folder that existed (%v)", entries, err)
			case !pre && !errors.Is(err, os.ErrNotExist):
				t.Errorf("the failed start left its folder (%v)", entries)
			}
		}
	})
}

// TestDefaultFolders: runs started within one second get folders of their
// own under runs/.
func TestDefaultFolders(t *testing.T) {
	t.Chdir(t.TempDir())
	exp, src := load(t, tinySpec, nil)
	seen := map[string]bool{}
	for range 3 {
		res, err := runner.Run(context.Background(), exp, src, runner.Options{MaxSteps: 1})
		if err != nil {
			t.Fatal(err)
		}
		if seen[res.Dir] || !strings.HasPrefix(res.Dir, "runs"+string(filepath.Separator)+"tiny-") {
			t.Errorf("run folder %s (earlier: %v)", res.Dir, seen)
		}
		seen[res.Dir] = true
	}
}

// TestLogFailures: a log write that fails (a full disk) stops the run with
// an error, and a torn last line is cut before appending.
func TestLogFailures(t *testing.T) {
	dir := run(t, tinySpec, nil, runner.Options{MaxSteps: 4}).Dir
	interruptAt(t, dir, "2")
	log := filepath.Join(dir, runner.LogFile)
	whole := read(t, log)
	torn := append(bytes.Clone(whole), `{"level":"info","event":"st`...)
	os.WriteFile(log, torn, 0o644)
	stale := filepath.Join(dir, "checkpoints", ".latest.safetensors.tmp123")
	os.WriteFile(stale, []byte("half"), 0o644)
	if _, err := runner.Resume(context.Background(), dir, runner.Options{}); err != nil {
		t.Fatal(err)
	}
	events(t, dir) // every line parses
	if !bytes.HasPrefix(read(t, log), whole) {
		t.Error("the log lost lines before the torn one")
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("a stale temporary checkpoint was not removed")
	}

	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full to stand for a full disk")
	}
	interruptAt(t, dir, "2")
	os.Remove(log)
	if err := os.Symlink("/dev/full", log); err != nil {
		t.Fatal(err)
	}
	if _, err := runner.Resume(context.Background(), dir, runner.Options{}); err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("resume with a full disk under the log: %v", err)
	}
}

// TestSpecErrorNamesRunCopy: a broken spec.hcl in the run folder is
// reported at that file, not at the spec the run was started from.
func TestSpecErrorNamesRunCopy(t *testing.T) {
	dir := run(t, tinySpec, nil, runner.Options{MaxSteps: 1}).Dir
	path := filepath.Join(dir, runner.SpecFile)
	os.WriteFile(path, []byte("experiment \"tiny\" {\n  seed = \n}\n"), 0o644)
	_, err := runner.Resume(context.Background(), dir, runner.Options{})
	if err == nil || !strings.Contains(err.Error(), path+":") {
		t.Fatalf("resume with a broken spec.hcl: %v", err)
	}
}

// TestInterruptDuringEvaluation: a signal after pretraining says so, keeps
// the backbone, and `sslrun eval` is the way on; the summary it writes has
// the run's steps and final loss (the latest checkpoint's), not zeros.
func TestInterruptDuringEvaluation(t *testing.T) {
	exp, src := load(t, tinySpec, nil)
	dir := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := writerFunc(func(p []byte) (int, error) {
		if bytes.Contains(p, []byte("extracting features")) {
			cancel()
		}
		return len(p), nil
	})
	_, err := runner.Run(ctx, exp, src, runner.Options{Out: dir, MaxSteps: 1, Progress: stop})
	if !errors.Is(err, runner.ErrInterrupted) || !strings.Contains(err.Error(), "during evaluation") || !strings.Contains(err.Error(), "sslrun eval") {
		t.Fatalf("interrupted evaluation: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, runner.BackboneFile)); err != nil {
		t.Error(err)
	}
	res, err := runner.Evaluate(context.Background(), dir, runner.Options{})
	if err != nil || len(res.Summary.Eval) != 2 || res.Summary.Eval["linear"].Pixels == nil {
		t.Fatalf("evaluating after the interruption: %v", err)
	}
	pos, loss, err := checkpoint.ReadPosition(filepath.Join(dir, "checkpoints", runner.LatestCheckpoint))
	if err != nil {
		t.Fatal(err)
	}
	var got runner.Summary
	if err := json.Unmarshal(read(t, filepath.Join(dir, runner.SummaryFile)), &got); err != nil {
		t.Fatal(err)
	}
	if got.Steps != 1 || pos.Step != 1 || got.FinalLoss != loss || loss == 0 || got.WallSeconds <= 0 || got.Experiment != exp.Name {
		t.Errorf("summary after eval of an interrupted evaluation: %+v; the checkpoint says step %d, loss %v", got, pos.Step, loss)
	}
}

// TestSplitsShareClasses: an evaluation whose test split has other classes
// than its train split (a class folder missing or renamed, another count)
// is refused before pretraining, with no run folder left.
func TestSplitsShareClasses(t *testing.T) {
	root := t.TempDir()
	writeFolder(t, filepath.Join(root, "images"), 16)
	writeFolder(t, filepath.Join(root, "other"), 2)
	if err := os.Rename(filepath.Join(root, "other", "b"), filepath.Join(root, "other", "c")); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(root, "missing")
	writeFolder(t, missing, 2)
	os.RemoveAll(filepath.Join(missing, "a"))
	tests := []struct{ name, src string }{
		{"renamed class", strings.Replace(folderSpec, `dataset "image_folder" "test" { path = "images" }`, `dataset "image_folder" "test" { path = "other" }`, 1)},
		{"missing class", strings.Replace(folderSpec, `dataset "image_folder" "test" { path = "images" }`, `dataset "image_folder" "test" { path = "missing" }`, 1)},
		{"more classes", strings.Replace(tinySpec, "classes    = 4\n  image_size = 16\n  split", "classes    = 6\n  image_size = 16\n  split", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp, err := spec.Load(filepath.Join(root, "x.hcl"), []byte(tt.src), spec.Options{})
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), "run")
			_, err = runner.Run(context.Background(), exp, []byte(tt.src), runner.Options{Out: dir})
			if err == nil || !strings.Contains(err.Error(), "share their classes") {
				t.Fatalf("got %v, want the splits' classes refused", err)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the refused run left its folder")
			}
		})
	}
}
