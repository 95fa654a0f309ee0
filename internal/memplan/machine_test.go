package memplan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadMachine(t *testing.T) {
	const meminfo = "MemTotal:       24683756 kB\nMemFree:        1000 kB\nMemAvailable:   24160984 kB\n"
	tests := []struct {
		name                  string
		meminfo, max, current string // "" leaves the file out
		want                  Machine
		usable                int64
		err                   string
	}{
		{name: "no cgroup", meminfo: meminfo,
			want: Machine{Total: 24683756 << 10, Available: 24160984 << 10}, usable: 24160984 << 10},
		{name: "unlimited cgroup", meminfo: meminfo, max: "max\n", current: "5000\n",
			want: Machine{Total: 24683756 << 10, Available: 24160984 << 10}, usable: 24160984 << 10},
		{name: "cgroup limit", meminfo: meminfo, max: "4294967296\n", current: "1073741824\n",
			want: Machine{Total: 24683756 << 10, Available: 24160984 << 10, Limit: 4 << 30, Used: 1 << 30}, usable: 3 << 30},
		{name: "cgroup over its limit", meminfo: meminfo, max: "1000\n", current: "2000\n",
			want: Machine{Total: 24683756 << 10, Available: 24160984 << 10, Limit: 1000, Used: 2000}, usable: 0},
		{name: "no meminfo", err: "reading the machine's memory"},
		{name: "no MemAvailable", meminfo: "MemTotal: 100 kB\n", err: "no MemTotal or MemAvailable"},
		{name: "bad number", meminfo: "MemTotal: lots kB\n", err: "MemTotal"},
		{name: "bad limit", meminfo: meminfo, max: "a lot\n", err: "memory.max"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for file, text := range map[string]string{
				"proc/meminfo": tt.meminfo, "sys/fs/cgroup/memory.max": tt.max, "sys/fs/cgroup/memory.current": tt.current,
			} {
				if text == "" {
					continue
				}
				path := filepath.Join(root, file)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			m, err := readMachine(root)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one mentioning %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m != tt.want || m.Usable() != tt.usable {
				t.Errorf("got %+v (usable %d), want %+v (usable %d)", m, m.Usable(), tt.want, tt.usable)
			}
		})
	}
}

// TestReadThisMachine reads the real files, where there are some.
func TestReadThisMachine(t *testing.T) {
	if _, err := os.Stat("/proc/meminfo"); err != nil {
		t.Skip("no /proc/meminfo here")
	}
	m, err := ReadMachine()
	if err != nil {
		t.Fatal(err)
	}
	if m.Total <= 0 || m.Usable() <= 0 || m.Usable() > m.Total {
		t.Errorf("machine %+v, usable %d", m, m.Usable())
	}
}
