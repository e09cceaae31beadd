package faults

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/testutil"
)

// memoryCgroup makes a memory control group limited to limit bytes
// (cgroup v1's memory controller, or v2's) and returns its directory and
// limit file; it skips the test where none can be made (not root, no
// memory controller, a container that forbids it).
func memoryCgroup(t *testing.T, limit int64) (dir, limitFile string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("SKIP: making a memory cgroup needs root (CI runs these as root)")
	}
	name := fmt.Sprintf("mhe-test-%d", os.Getpid())
	for _, c := range []struct{ root, file string }{
		{"/sys/fs/cgroup/memory", "memory.limit_in_bytes"}, // v1
		{"/sys/fs/cgroup", "memory.max"},                   // v2
	} {
		dir := filepath.Join(c.root, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			continue
		}
		limitFile := filepath.Join(dir, c.file)
		if err := os.WriteFile(limitFile, []byte(fmt.Sprint(limit)), 0o644); err != nil {
			os.Remove(dir)
			continue
		}
		t.Cleanup(func() { os.Remove(dir) })
		return dir, limitFile
	}
	t.Skip("SKIP: cannot make a memory cgroup here (no writable memory controller under /sys/fs/cgroup)")
	return "", ""
}

// runInCgroup runs mhe with args inside the control group dir, with the
// environment less GOMEMLIMIT and MHE_MEMORY_LIMIT, plus env.
func runInCgroup(t *testing.T, dir string, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command("sh", append([]string{"-c", `echo $$ > "$0/cgroup.procs" && exec "$@"`, dir, testutil.Binary(t)}, args...)...)
	cmd.Env = append(testutil.EnvWithout("GOMEMLIMIT", "MHE_MEMORY_LIMIT"), env...)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), errOut.String()
	} else if err != nil {
		t.Fatalf("run mhe %v in %s: %v", args, dir, err)
	}
	return 0, errOut.String()
}

// TestCgroupLimitReachesCollector: in a job's memory cgroup (SLURM's
// --mem), mhe finds the limit and holds Go's heap under a soft limit
// below it, so that the collector runs before the kernel's OOM killer
// does; MHE_MEMORY_LIMIT narrows the limit, and GOMEMLIMIT, set by the
// user, wins.
func TestCgroupLimitReachesCollector(t *testing.T) {
	dir, limitFile := memoryCgroup(t, 1<<30)
	cfg := testutil.WriteFile(t, t.TempDir(), "small.yaml", smallConfig)
	out := t.TempDir()
	code, errOut := runInCgroup(t, dir, nil, "train", "--config", cfg, "--out", filepath.Join(out, "a"))
	want := fmt.Sprintf("memory limit: 1.00 GiB (%s); the Go collector keeps the heap under 922 MiB (GOMEMLIMIT overrides)", limitFile)
	if code != 0 || !strings.Contains(errOut, want) {
		t.Errorf("train in a 1 GiB cgroup: exit %d, want 0 and the line %q:\n%s", code, want, errOut)
	}
	// Two trainings sharing the job's cgroup take half of it each.
	code, errOut = runInCgroup(t, dir, []string{"MHE_MEMORY_LIMIT=50%"}, "train", "--config", cfg, "--out", filepath.Join(out, "c"))
	want = fmt.Sprintf("memory limit: 512 MiB (MHE_MEMORY_LIMIT=50%% of %s); the Go collector keeps the heap under 448 MiB (GOMEMLIMIT overrides)", limitFile)
	if code != 0 || !strings.Contains(errOut, want) {
		t.Errorf("train with MHE_MEMORY_LIMIT=50%%: exit %d, want 0 and the line %q:\n%s", code, want, errOut)
	}
	code, errOut = runInCgroup(t, dir, []string{"MHE_MEMORY_LIMIT=2GiB"}, "train", "--config", cfg, "--out", filepath.Join(out, "d"))
	want = fmt.Sprintf("warning: MHE_MEMORY_LIMIT=2GiB is not below this process's memory limit, 1.00 GiB (%s), which applies", limitFile)
	if code != 0 || !strings.Contains(errOut, want) || !strings.Contains(errOut, "heap under 922 MiB") {
		t.Errorf("train with MHE_MEMORY_LIMIT=2GiB: exit %d, want 0, the cgroup's limit and the warning %q:\n%s", code, want, errOut)
	}
	code, errOut = runInCgroup(t, dir, []string{"GOMEMLIMIT=off"}, "train", "--config", cfg, "--out", filepath.Join(out, "b"))
	if code != 0 || strings.Contains(errOut, "memory limit:") {
		t.Errorf("train with GOMEMLIMIT=off: exit %d, want 0 and no soft limit:\n%s", code, errOut)
	}
}
