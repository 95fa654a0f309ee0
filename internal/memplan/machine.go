package memplan

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Machine is the memory this process may use, in bytes.
type Machine struct {
	// Total and Available are /proc/meminfo's MemTotal and MemAvailable.
	Total, Available int64
	// Limit is the cgroup's memory.max, 0 when there is none; Used is its
	// memory.current.
	Limit, Used int64
}

// Usable is what a run may still take: MemAvailable, or less under a
// cgroup limit (the limit minus what the group already uses).
func (m Machine) Usable() int64 {
	u := m.Available
	if m.Limit > 0 {
		u = min(u, max(m.Limit-m.Used, 0))
	}
	return u
}

// String describes the memory, e.g. "21.3 GiB available of 23.5 GiB (cgroup
// limit 8.0 GiB, 1.2 GiB used)".
func (m Machine) String() string {
	s := fmt.Sprintf("%s available of %s", Size(m.Available), Size(m.Total))
	if m.Limit > 0 {
		s += fmt.Sprintf(" (cgroup limit %s, %s used)", Size(m.Limit), Size(m.Used))
	}
	return s
}

// ReadMachine reads the machine's memory from /proc/meminfo and, when the
// process runs under a cgroup v2 memory limit, /sys/fs/cgroup/memory.max
// and memory.current.
func ReadMachine() (Machine, error) { return readMachine("/") }

// readMachine reads the files under root, for tests.
func readMachine(root string) (Machine, error) {
	var m Machine
	info := filepath.Join(root, "proc", "meminfo")
	f, err := os.Open(info)
	if err != nil {
		return m, fmt.Errorf("reading the machine's memory: %w", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		name, rest, ok := strings.Cut(s.Text(), ":")
		if !ok || (name != "MemTotal" && name != "MemAvailable") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return m, fmt.Errorf("%s: %s: %w", info, name, err)
		}
		if name == "MemTotal" {
			m.Total = kb << 10
		} else {
			m.Available = kb << 10
		}
	}
	if err := s.Err(); err != nil {
		return m, fmt.Errorf("%s: %w", info, err)
	}
	if m.Total == 0 || m.Available == 0 {
		return m, fmt.Errorf("%s has no MemTotal or MemAvailable line", info)
	}
	cgroup := filepath.Join(root, "sys", "fs", "cgroup")
	if m.Limit, err = readCgroup(filepath.Join(cgroup, "memory.max")); err != nil || m.Limit == 0 {
		return m, err
	}
	m.Used, err = readCgroup(filepath.Join(cgroup, "memory.current"))
	return m, err
}

// readCgroup reads a cgroup memory file: bytes, or 0 for "max" or a
// missing file.
func readCgroup(file string) (int64, error) {
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading the cgroup memory limit: %w", err)
	}
	v := strings.TrimSpace(string(b))
	if v == "max" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	return n, nil
}
