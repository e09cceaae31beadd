package heads

import (
	"fmt"
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

// BenchmarkTopKSmall: the k = 16 best of n values (a beam's selection; a
// seventh of the values one higher, like teacher-forced true nodes), by
// insertion and by the heap.
func BenchmarkTopKSmall(b *testing.B) {
	for _, n := range []int{62, 256, 1000, 8000} {
		rng := rand.New(rand.NewPCG(1, 2))
		zs := make([][]float32, 64)
		for i := range zs {
			zs[i] = make([]float32, n)
			for j := range zs[i] {
				zs[i][j] = rng.Float32()
				if j%7 == 0 {
					zs[i][j]++
				}
			}
		}
		ids, vals := make([]int32, 16), make([]float32, 16)
		var h topHeap
		b.Run(fmt.Sprintf("insert-%d", n), func(b *testing.B) {
			for i := range b.N {
				insertTopK(zs[i%len(zs)], 16, ids, vals)
			}
		})
		b.Run(fmt.Sprintf("heap-%d", n), func(b *testing.B) {
			for i := range b.N {
				h.topK(zs[i%len(zs)], 16, ids, vals)
			}
		})
	}
}
