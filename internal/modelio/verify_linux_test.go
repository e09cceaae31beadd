package modelio

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// residentBytes is this process's resident memory (/proc/self/statm),
// mapped file pages included.
func residentBytes(t *testing.T) int64 {
	t.Helper()
	raw, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skip(err)
	}
	f := strings.Fields(string(raw))
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// TestVerifyReadsTheFileNotTheMapping: checking a model file's checksum
// does not fault in its mapping, so a prediction that touches a few rows of
// a large model keeps only those resident (a 1.4 GB model: 1.36 GB → 58 MB
// peak RSS for three rows). Reading the mapping makes all 64 MiB here
// resident.
func TestVerifyReadsTheFileNotTheMapping(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.bin")
	big := make([]float32, 16<<20) // 64 MiB
	for i := range big {
		big[i] = float32(i)
	}
	info, err := WriteTensors(path, []Tensor{{Name: "w", Dims: []int{len(big)}, F32: big}})
	if err != nil {
		t.Fatal(err)
	}
	big = nil
	for _, want := range []FileInfo{info, {SHA256: info.SHA256}} {
		debug.FreeOSMemory()
		before := residentBytes(t)
		f, err := OpenTensors(path, want)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Verify(); err != nil {
			t.Fatal(err)
		}
		grown := residentBytes(t) - before
		f.Close()
		if grown > 24<<20 {
			t.Errorf("checksum %+v: resident memory grew by %d MiB while a 64 MiB file was checked; the check should read the file, not its mapping", want, grown>>20)
		}
	}
}
