// Package build tests scripts/build.sh, which the README, the quickstart and
// every script use to build mhe: its binary must be statically linked, so
// that one built on a new distribution runs on a cluster node with an older
// C library, and must carry the commit it was built from.
package build

import (
	"debug/elf"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/testutil"
)

func TestBuildScriptMakesStaticBinary(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("checks an ELF binary; the build script is for Linux clusters")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	out := filepath.Join(t.TempDir(), "mhe")
	cmd := exec.Command("bash", "scripts/build.sh")
	cmd.Dir = testutil.RepoRoot(t)
	// Without CGO_ENABLED in the environment (as on a user's machine with
	// a C compiler, where go build would use cgo) the script must choose a
	// static build itself.
	cmd.Env = append(testutil.EnvWithout("CGO_ENABLED"), "MHE_BUILD_OUT="+out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/build.sh: %v\n%s", err, msg)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s has a program interpreter (PT_INTERP): it is dynamically linked; build with CGO_ENABLED=0", out)
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	if len(libs) > 0 {
		t.Errorf("%s needs shared libraries %v; build with CGO_ENABLED=0", out, libs)
	}
	ver, err := exec.Command(out, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s version: %v\n%s", out, err, ver)
	}
	git := exec.Command("git", "rev-parse", "--short=12", "HEAD")
	git.Dir = cmd.Dir
	if head, err := git.Output(); err == nil && !strings.Contains(string(ver), strings.TrimSpace(string(head))) {
		t.Errorf("mhe version does not name the commit %s:\n%s", strings.TrimSpace(string(head)), ver)
	}
}
