package modelio

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// SHA256File and the background hash equal crypto/sha256 for files around
// their 1 MiB read size, a missing file is an error, and cancel stops a hash that has
// not finished without blocking.
func TestFileHash(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 1<<20 - 1, 1 << 20, 1<<20 + 1, 3<<20 + 7} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		path := filepath.Join(dir, "f")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		want := hex.EncodeToString(sum[:])
		if got, err := SHA256File(path); err != nil || got != want {
			t.Errorf("%d bytes: SHA256File %q, %v; want %q", n, got, err, want)
		}
		h := HashLater(path)
		got, err := h.Wait()
		h.Cancel() // after wait: harmless
		if err != nil || got != want {
			t.Errorf("%d bytes: %q, %v; want %q", n, got, err, want)
		}
	}
	if _, err := HashLater(filepath.Join(dir, "missing")).Wait(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 64<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	h := HashLater(big)
	h.Cancel()
	if sum, err := h.Wait(); err == nil && len(sum) != 64 {
		t.Errorf("after cancel: sum %q with no error", sum)
	} else if err != nil && !errors.Is(err, errHashCancelled) {
		t.Errorf("after cancel: %v", err)
	}
}
