package runfolder

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sslrun/sslrun/internal/atomicfile"
)

// Files of a run folder.
const (
	SpecFile     = "spec.hcl"
	ConfigFile   = "config.json"
	LogFile      = "log.jsonl"
	SummaryFile  = "summary.json"
	BackboneFile = "backbone.safetensors"
	// Checkpoints is the folder of the checkpoints.
	Checkpoints = "checkpoints"
	// LatestCheckpoint is under Checkpoints.
	LatestCheckpoint = "latest.safetensors"
)

// WriteJSON writes v, indented, to path atomically.
func WriteJSON(path string, v any) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

// LockFile is the file in a run folder that the process working on it holds
// an exclusive flock on; it names that process.
const LockFile = ".lock"

// Lock is a held lock on a run folder.
type Lock struct{ f *os.File }

// LockDir takes the run folder's lock without waiting, so that two
// processes never write one folder; what says who holds it when it is
// taken. The lock goes with the process, however it ends.
func LockDir(dir, what string) (*Lock, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot lock the run folder: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := io.ReadAll(io.LimitReader(f, 1024))
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := strings.TrimSpace(string(holder))
			if who == "" {
				who = "another process"
			}
			return nil, fmt.Errorf("%s is in use by %s; wait for it to end or stop it first", dir, who)
		}
		return nil, fmt.Errorf("cannot lock %s: %w", path, err)
	}
	note := fmt.Sprintf("pid %d (sslrun %s, since %s)\n", os.Getpid(), what, time.Now().Format(time.RFC3339))
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(note), 0) // best effort: the flock, not the note, is the lock
	}
	return &Lock{f}, nil
}

// Release lets another process take the folder.
func (l *Lock) Release() {
	if l != nil {
		l.f.Close()
	}
}

// Create makes the folder of a new run and locks it. A given folder may
// exist if it is empty (apart from a lock left by another start); without
// one, the folder is runs/<experiment>-<time>, with -2, -3, ... added when
// runs start within the same second. created says whether the folder is new.
func Create(out, experiment string) (dir string, lock *Lock, created bool, err error) {
	if out == "" {
		base := filepath.Join("runs", experiment+"-"+time.Now().Format("20060102-150405"))
		if err := os.MkdirAll("runs", 0o755); err != nil {
			return "", nil, false, fmt.Errorf("cannot create the run folder: %w", err)
		}
		for i := 1; ; i++ {
			dir = base
			if i > 1 {
				dir = fmt.Sprintf("%s-%d", base, i)
			}
			err := os.Mkdir(dir, 0o755)
			if err == nil {
				break
			}
			if !errors.Is(err, os.ErrExist) || i == 1000 {
				return "", nil, false, fmt.Errorf("cannot create the run folder: %w", err)
			}
		}
		created = true
	} else {
		dir = out
		_, statErr := os.Stat(dir)
		created = errors.Is(statErr, os.ErrNotExist)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", nil, false, fmt.Errorf("cannot create the run folder: %w", err)
		}
	}
	if lock, err = LockDir(dir, "run"); err != nil {
		return "", nil, false, err
	}
	if !created {
		if err := CheckEmpty(dir); err != nil {
			lock.Release()
			return "", nil, false, err
		}
	}
	if err := os.Mkdir(filepath.Join(dir, Checkpoints), 0o755); err != nil {
		lock.Release()
		return "", nil, false, fmt.Errorf("cannot create the run folder: %w", err)
	}
	return dir, lock, created, nil
}

// CheckEmpty refuses a folder that holds anything but a lock file: files a
// new run would overwrite.
func CheckEmpty(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err == nil {
		return fmt.Errorf("%s already holds a run; continue it with `sslrun resume %s` or choose another --out", dir, dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("cannot read the run folder: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != LockFile {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil
	}
	shown := names[:min(len(names), 3)]
	more := ""
	if len(names) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(names)-len(shown))
	}
	return fmt.Errorf("%s is not empty (it holds %s%s) and is not a run folder; choose another --out", dir, strings.Join(shown, ", "), more)
}

// Clear removes what a failed start wrote: the whole folder when
// this process created it, else everything in it (it was empty).
func Clear(dir string, created bool) {
	if created {
		os.RemoveAll(dir)
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// RemoveStale deletes the temporary files of writes that a killed process
// left in the run folder and its checkpoints; the caller holds the lock, so
// no live write owns them.
func RemoveStale(dir string) error {
	for _, d := range []string{dir, filepath.Join(dir, Checkpoints)} {
		if err := atomicfile.RemoveStale(d); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Log is the run's log file. zerolog reports a failed write only on
// stderr, so the writer keeps the first error for the run to stop on, and
// writes nothing after it: a torn line stays the last one.
type Log struct {
	f   *os.File
	err error
}

// OpenLog opens the log for appending, first cutting off a torn last line
// (a write that a full disk or a kill ended part way).
func OpenLog(path string) (*Log, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot write the run's log: %w", err)
	}
	if err := trimTornLine(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("repairing %s: %w", path, err)
	}
	return &Log{f: f}, nil
}

func (w *Log) Write(p []byte) (int, error) {
	if w.err != nil || w.f == nil {
		return len(p), nil
	}
	if _, err := w.f.Write(p); err != nil {
		w.err = fmt.Errorf("writing %s: %w", w.f.Name(), err)
	}
	return len(p), nil
}

// Err is the first failed write, nil when every write succeeded.
func (w *Log) Err() error { return w.err }

// Close closes the file once and returns the first failed write.
func (w *Log) Close() error {
	if w.f == nil {
		return w.err
	}
	if err := w.f.Close(); err != nil && w.err == nil {
		w.err = fmt.Errorf("writing %s: %w", w.f.Name(), err)
	}
	w.f = nil
	return w.err
}

// trimTornLine truncates f after its last newline.
func trimTornLine(f *os.File) error {
	info, err := f.Stat()
	if err != nil {
		return err
	}
	end := info.Size()
	buf := make([]byte, 4096)
	for pos := end; pos > 0; {
		n := min(pos, int64(len(buf)))
		pos -= n
		if _, err := f.ReadAt(buf[:n], pos); err != nil {
			return err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			if cut := pos + int64(i) + 1; cut != end {
				return f.Truncate(cut)
			}
			return nil
		}
	}
	if end == 0 {
		return nil
	}
	return f.Truncate(0)
}
