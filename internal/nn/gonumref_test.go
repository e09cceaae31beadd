package nn

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"
	"runtime"
	"testing"
)

// gonumIsReference says whether gonum's blas32 here is its amd64 assembly,
// whose bits mhe's kernels give on every architecture. Elsewhere gonum
// runs its generic Go code, whose sums (and, on arm64, fused multiply-adds)
// round differently, so a kernel's results cannot be compared with it.
var gonumIsReference = runtime.GOARCH == "amd64"

// gonumRef checks a kernel's results against gonum's where gonum is the
// reference, and adds them to a digest that must be amd64's everywhere
// (pinned by the test; on amd64 each result is also checked against
// gonum). So the tests that compare with gonum on amd64 pin the same bits
// on arm64, 386 and the rest.
type gonumRef struct {
	t *testing.T
	h hash.Hash
}

func newGonumRef(t *testing.T) *gonumRef { return &gonumRef{t: t, h: sha256.New()} }

// check compares got with gonum's want (on amd64) and adds got to the
// digest, a NaN as the one canonical NaN (payloads differ by CPU).
func (r *gonumRef) check(what string, got, want []float32) {
	r.t.Helper()
	if gonumIsReference {
		sameBits(r.t, what, got, want)
	}
	var b [4]byte
	for _, v := range got {
		bits := math.Float32bits(v)
		if v != v {
			bits = 0x7fc00000
		}
		binary.LittleEndian.PutUint32(b[:], bits)
		r.h.Write(b[:])
	}
}

// done fails the test unless the digest of every result checked is pinned.
func (r *gonumRef) done(pinned string) {
	r.t.Helper()
	if got := hex.EncodeToString(r.h.Sum(nil)); got != pinned {
		r.t.Errorf("the results' digest is %s, want amd64's %s (the kernels' bits differ from gonum's amd64 assembly's)", got, pinned)
	}
}
