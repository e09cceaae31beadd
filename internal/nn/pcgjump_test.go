package nn

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"testing"
)

func TestPCGAdvance(t *testing.T) {
	if !pcgJumpWorks() {
		t.Fatal("pcgJumpWorks: jumping does not reproduce this Go's PCG (InitUniform falls back to one goroutine)")
	}
	s0 := u128{42, 0xfeedface}
	p := rand.NewPCG(s0.hi, s0.lo)
	var n uint64
	for _, at := range []uint64{0, 1, 2, 3, 63, 64, 65, 1000, initChunk, 3*initChunk + 7} {
		for ; n < at; n++ {
			p.Uint64()
		}
		got := pcgAdvance(s0, at)
		if want, _ := pcgState(p); got != want {
			t.Fatalf("pcgAdvance(s, %d) = %x, want %x", at, got, want)
		}
	}
}

// The parallel fill gives the values of the one sequential stream the
// weights have always been drawn from (rand.NewPCG(seed, fnv-64a of the
// name), one Float64 per value), whatever the pool and wherever the chunk
// boundaries fall.
func TestInitUniformParallel(t *testing.T) {
	for _, size := range []int{0, 1, initChunk - 1, initChunk, initChunk + 1, 3*initChunk + 5} {
		const seed, fanIn, fanOut = 7, 300, 200
		h := fnv.New64a()
		h.Write([]byte("enc.0.w"))
		rng := rand.New(rand.NewPCG(seed, h.Sum64()))
		a := math.Sqrt(6.0 / (fanIn + fanOut))
		want := make([]float32, size)
		for i := range want {
			want[i] = float32((2*rng.Float64() - 1) * a)
		}
		for _, pool := range []*Pool{nil, NewPool(1), NewPool(2), NewPool(3)} {
			p := NewParamShape("enc.0.w", 1, size, true, true)
			p.InitUniform(pool, seed, fanIn, fanOut, 1)
			for i := range want {
				if math.Float32bits(p.W[i]) != math.Float32bits(want[i]) {
					workers := 0
					if pool != nil {
						workers = pool.Workers()
					}
					t.Fatalf("size %d, %d workers: value %d = %v, want %v", size, workers, i, p.W[i], want[i])
				}
			}
		}
	}
}

func BenchmarkInitUniform(b *testing.B) {
	p := NewParamShape("enc.0.w", 47236, 512, true, true)
	for _, workers := range []int{1, 2} {
		pool := NewPool(workers)
		b.Run(map[int]string{1: "serial", 2: "two"}[workers], func(b *testing.B) {
			for range b.N {
				p.InitUniform(pool, 1, 47236, 512, 1)
			}
		})
	}
}
