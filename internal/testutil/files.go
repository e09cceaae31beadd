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

// Symlink makes link a symbolic link to target, and skips the test where
// that cannot be done (Windows without the privilege) or the link cannot
// be read back (wine makes links it cannot stat).
func Symlink(t testing.TB, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if _, err := os.Lstat(link); err != nil {
		t.Skipf("a symbolic link made here cannot be read back: %v", err)
	}
}
