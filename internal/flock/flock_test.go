package flock

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// A second process cannot take a lock this process holds, and can once it
// is released. (Locks are per process on Windows and per open file on
// Unix; a child process is the one test valid on both.)
func TestTryLockAcrossProcesses(t *testing.T) {
	if os.Getenv("FLOCK_CHILD") != "" {
		f, err := os.OpenFile(os.Getenv("FLOCK_CHILD"), os.O_RDWR, 0)
		if err != nil {
			os.Exit(3)
		}
		if err := TryLock(f); errors.Is(err, ErrLocked) {
			os.Exit(2)
		} else if err != nil {
			os.Exit(3)
		}
		os.Exit(0)
	}
	path := filepath.Join(t.TempDir(), "lock")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	child := func() int {
		cmd := exec.Command(os.Args[0], "-test.run=^TestTryLockAcrossProcesses$")
		cmd.Env = append(os.Environ(), "FLOCK_CHILD="+path)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatalf("child: %v %s", err, out)
		}
		return 0
	}
	if err := TryLock(f); err != nil {
		t.Fatal(err)
	}
	if code := child(); code != 2 {
		t.Errorf("while locked, the child's TryLock exited %d, want 2 (ErrLocked)", code)
	}
	if err := Unlock(f); err != nil {
		t.Fatal(err)
	}
	if code := child(); code != 0 {
		t.Errorf("after Unlock, the child's TryLock exited %d, want 0", code)
	}
	if err := Lock(f); err != nil {
		t.Fatal(err)
	}
	f.Close() // closing releases it too
	if code := child(); code != 0 {
		t.Errorf("after Close, the child's TryLock exited %d, want 0", code)
	}
}
