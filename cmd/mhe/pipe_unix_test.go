//go:build unix

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Output flags may name a named pipe (or a device such as /dev/null): it
// is written in place and stays a pipe. Renaming a finished temporary
// file over it used to replace it (as root, /dev/null became a regular
// file), and --result's early check would have blocked opening it.
func TestOutputToPipe(t *testing.T) {
	dir, _ := trainTiny(t)
	tmp := t.TempDir()
	mkfifo := func(name string) string {
		p := filepath.Join(tmp, name)
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skipf("no named pipes here: %v", err)
		}
		return p
	}
	read := func(p string) <-chan []byte {
		c := make(chan []byte, 1)
		go func() {
			b, _ := os.ReadFile(p)
			c <- b
		}()
		return c
	}
	wait := func(c <-chan []byte) []byte {
		select {
		case b := <-c:
			return b
		case <-time.After(20 * time.Second):
			t.Fatal("the pipe's reader got nothing")
			return nil
		}
	}
	file := filepath.Join(tmp, "pred.txt")
	if code, _, errOut := runMain(t, "", "predict", "--model", dir, "--out", file, "--quiet"); code != 0 {
		t.Fatalf("predict to a file: %s", errOut)
	}
	want, _ := os.ReadFile(file)

	pred := mkfifo("pred.pipe")
	got := read(pred)
	if code, _, errOut := runMain(t, "", "predict", "--model", dir, "--out", pred, "--quiet"); code != 0 {
		t.Fatalf("predict to a pipe: exit %d: %s", code, errOut)
	}
	if b := wait(got); string(b) != string(want) || len(b) == 0 {
		t.Errorf("through the pipe: %d bytes, want the %d of --out FILE", len(b), len(want))
	}

	res := mkfifo("result.pipe")
	got = read(res)
	if code, _, errOut := runMain(t, "", "eval", "--model", dir, "--result", res); code != 0 {
		t.Fatalf("eval --result to a pipe: exit %d: %s", code, errOut)
	}
	var rec map[string]any
	if err := json.Unmarshal(wait(got), &rec); err != nil || rec["metrics"] == nil {
		t.Errorf("the run record through the pipe: %v, %v", rec, err)
	}
	// embed's .npy header holds the row count: known for the test split,
	// so the pipe gets the bytes a file gets; unknown for a streamed LIBSVM
	// input, which is a usage error before the pipe is opened.
	npyFile := filepath.Join(tmp, "f.npy")
	if code, _, errOut := runMain(t, "", "embed", "--model", dir, "--out", npyFile, "--quiet"); code != 0 {
		t.Fatalf("embed to a file: %s", errOut)
	}
	wantNpy, _ := os.ReadFile(npyFile)
	os.Remove(npyFile)
	npyPipe := mkfifo("f-pipe.npy")
	got = read(npyPipe)
	if code, _, errOut := runMain(t, "", "embed", "--model", dir, "--out", npyPipe, "--quiet"); code != 0 {
		t.Fatalf("embed to a pipe: exit %d: %s", code, errOut)
	}
	if b := wait(got); string(b) != string(wantNpy) || len(b) == 0 {
		t.Errorf("embed through the pipe: %d bytes, want the %d of a file", len(b), len(wantNpy))
	}
	svm := filepath.Join(tmp, "in.svm")
	os.WriteFile(svm, []byte("1 1:0.5 7:1\n0 3:1\n"), 0o644)
	code, _, errOut := runMain(t, "", "embed", "--model", dir, "--input", svm, "--input-format", "libsvm", "--out", npyPipe, "--quiet")
	if code != ExitUsage || !strings.Contains(errOut, "does not declare") {
		t.Errorf("embed of a streamed LIBSVM input to a pipe: exit %d %q, want %d", code, errOut, ExitUsage)
	}
	os.Remove(svm)
	for _, p := range []string{pred, res, npyPipe} {
		if st, err := os.Lstat(p); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
			t.Errorf("%s after the write: %v, %v; want a named pipe", p, st.Mode(), err)
		}
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 4 {
		t.Errorf("files beside the pipes: %v", entries)
	}
}

// embed to a device needs the row count up front for the .npy header: an
// input that declares it, even as 0 rows, is written; one that does not is
// refused before anything is read.
func TestEmbedToDevice(t *testing.T) {
	dir, _ := trainTiny(t)
	if code, _, errOut := runMain(t, "0 300 40\n", "embed", "--model", dir, "--input", "-", "--out", os.DevNull, "--format", "npy", "--quiet"); code != 0 {
		t.Errorf("0 declared rows to %s: exit %d: %s", os.DevNull, code, errOut)
	}
	code, _, errOut := runMain(t, "1 2:1\n", "embed", "--model", dir, "--input", "-", "--input-format", "libsvm", "--out", os.DevNull, "--format", "npy")
	if code != ExitUsage || !strings.Contains(errOut, "an .npy header holds the row count") {
		t.Errorf("rows not declared, to %s: exit %d: %s", os.DevNull, code, errOut)
	}
}
