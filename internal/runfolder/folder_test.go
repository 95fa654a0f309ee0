package runfolder

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTrimTornLine(t *testing.T) {
	long := strings.Repeat("x", 5000)
	tests := []struct{ in, want string }{
		{"", ""},
		{"a\n", "a\n"},
		{"a\nb", "a\n"},
		{"torn", ""},
		{"a\n" + long, "a\n"},
		{long + "\n" + long, long + "\n"},
		{"a\nb\n", "a\nb\n"},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "log.jsonl")
		if err := os.WriteFile(path, []byte(tt.in), 0o644); err != nil {
			t.Fatal(err)
		}
		w, err := OpenLog(path)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("next\n"))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if string(got) != tt.want+"next\n" {
			t.Errorf("%.20q then a line: %.40q, want %.40q", tt.in, got, tt.want+"next\n")
		}
	}
}
