package atomicfile

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// deadPid is the pid of a process that has exited.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if !processGone(cmd.Process.Pid) {
		t.Skip("the pid of an exited process is in use again")
	}
	return cmd.Process.Pid
}

// A write removes the temporary files that earlier writes of the same file
// left when their process was killed on this host, and nothing else: not a
// live process's, not another host's, not an untagged one, not another
// file's.
func TestCreateRemovesOrphans(t *testing.T) {
	dead := strconv.Itoa(deadPid(t))
	host := hostTag()
	other := "00000000"
	if other == host {
		other = "00000001"
	}
	live := strconv.Itoa(os.Getppid())
	self := strconv.Itoa(os.Getpid())
	targets := []string{"pred.txt", "a[1]*?.txt", `b\c.txt`}
	if runtime.GOOS == "windows" { // no "*", "?" or "\\" in a name
		targets = []string{"pred.txt", "a[1].txt", "a[[]].txt"}
	}
	for _, target := range targets {
		dir := t.TempDir()
		orphan := "." + target + ".tmp-P" + dead + "H" + host + "-42"
		kept := []string{
			"." + target + ".tmp-P" + live + "H" + host + "-1",  // a live writer
			"." + target + ".tmp-P" + self + "H" + host + "-2",  // this process
			"." + target + ".tmp-P" + dead + "H" + other + "-3", // another host
			"." + target + ".tmp-17",                            // untagged
			".other.txt.tmp-P" + dead + "H" + host + "-4",       // another file
			"." + target + "x.tmp-P" + dead + "H" + host + "-5", // another file
		}
		for _, n := range append([]string{orphan}, kept...) {
			if err := os.WriteFile(filepath.Join(dir, n), []byte("half"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := WriteFile(filepath.Join(dir, target), 0o644, func(w io.Writer) error { _, err := w.Write([]byte("whole")); return err }); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, orphan)); !os.IsNotExist(err) {
			t.Errorf("%s: the dead writer's temporary file is still there (%v)", target, err)
		}
		for _, n := range kept {
			if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
				t.Errorf("%s: %s was removed: %v", target, n, err)
			}
		}
		if b, err := os.ReadFile(filepath.Join(dir, target)); err != nil || string(b) != "whole" {
			t.Errorf("%s: %q, %v", target, b, err)
		}
	}
}
