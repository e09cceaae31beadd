// Package buildinfo reports the version and commit of the running binary.
// Version and Commit are set at build time with
// -ldflags "-X github.com/mhe-xlc/mhe/internal/buildinfo.Commit=…"
// (scripts/build.sh does it); a plain go build falls back to the VCS stamp
// when Go recorded one.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

var (
	// Version is the release version.
	Version = "0.1.0-dev"
	// Commit is the git commit the binary was built from.
	Commit = ""
)

// Info is what `mhe version` prints and what records carry.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
}

// Get returns the build information.
func Get() Info {
	commit := Commit
	if commit == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" {
					commit = s.Value
				}
			}
		}
	}
	if commit == "" {
		commit = "unknown"
	}
	return Info{Version: Version, Commit: commit, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
}

// String is the one-line form printed by --version.
func (i Info) String() string {
	return fmt.Sprintf("mhe %s (commit %s, %s, %s)", i.Version, i.Commit, i.GoVersion, i.Platform)
}
