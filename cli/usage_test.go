package cli

import (
	"regexp"
	"strings"
	"testing"
)

// TestUsageListsEveryFlag: the top-level usage names every flag that a
// command's -h documents (views once lacked --dataset, --epoch and --scale).
func TestUsageListsEveryFlag(t *testing.T) {
	flagLine := regexp.MustCompile(`(?m)^\s+-([a-z-]+)`)
	for _, c := range commands {
		code, _, stderr := sslrun(t, c.name, "-h")
		if code != 0 { // a command without flags takes -h for an argument
			continue
		}
		for _, m := range flagLine.FindAllStringSubmatch(stderr, -1) {
			if !strings.Contains(c.args, "--"+m[1]) {
				t.Errorf("usage of %s (%q) omits --%s", c.name, c.args, m[1])
			}
		}
	}
}
