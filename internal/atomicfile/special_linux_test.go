package atomicfile

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A device is written in place too: a null device made in a temporary
// directory (as /dev/null is one; mknod needs root, so the test is skipped
// otherwise), which must still be a device afterwards.
func TestWriteFileToDevice(t *testing.T) {
	null := filepath.Join(t.TempDir(), "null")
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skipf("cannot make a device node here (needs root): %v", err)
	}
	if !Special(null) {
		t.Fatal("Special(device) = false")
	}
	if err := WriteFile(null, 0o644, func(w io.Writer) error { _, err := io.WriteString(w, "gone"); return err }); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(null); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("the device was replaced: %v, %v", st.Mode(), err)
	}
	if b, err := os.ReadFile(null); err != nil || len(b) != 0 {
		t.Errorf("reading the null device: %q, %v", b, err)
	}
}
