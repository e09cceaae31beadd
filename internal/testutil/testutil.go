// Package testutil holds helpers shared by tests: locating the shared
// real-data directory and the repository root.
package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the directory holding go.mod, walking up from the
// working directory of the test.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// DataDir returns the real-data directory: $MHE_DATA_DIR, else
// ../shared/data beside the repository. When it is missing the test is
// skipped with a visible message, unless MHE_REQUIRE_DATA=1 (set by CI), in
// which case the test fails.
func DataDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("MHE_DATA_DIR")
	if dir == "" {
		dir = filepath.Join(RepoRoot(t), "..", "shared", "data")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		if os.Getenv("MHE_REQUIRE_DATA") == "1" {
			t.Fatalf("real data directory %s is missing and MHE_REQUIRE_DATA=1: CI needs ../shared/data beside the checkout (or MHE_DATA_DIR)", dir)
		}
		t.Skipf("SKIP real-data test: %s not found (set MHE_DATA_DIR to the shared datasets to run it)", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// DataFile returns a path inside DataDir.
func DataFile(t testing.TB, rel string) string {
	return filepath.Join(DataDir(t), rel)
}
