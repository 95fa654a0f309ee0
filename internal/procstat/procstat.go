package procstat

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// statusFile is where Linux reports the process's memory figures.
const statusFile = "/proc/self/status"

// PeakRSSMiB is the process's peak resident memory so far (VmHWM) in MiB,
// the figure PyTorch scripts read from ru_maxrss.
func PeakRSSMiB() (float64, error) {
	f, err := os.Open(statusFile)
	if err != nil {
		return 0, fmt.Errorf("peak memory: %w", err)
	}
	defer f.Close()
	mib, err := peakRSSMiB(f)
	if err != nil {
		return 0, fmt.Errorf("peak memory: %s: %w", statusFile, err)
	}
	return mib, nil
}

// peakRSSMiB reads the VmHWM line of a /proc/PID/status file.
func peakRSSMiB(r io.Reader) (float64, error) {
	s := bufio.NewScanner(r)
	for s.Scan() {
		rest, ok := strings.CutPrefix(s.Text(), "VmHWM:")
		if !ok {
			continue
		}
		field, ok := strings.CutSuffix(strings.TrimSpace(rest), " kB")
		if !ok {
			return 0, fmt.Errorf("VmHWM %q is not in kB", strings.TrimSpace(rest))
		}
		kb, err := strconv.ParseFloat(field, 64)
		if err != nil {
			return 0, fmt.Errorf("VmHWM: %w", err)
		}
		return kb / 1024, nil
	}
	if err := s.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no VmHWM line")
}
