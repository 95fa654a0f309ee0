package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Version is the module version of sslrun, or "(devel)" plus the VCS
// revision for a build from a working tree.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " " + rev + dirty
	}
	return v
}

// GoVersion is the Go toolchain the binary was built with.
func GoVersion() string { return runtime.Version() }
