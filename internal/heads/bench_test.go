package heads

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkMHPTopK decodes the exact top-5 of a product of head
// distributions over 10^6 labels, never scanning the labels.
func BenchmarkMHPTopK(b *testing.B) {
	for _, lengths := range [][]int{{1000, 1000}, {100, 100, 100}} {
		name := "H2"
		if len(lengths) == 3 {
			name = "H3"
		}
		b.Run(name, func(b *testing.B) {
			codec, _ := NewCodec(1_000_000, lengths)
			rng := rand.New(rand.NewPCG(3, 3))
			scores := make([][]float32, len(lengths))
			for h, l := range lengths {
				scores[h] = make([]float32, l)
				for i := range scores[h] {
					scores[h][i] = -10 * rng.Float32()
				}
			}
			dec := NewProductDecoder(codec)
			ys, ss := make([]int32, 5), make([]float32, 5)
			b.ReportAllocs()
			for b.Loop() {
				dec.TopK(scores, 5, ys, ss)
			}
		})
	}
}

// BenchmarkVanillaTopK is the C-way selection the vanilla head needs for
// the same 10^6 labels, for comparison.
func BenchmarkVanillaTopK(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 3))
	z := make([]float32, 1_000_000)
	for i := range z {
		z[i] = rng.Float32()
	}
	var h topHeap
	ys, ss := make([]int32, 5), make([]float32, 5)
	b.ReportAllocs()
	for b.Loop() {
		h.topK(z, 5, ys, ss)
	}
}
