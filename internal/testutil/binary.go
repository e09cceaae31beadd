package testutil

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mhe-xlc/mhe/internal/flock"
)

var build struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// Binary builds the mhe command once per test process (go build of
// ./cmd/mhe into a temporary directory) and returns its path. Call
// RemoveBinary from TestMain to delete it.
func Binary(t testing.TB) string {
	t.Helper()
	build.once.Do(func() {
		root := RepoRoot(t)
		openSources(root)
		build.dir, build.err = os.MkdirTemp("", "mhe-test-bin-")
		if build.err != nil {
			return
		}
		build.path = filepath.Join(build.dir, "mhe")
		cmd := exec.Command("go", "build", "-o", build.path, "./cmd/mhe")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			build.err = errors.New("go build ./cmd/mhe: " + err.Error() + "\n" + string(out))
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

// openSources opens every file the build reads (Go and assembly sources,
// go.mod, go.sum). go
// test caches a package's result keyed on the files the test opened; the
// binary is built by a subprocess, so without this a change to cmd/mhe or
// internal/ would leave the results of packages that only run the binary
// cached and stale.
func openSources(root string) {
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if n := d.Name(); p != root && (n[0] == '.' || n == "testdata" || n == "results" || n == "runs") {
				return filepath.SkipDir
			}
			return nil
		}
		if n := d.Name(); strings.HasSuffix(n, ".go") || strings.HasSuffix(n, ".s") || n == "go.mod" || n == "go.sum" {
			if f, err := os.Open(p); err == nil {
				f.Close()
			}
		}
		return nil
	})
}

// RemoveBinary deletes the binary Binary built, if any.
func RemoveBinary() {
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
}

// Run runs the mhe binary with args in dir (the repository root when
// empty), extra environment variables env ("KEY=value"), and returns its
// exit code, stdout and stderr.
func Run(t testing.TB, dir string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	cmd.Dir = dir
	if dir == "" {
		cmd.Dir = RepoRoot(t)
	}
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String(), errOut.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String(), errOut.String()
	}
	t.Fatalf("run mhe %v: %v", args, err)
	return -1, "", ""
}

// EnvWithout is this process's environment less the named variables, for
// a child that must not inherit them (GOMEMLIMIT, CGO_ENABLED, …).
func EnvWithout(names ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !slices.Contains(names, name) {
			env = append(env, kv)
		}
	}
	return env
}

// Exclusive serialises heavy work (training on real data) across test
// processes: go test runs packages in parallel, and two trainings sharing
// two cores would distort the timings some targets compare. It returns
// the release function.
func Exclusive(t testing.TB) func() {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "mhe-test-exclusive.lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	if err := flock.Lock(f); err != nil {
		f.Close()
		t.Fatal(err)
	}
	return func() {
		flock.Unlock(f)
		f.Close()
	}
}

// Main runs a package's tests and removes the binary Binary built; use it
// as TestMain in packages that run mhe.
func Main(m *testing.M) {
	code := m.Run()
	RemoveBinary()
	os.Exit(code)
}
