package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteFile writes body to dir/name and returns the path; a failure ends
// the test.
func WriteFile(t testing.TB, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
