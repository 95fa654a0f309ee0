package procstat

import (
	"runtime"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, status string
		want         float64
		err          string
	}{
		{"linux", "Name:\tx\nVmPeak:\t  20000 kB\nVmHWM:\t    3072 kB\nVmRSS:\t 1024 kB\n", 3, ""},
		{"missing", "Name:\tx\nVmRSS:\t 1024 kB\n", 0, "no VmHWM line"},
		{"unit", "VmHWM:\t 3 MB\n", 0, "not in kB"},
		{"number", "VmHWM:\t x kB\n", 0, "VmHWM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := peakRSSMiB(strings.NewReader(tt.status))
			switch {
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one saying %q", err, tt.err)
				}
			case err != nil:
				t.Fatal(err)
			case got != tt.want:
				t.Errorf("%v MiB, want %v", got, tt.want)
			}
		})
	}
}

func TestPeakRSSMiB(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/self/status is Linux's")
	}
	mib, err := PeakRSSMiB()
	if err != nil {
		t.Fatal(err)
	}
	if mib < 1 || mib > 1<<20 {
		t.Errorf("peak resident memory %v MiB", mib)
	}
}
