package testutil

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ with what the tests produce")

// Golden returns the golden file testdata/name of the package under test,
// first rewriting it with got when go test runs with -update.
func Golden(t testing.TB, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	return want
}

// CheckGolden fails t when got differs from testdata/name (Golden),
// showing both (quoted when either is not UTF-8 text).
func CheckGolden(t testing.TB, name string, got []byte) {
	t.Helper()
	want := Golden(t, name, got)
	if bytes.Equal(got, want) {
		return
	}
	if utf8.Valid(got) && utf8.Valid(want) {
		t.Errorf("output differs from testdata/%s:\n--- got\n%s\n--- want\n%s", name, got, want)
	} else { // binary: quoted
		t.Errorf("output differs from testdata/%s:\n got %q\nwant %q", name, got, want)
	}
}
