package modelio

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkWriteTensors writes 256 MiB of weights as a model's file (sha256
// and CRC-32C) and as a checkpoint's (CRC-32C only). The directory is
// MHE_BENCH_DIR when set (/dev/shm, say, to leave the disk out), else a
// temporary one; the write is synced either way.
func BenchmarkWriteTensors(b *testing.B) {
	dir := os.Getenv("MHE_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	w := make([]float32, 64<<20)
	for i := range w {
		w[i] = float32(i)
	}
	tensors := []Tensor{{Name: "w", Dims: []int{len(w)}, F32: w}}
	path := filepath.Join(dir, "bench-weights.bin")
	defer os.Remove(path)
	for _, c := range []struct {
		name  string
		write func(string, []Tensor) (FileInfo, error)
	}{{"model", WriteTensors}, {"checkpoint", WriteTensorsCRC}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(w) * 4))
			for b.Loop() {
				if _, err := c.write(path, tensors); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
