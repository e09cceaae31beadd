package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// impl is gonum's BLAS, the reference the kernels are compared with.
var impl = blas32.Implementation()

// NewPool(0) and below take every CPU the process may use (--threads 0).
func TestNewPoolAllCPUs(t *testing.T) {
	for _, n := range []int{0, -1} {
		if got := NewPool(n).Workers(); got != runtime.GOMAXPROCS(0) {
			t.Errorf("NewPool(%d) has %d workers, want GOMAXPROCS %d", n, got, runtime.GOMAXPROCS(0))
		}
	}
	if got := NewPool(1).Workers(); got != 1 {
		t.Errorf("NewPool(1) has %d workers", got)
	}
}

// A worker id is never in use by two goroutines at once (callers index
// scratch buffers with it), loops of every size, back to back, run every
// chunk once, a For inside a loop runs (serially), and idle helpers exit.
func TestPoolWorkersAndNesting(t *testing.T) {
	var sink atomic.Uint32
	const workers = 2
	p := NewPool(workers)
	var inUse [workers]atomic.Bool
	var nested atomic.Int64
	for round := range 2000 {
		n := 1 + (round*37)%300
		var visits atomic.Int64
		p.For(n, 7, func(w, lo, hi int) {
			if w < 0 || w >= workers {
				t.Errorf("worker id %d", w)
				return
			}
			if !inUse[w].CompareAndSwap(false, true) {
				t.Errorf("worker id %d in use twice", w)
				return
			}
			visits.Add(int64(hi - lo))
			busy := float32(0)
			for i := range 3000 { // long enough for chunks to overlap
				busy += float32(i)
			}
			sink.Store(math.Float32bits(busy))
			if round%50 == 0 && lo == 0 {
				p.For(10, 3, func(_, lo, hi int) { nested.Add(int64(hi - lo)) })
			}
			inUse[w].Store(false)
		})
		if v := visits.Load(); v != int64(n) {
			t.Fatalf("For(%d): %d indices visited", n, v)
		}
		if round%100 == 99 {
			time.Sleep(time.Millisecond) // let helpers exit and come back
		}
	}
	if got := nested.Load(); got != 40*10 {
		t.Errorf("nested loops visited %d indices, want %d", got, 40*10)
	}
	for range 1000 {
		if p.helpers.Load() == 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Errorf("%d helpers still alive a second after the last loop", p.helpers.Load())
}

// A panic in fn on the calling goroutine leaves the pool usable: the next
// loop runs every chunk, on both workers.
func TestPoolAfterPanic(t *testing.T) {
	p := NewPool(2)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not propagate")
			}
		}()
		// The caller (worker 0) panics in the first chunk it runs; a
		// helper waits in its first chunk until then, so that it cannot
		// run every chunk before the caller takes one (it did under the
		// race detector, with lo == 0 as the trigger).
		var callerRan atomic.Bool
		p.For(100, 1, func(w, _, _ int) {
			if w == 0 {
				callerRan.Store(true)
				panic("boom")
			}
			for !callerRan.Load() {
				runtime.Gosched()
			}
		})
	}()
	if p.busy.Load() || p.job.Load() != nil {
		t.Fatal("the pool is still busy after the panic")
	}
	var visits atomic.Int64
	var helped atomic.Bool
	for range 200 {
		p.For(64, 1, func(w, lo, hi int) {
			visits.Add(int64(hi - lo))
			if w == 1 {
				helped.Store(true)
			}
			for i := 0; i < 2000; i++ {
				_ = math.Sqrt(float64(i))
			}
		})
	}
	if visits.Load() != 200*64 {
		t.Errorf("%d indices visited, want %d", visits.Load(), 200*64)
	}
	if !helped.Load() {
		t.Error("no chunk ran on the helper after the panic")
	}
}

// BenchmarkPoolFor is the overhead of a loop of a training step: two
// chunks of little work, back to back with a little serial work between.
func BenchmarkPoolFor(b *testing.B) {
	p := NewPool(2)
	x := make([]float32, 4096)
	for b.Loop() {
		p.For(2, 1, func(_, lo, _ int) {
			for i := range x[:1024] {
				x[i+lo*1024] += 1
			}
		})
		for i := range x[:2048] {
			x[i] *= 0.5
		}
	}
}

func TestPoolCoversEveryIndexOnce(t *testing.T) {
	for _, workers := range []int{1, 2, 7} {
		p := NewPool(workers)
		var mu sync.Mutex
		seen := make([]int, 1003)
		p.For(1003, 10, func(w, lo, hi int) {
			if w < 0 || w >= workers {
				t.Errorf("worker id %d", w)
			}
			mu.Lock()
			for i := lo; i < hi; i++ {
				seen[i]++
			}
			mu.Unlock()
		})
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("workers=%d: index %d visited %d times", workers, i, c)
			}
		}
	}
}

func TestAdamStep(t *testing.T) {
	opt, _ := NewOptimizer(Adam, 0, 0)
	p := NewParam("w", 1, 2, true, true)
	p.W[0], p.W[1] = 1, -1
	opt.Init(p)
	copy(p.G, []float32{0.5, -2})
	opt.Begin()
	opt.UpdateDense(NewPool(1), p, 0.1)
	// First Adam step: m̂ = g, v̂ = g², so w -= lr·g/(|g|+eps) = lr·sign(g).
	if !(math.Abs(float64(p.W[0])-0.9) <= 1e-6) || !(math.Abs(float64(p.W[1])+0.9) <= 1e-6) {
		t.Errorf("after one step w = %v, want [0.9 -0.9]", p.W)
	}
	if p.G[0] != 0 || p.G[1] != 0 {
		t.Error("UpdateDense must clear the gradient")
	}
}

func TestSGDMomentumAndDecay(t *testing.T) {
	opt, _ := NewOptimizer(SGD, 0.5, 0.1)
	p := NewParam("w", 1, 1, true, true)
	p.W[0] = 2
	opt.Init(p)
	for range 2 {
		p.G[0] = 1
		opt.Begin()
		opt.UpdateDense(NewPool(1), p, 0.1)
	}
	// step 1: m = 1 + 0.2 = 1.2, w = 2 - 0.12 = 1.88
	// step 2: m = 0.6 + 1 + 0.188 = 1.788, w = 1.88 - 0.1788 = 1.7012
	if !(math.Abs(float64(p.W[0])-1.7012) <= 1e-5) {
		t.Errorf("w = %v, want 1.7012", p.W[0])
	}
}

// The sparse layer equals a dense product, and its update equals the dense
// gradient (checked with plain SGD, where the update is −lr·gradient).
func TestSparseLinearMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const in, out = 12, 5
	l := NewSparseLinear("s", in, out, true)
	l.W.InitUniform(nil, 3, in, out, 1)
	for i := range l.B.W {
		l.B.W[i] = rng.Float32()
	}
	var b Batch
	b.Reset()
	b.Add([]int32{0, 3, 7}, []float32{1, 0.5, -2})
	b.Add([]int32{3, 11}, []float32{2, 1})
	b.Add(nil, nil)
	y := make([]float32, 3*out)
	l.Forward(&b, y, 0, 3)
	dense := [][]float32{make([]float32, in), make([]float32, in), make([]float32, in)}
	for r := range 3 {
		ids, vals := b.Row(r)
		for k, j := range ids {
			dense[r][j] = vals[k]
		}
		for o := range out {
			want := l.B.W[o]
			for j := range in {
				want += dense[r][j] * l.W.W[j*out+o]
			}
			if !(math.Abs(float64(y[r*out+o]-want)) <= 1e-5) {
				t.Fatalf("forward[%d,%d] = %v, want %v", r, o, y[r*out+o], want)
			}
		}
	}
	before := append([]float32(nil), l.W.W...)
	dOut := make([]float32, 3*out)
	for i := range dOut {
		dOut[i] = rng.Float32() - 0.5
	}
	opt, _ := NewOptimizer(SGD, 0, 0)
	opt.Init(l.W)
	opt.Init(l.B)
	opt.Begin()
	l.Update(NewPool(2), opt, &b, dOut, 1)
	for j := range in {
		for o := range out {
			var g float32
			for r := range 3 {
				g += dense[r][j] * dOut[r*out+o]
			}
			if d := before[j*out+o] - g - l.W.W[j*out+o]; !(math.Abs(float64(d)) <= 1e-5) {
				t.Fatalf("update of w[%d,%d] off by %v", j, o, d)
			}
		}
	}
}

// The transposed batch lists its features in index order, each with its
// (row, value) entries in row order, whichever way it is built (a scan of
// the slots for a wide batch, a sort for a sparse one), and leaves every
// slot cleared for the next batch.
func TestSparseTransposeOrder(t *testing.T) {
	for _, in := range []int{12, 1000} { // 12: scan; 1000: sort
		l := NewSparseLinear("s", in, 3, true)
		var b Batch
		b.Reset()
		rows := [][]int32{{7, 3, 11}, {0, 11}, nil, {3, 5, 7}, {11}}
		for _, r := range rows {
			vals := make([]float32, len(r))
			for k, j := range r {
				vals[k] = float32(j) + 0.5
			}
			b.Add(r, vals)
		}
		for round := range 2 {
			nf := l.transpose(&b)
			if want := []int32{0, 3, 5, 7, 11}; !slices.Equal(l.feats[:nf], want) {
				t.Fatalf("in %d, round %d: features %v, want %v", in, round, l.feats[:nf], want)
			}
			for f, j := range l.feats[:nf] {
				var want []RowCoef
				for r, ids := range rows {
					if slices.Contains(ids, j) {
						want = append(want, RowCoef{int32(r), float32(j) + 0.5})
					}
				}
				if got := l.entries[l.starts[f]:l.starts[f+1]]; !slices.Equal(got, want) {
					t.Fatalf("in %d, round %d: feature %d has entries %v, want %v", in, round, j, got, want)
				}
			}
			l.resetSlots()
			for j, s := range l.slot {
				if s != -1 {
					t.Fatalf("in %d: slot %d left at %d", in, j, s)
				}
			}
		}
	}
}

// Numerical gradient check of a dense layer followed by a quadratic loss.
func TestDenseLinearGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n, in, out = 3, 4, 3
	l := NewDenseLinear("d", in, out, true)
	l.W.InitUniform(nil, 1, in, out, 1)
	x := make([]float32, n*in)
	for i := range x {
		x[i] = rng.Float32() - 0.5
	}
	loss := func() float64 {
		y := make([]float32, n*out)
		l.Forward(NewPool(1), x, n, y)
		s := 0.0
		for _, v := range y {
			s += 0.5 * float64(v) * float64(v)
		}
		return s
	}
	y := make([]float32, n*out)
	l.Forward(NewPool(1), x, n, y)
	dx := make([]float32, n*in)
	l.Backward(NewPool(1), x, y, n, dx) // dL/dy = y
	const eps = 1e-2
	for i := range l.W.W {
		old := l.W.W[i]
		l.W.W[i] = old + eps
		up := loss()
		l.W.W[i] = old - eps
		down := loss()
		l.W.W[i] = old
		if num := (up - down) / (2 * eps); !(math.Abs(num-float64(l.W.G[i])) <= 1e-3) {
			t.Fatalf("dW[%d] = %v, numerical %v", i, l.W.G[i], num)
		}
	}
	for i := range x {
		old := x[i]
		x[i] = old + eps
		up := loss()
		x[i] = old - eps
		down := loss()
		x[i] = old
		if num := (up - down) / (2 * eps); !(math.Abs(num-float64(dx[i])) <= 1e-3) {
			t.Fatalf("dx[%d] = %v, numerical %v", i, dx[i], num)
		}
	}
}

func TestActivationDerivatives(t *testing.T) {
	for _, a := range []Activation{ReLU, Tanh, GELU, Sigmoid} {
		for _, z := range []float32{-1.3, -0.2, 0.4, 2.1} {
			var y, yp, ym [1]float32
			a.Forward([]float32{z}, y[:])
			a.Forward([]float32{z + 1e-3}, yp[:])
			a.Forward([]float32{z - 1e-3}, ym[:])
			d := []float32{1}
			a.Backward([]float32{z}, y[:], d)
			if num := (yp[0] - ym[0]) / 2e-3; !(math.Abs(float64(num-d[0])) <= 2e-3) {
				t.Errorf("%s'(%v) = %v, numerical %v", a, z, d[0], num)
			}
		}
	}
}

// The blocked layers (MHS training) equal the full layers restricted to the
// selected blocks: forward values are the selected columns, and one Adam
// step with the gradient of the selected columns equals a full step whose
// gradient is zero outside them (the first Adam step leaves rows with a
// zero gradient unchanged). Selection {0, 1, 3, 4} of 5 blocks of 5 over 23
// outputs has two runs and a short last block.
func TestBlockedLayersMatchFull(t *testing.T) {
	const n, in, out, size = 3, 6, 23, 5
	blk := &Blocks{IDs: []int32{0, 1, 3, 4}, Size: size, Total: out}
	w := blk.Width()
	rng := rand.New(rand.NewPCG(7, 8))
	rnd := func(k int) []float32 {
		v := make([]float32, k)
		for i := range v {
			v[i] = rng.Float32() - 0.5
		}
		return v
	}
	col := func(p int) int { // blocked position -> output, -1 for padding
		o := int(blk.IDs[p/size])*size + p%size
		if o >= out {
			return -1
		}
		return o
	}
	dyBlk := rnd(n * w)
	dyFull := make([]float32, n*out)
	for r := range n {
		for p := range w {
			if o := col(p); o >= 0 {
				dyFull[r*out+o] = dyBlk[r*w+p]
			}
		}
	}
	near := func(t *testing.T, what string, got, want []float32) {
		t.Helper()
		for i := range want {
			if !(math.Abs(float64(got[i]-want[i])) <= 1e-5) {
				t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
			}
		}
	}
	checkForward := func(t *testing.T, what string, full, blocked []float32) {
		t.Helper()
		for r := range n {
			for p := range w {
				if o := col(p); o >= 0 && !(math.Abs(float64(blocked[r*w+p]-full[r*out+o])) <= 1e-5) {
					t.Fatalf("%s forward[%d, block pos %d] = %v, want %v", what, r, p, blocked[r*w+p], full[r*out+o])
				}
			}
		}
	}
	pool := NewPool(2)
	newAdam := func(ps ...*Param) *Optimizer {
		opt, _ := NewOptimizer(Adam, 0, 0)
		for _, p := range ps {
			opt.Init(p)
		}
		opt.Begin()
		return opt
	}

	t.Run("dense", func(t *testing.T) {
		a, b := NewDenseLinear("a", in, out, true), NewDenseLinear("b", in, out, true)
		a.W.InitUniform(nil, 1, in, out, 1)
		copy(b.W.W, a.W.W)
		bias := rnd(out)
		copy(a.B.W, bias)
		copy(b.B.W, bias)
		x := rnd(n * in)
		yFull, yBlk := make([]float32, n*out), make([]float32, n*w)
		a.Forward(NewPool(2), x, n, yFull)
		b.ForwardBlocks(NewPool(2), x, n, blk, yBlk)
		checkForward(t, "dense", yFull, yBlk)

		dxFull, dxBlk := make([]float32, n*in), make([]float32, n*in)
		a.Backward(pool, x, dyFull, n, dxFull)
		opt := newAdam(a.W, a.B)
		opt.UpdateDense(pool, a.W, 0.1)
		opt.UpdateDense(pool, a.B, 0.1)
		b.BackwardBlocks(pool, newAdam(b.W, b.B), x, dyBlk, n, blk, dxBlk, 0.1)
		near(t, "dx", dxBlk, dxFull)
		near(t, "W", b.W.W, a.W.W)
		near(t, "B", b.B.W, a.B.W)
	})

	t.Run("sparse", func(t *testing.T) {
		a, b := NewSparseLinear("a", in, out, true), NewSparseLinear("b", in, out, true)
		a.W.InitUniform(nil, 2, in, out, 1)
		copy(b.W.W, a.W.W)
		var x Batch
		x.Reset()
		x.Add([]int32{0, 2, 5}, []float32{1, -0.5, 2})
		x.Add([]int32{2}, []float32{3})
		x.Add(nil, nil)
		yFull, yBlk := make([]float32, n*out), make([]float32, n*w)
		a.Forward(&x, yFull, 0, n)
		b.ForwardBlocks(&x, yBlk, 0, n, blk)
		checkForward(t, "sparse", yFull, yBlk)

		a.Update(pool, newAdam(a.W, a.B), &x, dyFull, 0.1)
		b.UpdateBlocks(pool, newAdam(b.W, b.B), &x, dyBlk, blk, 0.1)
		near(t, "W", b.W.W, a.W.W)
		near(t, "B", b.B.W, a.B.W)
	})

	// No block selected (an MHS batch whose rows select nothing): dx is
	// zero, whatever the buffer held, and the weights are unchanged.
	t.Run("dense, no block", func(t *testing.T) {
		l := NewDenseLinear("l", in, out, true)
		l.W.InitUniform(nil, 3, in, out, 1)
		w0, b0 := append([]float32(nil), l.W.W...), append([]float32(nil), l.B.W...)
		none := &Blocks{Size: size, Total: out}
		dx := rnd(n * in)
		l.BackwardBlocks(pool, newAdam(l.W, l.B), rnd(n*in), nil, n, none, dx, 0.1)
		near(t, "dx", dx, make([]float32, n*in))
		sameBits(t, "W", l.W.W, w0)
		sameBits(t, "B", l.B.W, b0)
		l.BackwardBlocks(pool, newAdam(l.W, l.B), rnd(n*in), nil, n, none, nil, 0.1) // no dx wanted
	})
}

func TestBlocksEachRun(t *testing.T) {
	blk := &Blocks{IDs: []int32{0, 1, 3, 6, 7, 8}, Size: 4, Total: 35}
	var got [][3]int
	blk.EachRun(func(col, lo, hi int) { got = append(got, [3]int{col, lo, hi}) })
	want := [][3]int{{0, 0, 8}, {8, 12, 16}, {12, 24, 35}}
	if len(got) != len(want) {
		t.Fatalf("runs %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("runs %v, want %v", got, want)
		}
	}
}

// BenchmarkOptimizerApply: one optimiser step over 512 × 1,024 weights (a
// sparse input layer's touched rows), elements per second. (Adam with L2
// decay runs slower here than in training: over thousands of steps of the
// same gradient the benchmark's zero-gradient elements decay into
// subnormal numbers; after the MHC training of Bibtex, Delicious and
// RCV1-Sub1 at most 0.22% of a tensor's moments are subnormal.)
func BenchmarkOptimizerApply(b *testing.B) {
	for _, c := range []struct {
		kind   OptKind
		wd, mu float64
	}{{Adam, 0, 0}, {Adam, 1e-5, 0}, {AdamW, 0.01, 0}, {SGD, 0, 0.9}, {SGD, 0, 0}} {
		name := fmt.Sprintf("%s-wd%g", c.kind, c.wd)
		if c.kind == SGD {
			name = fmt.Sprintf("%s-mu%g", c.kind, c.mu)
		}
		b.Run(name, func(b *testing.B) {
			o, err := NewOptimizer(c.kind, c.mu, c.wd)
			if err != nil {
				b.Fatal(err)
			}
			n := 512 * 1024
			w, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
			for i := range g {
				w[i], g[i] = float32(i%7)*0.01, float32(i%13-6)*0.001
			}
			o.Begin()
			b.SetBytes(int64(n) * 16)
			b.ResetTimer()
			for range b.N {
				o.Apply(w, g, m, v, 0.001, true)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
		})
	}
}

// BenchmarkOptimizerApplyCores runs the Adam step over one set of tensors
// (weights, gradients and moments of KiB each) on one goroutine, and split
// in two halves on two goroutines at once, as a training step's loops split
// it: how much a second core gains where the tensors fit the cores' L2
// caches and where they live in the L3 cache the cores share (Bibtex's
// input layer: three 3.7 MiB tensors). Gelem/s counts all elements.
func BenchmarkOptimizerApplyCores(b *testing.B) {
	for _, kib := range []int{256, 4096} {
		for _, cores := range []int{1, 2} {
			b.Run(fmt.Sprintf("%dKiB-x%d", kib, cores), func(b *testing.B) {
				o, err := NewOptimizer(Adam, 0.9, 0)
				if err != nil {
					b.Fatal(err)
				}
				o.Begin()
				n := kib << 10 / 4
				var t [4][]float32
				for k := range t {
					t[k] = make([]float32, n)
				}
				for i := range n {
					t[1][i] = float32(i%13-6) * 0.001
				}
				b.SetBytes(int64(n) * 16)
				var wg sync.WaitGroup
				for c := range cores {
					lo, hi := c*n/cores, (c+1)*n/cores
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range b.N {
							o.Apply(t[0][lo:hi], t[1][lo:hi], t[2][lo:hi], t[3][lo:hi], 0.001, false)
						}
					}()
				}
				wg.Wait()
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
			})
		}
	}
}

// The vector Adam kernel gives the scalar reference's bits for every
// element, whatever the length and the start of the slice, with and without
// weight decay; awkward values (zeros, tiny and huge gradients, negative
// zero) included.
func TestAdamVectorMatchesScalar(t *testing.T) {
	eachKernelSet(t, testAdamVectorMatchesScalar)
}

// extremeFloat draws zeros of both signs, tiny and huge values among
// ordinary ones, for tests that kernels give the Go code's bits.
func extremeFloat(rng *rand.Rand) float32 {
	switch rng.IntN(8) {
	case 0:
		return 0
	case 1:
		return float32(math.Copysign(0, -1))
	case 2:
		return float32(rng.NormFloat64() * 1e-20)
	case 3:
		return float32(rng.NormFloat64() * 1e10)
	}
	return float32(rng.NormFloat64())
}

func testAdamVectorMatchesScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	val := func() float32 { return extremeFloat(rng) }
	for _, k := range []adamConsts{
		{b1: 0.9, c1: 0.1, b2: 0.999, c2: 1 - float32(0.999), ibc2: 1 / 0.001999, step: 0.002 / 0.19, eps: 1e-8},
		{b1: 0.9, c1: 0.1, b2: 0.999, c2: 1 - float32(0.999), ibc2: 1.7, step: 0.01, eps: 1e-8, l2: 1e-4},
		{b1: 0.8, c1: 0.2, b2: 0.99, c2: 0.01, ibc2: 1, step: 0.001, eps: 1e-6, decoupled: 1e-5},
	} {
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 64, 100, 512, 1000} {
			for off := range 3 {
				// 9 values past the slice, which no kernel may change.
				mk := func() []float32 {
					s := make([]float32, n+off+9)
					for i := range s {
						s[i] = val()
					}
					return s
				}
				w, g, m, v := mk(), mk(), mk(), mk()
				for i := range v {
					v[i] = float32(math.Abs(float64(v[i]))) // a second moment is never negative
				}
				w2, m2, v2 := slices.Clone(w), slices.Clone(m), slices.Clone(v)
				end := off + n
				adam(w[off:end], g[off:end], m[off:end], v[off:end], &k)
				adamScalar(w2[off:end], g[off:end], m2[off:end], v2[off:end], &k)
				what := fmt.Sprintf("%+v n=%d off=%d", k, n, off)
				sameBits(t, what+" w", w, w2)
				sameBits(t, what+" m", m, m2)
				sameBits(t, what+" v", v, v2)
			}
		}
	}
}

// The vector SGD kernels give the scalar reference's bits for every element,
// whatever the length and the start of the slice, with and without momentum
// and weight decay; awkward values (zeros of both signs, tiny and huge
// values) included.
func TestSGDVectorMatchesScalar(t *testing.T) {
	eachKernelSet(t, testSGDVectorMatchesScalar)
}

func testSGDVectorMatchesScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for _, k := range []sgdConsts{{lr: 0.1}, {mu: 0.9, lr: 0.05}, {mu: 0.9, wd: 1e-4, lr: 0.5}, {wd: 0.01, lr: 2}} {
		for _, momentum := range []bool{false, true} {
			for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 100, 512, 1000} {
				for off := range 3 {
					// 9 values past the slice, which no kernel may change.
					mk := func() []float32 {
						s := make([]float32, n+off+9)
						for i := range s {
							s[i] = extremeFloat(rng)
						}
						return s
					}
					w, g := mk(), mk()
					var m, m2 []float32
					w2 := slices.Clone(w)
					what := fmt.Sprintf("%+v momentum %v n=%d off=%d", k, momentum, n, off)
					end := off + n
					if momentum {
						m = mk()
						m2 = slices.Clone(m)
						sgd(w[off:end], g[off:end], m[off:end], &k)
						sgdScalar(w2[off:end], g[off:end], m2[off:end], &k)
						sameBits(t, what+" m", m, m2)
					} else {
						sgd(w[off:end], g[off:end], nil, &k)
						sgdScalar(w2[off:end], g[off:end], nil, &k)
					}
					sameBits(t, what+" w", w, w2)
				}
			}
		}
	}
}

// Axpy gives gonum's Saxpy bits for every length and alignment.
func TestAxpyMatchesGonum(t *testing.T) { eachKernelSet(t, testAxpyMatchesGonum) }

func testAxpyMatchesGonum(t *testing.T) {
	ref := newGonumRef(t)
	defer ref.done("53a0c599f0522bda0df9b0d7742dbbfbc946fd22b5007e79094da8136a4a4425")
	rng := rand.New(rand.NewPCG(3, 9))
	for _, n := range []int{0, 1, 7, 8, 31, 32, 33, 63, 64, 65, 95, 96, 100, 127, 128, 511, 512, 1000} {
		for off := range 3 {
			x, y := make([]float32, n+off), make([]float32, n+off)
			for i := range x {
				x[i], y[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64()*1e3)
			}
			a := float32(rng.NormFloat64())
			want := slices.Clone(y)
			impl.Saxpy(n, a, x[off:], 1, want[off:], 1)
			Axpy(a, x[off:], y[off:])
			ref.check(fmt.Sprintf("n=%d off=%d", n, off), y, want)
		}
	}
}

// BenchmarkAxpy: y += a·x over one 512-wide row (a hidden layer's width),
// gonum's SSE kernel against Axpy.
func BenchmarkAxpy(b *testing.B) {
	for _, n := range []int{64, 512} {
		x, y := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i] = float32(i) * 1e-3
		}
		b.Run(fmt.Sprintf("gonum-%d", n), func(b *testing.B) {
			b.SetBytes(int64(n) * 12)
			for range b.N {
				impl.Saxpy(n, 1e-6, x, 1, y, 1)
			}
		})
		b.Run(fmt.Sprintf("nn-%d", n), func(b *testing.B) {
			b.SetBytes(int64(n) * 12)
			for range b.N {
				Axpy(1e-6, x, y)
			}
		})
	}
}

// gemmNN and gemmTN give gonum's Gemm bits (alpha 1, beta 0, 1 and 0.5,
// strided operands, zeros in A that both skip, NaN and Inf), whatever the
// worker count; the widths cover 32-column strips (AVX-512), a 16-column
// strip and the columns left to Axpy.
func TestGemmMatchesGonum(t *testing.T) { eachKernelSet(t, testGemmMatchesGonum) }

func testGemmMatchesGonum(t *testing.T) {
	ref := newGonumRef(t)
	defer ref.done("de9693577879aac22ac8e39977c03d188c79cccc3ce0f59690c9eeca17dccaa6")
	rng := rand.New(rand.NewPCG(5, 1))
	fill := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			switch r := rng.IntN(1000); {
			case r < 250: // a quarter zeros, like ReLU outputs
			case r < 260: // -0 in C survives only if zero a's are skipped
				s[i] = float32(math.Copysign(0, -1))
			case r == 260: // 0·Inf would be NaN
				s[i] = float32(math.Inf(1))
			case r == 261: // a NaN in A is not skipped
				s[i] = float32(math.NaN())
			default:
				s[i] = float32(rng.NormFloat64())
			}
		}
		return s
	}
	for _, d := range [][3]int{{1, 1, 1}, {3, 70, 5}, {64, 100, 33}, {130, 77, 129}, {9, 48, 40}} {
		m, n, k := d[0], d[1], d[2]
		for _, beta := range []float32{0, 1, 0.5} {
			for _, workers := range []int{1, 3} {
				pool := NewPool(workers)
				lda, ldb, ldc := k+2, n+1, n+3
				a, b, c := fill(m*lda), fill(k*ldb), fill(m*ldc)
				want, got := slices.Clone(c), slices.Clone(c)
				blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, blas32.General{Rows: m, Cols: k, Stride: lda, Data: a},
					blas32.General{Rows: k, Cols: n, Stride: ldb, Data: b}, beta, blas32.General{Rows: m, Cols: n, Stride: ldc, Data: want})
				gemmNN(pool, m, n, k, a, lda, b, ldb, beta, got, ldc)
				ref.check(fmt.Sprintf("NN %v beta %v workers %d", d, beta, workers), got, want)

				at := fill(k * (m + 1)) // k × m, stride m+1
				want, got = slices.Clone(c), slices.Clone(c)
				blas32.Gemm(blas.Trans, blas.NoTrans, 1, blas32.General{Rows: k, Cols: m, Stride: m + 1, Data: at},
					blas32.General{Rows: k, Cols: n, Stride: ldb, Data: b}, beta, blas32.General{Rows: m, Cols: n, Stride: ldc, Data: want})
				gemmTN(pool, m, n, k, at, m+1, b, ldb, beta, got, ldc)
				ref.check(fmt.Sprintf("TN %v beta %v workers %d", d, beta, workers), got, want)
			}
		}
	}
}

// sameBits fails the test unless got and want hold the same float32 bits
// element by element (two NaNs count as equal: their payloads may differ).
func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d elements, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) {
			t.Fatalf("%s: element %d = %v (%#x), want %v (%#x)", what, i, g, math.Float32bits(g), w, math.Float32bits(w))
		}
	}
}

// The forward product gives gonum's bits for every shape (one dot over k
// and the 64-long pieces of gonum's parallel path), stride, operand
// alignment (which sets DotUnitary's scalar prologue) and worker count.
func TestGemmNTMatchesGonum(t *testing.T) { eachKernelSet(t, testGemmNTMatchesGonum) }

func testGemmNTMatchesGonum(t *testing.T) {
	ref := newGonumRef(t)
	defer ref.done("005cd1ccf0906a0fefa7f7b3514fba5e84d0aa67c0f4f0a80f2bb041481c8196")
	rng := rand.New(rand.NewPCG(9, 2))
	fill := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			switch rng.IntN(8) {
			case 0: // ReLU zeros, both signs
			case 1:
				s[i] = float32(math.Copysign(0, -1))
			default:
				s[i] = float32(rng.NormFloat64()) * float32(math.Exp(rng.NormFloat64()*3))
			}
		}
		return s
	}
	shapes := [][3]int{{1, 1, 1}, {4, 1, 3}, {5, 7, 2}, {8, 3, 17}, {7, 70, 33}, {64, 100, 65},
		{130, 77, 129}, {256, 64, 512}, {33, 200, 500}}
	for _, d := range shapes {
		m, n, k := d[0], d[1], d[2]
		for _, off := range [][2]int{{0, 0}, {1, 3}, {2, 1}, {3, 2}} {
			for _, workers := range []int{1, 3} {
				pool := NewPool(workers)
				lda, ldb, ldc := k+off[0], k+off[1], n+1
				a := fill(m*lda + 4)[off[0]:]
				b := fill(n*ldb + 4)[off[1]:]
				c := fill(m * ldc)
				want, got := slices.Clone(c), slices.Clone(c)
				blas32.Gemm(blas.NoTrans, blas.Trans, 1, blas32.General{Rows: m, Cols: k, Stride: lda, Data: a},
					blas32.General{Rows: n, Cols: k, Stride: ldb, Data: b}, 1, blas32.General{Rows: m, Cols: n, Stride: ldc, Data: want})
				gemmNT(pool, m, n, k, a, lda, b, ldb, got, ldc)
				ref.check(fmt.Sprintf("NT %v offsets %v workers %d", d, off, workers), got, want)
			}
		}
	}
}

// BenchmarkGemmNT: the dense layers' forward product C += A·Bᵀ (A a batch of
// hidden rows, B a layer's weights; the last shape is a vanilla head over
// 10^4 labels), gonum's Gemm against gemmNT, two workers each (gonum uses
// GOMAXPROCS goroutines).
func BenchmarkGemmNT(b *testing.B) {
	pool := NewPool(2)
	for _, d := range [][3]int{{256, 64, 512}, {256, 160, 512}, {64, 512, 512}, {256, 10000, 256}} {
		m, n, k := d[0], d[1], d[2]
		x, w, c := make([]float32, m*k), make([]float32, n*k), make([]float32, m*n)
		for i := range x {
			x[i] = float32(i%7) * 1e-3
		}
		for i := range w {
			w[i] = float32(i%5) * 1e-3
		}
		name := fmt.Sprintf("%dx%dx%d", m, n, k)
		b.Run("gonum-"+name, func(b *testing.B) {
			b.SetBytes(int64(m*n*k) * 4)
			for b.Loop() {
				blas32.Gemm(blas.NoTrans, blas.Trans, 1, blas32.General{Rows: m, Cols: k, Stride: k, Data: x},
					blas32.General{Rows: n, Cols: k, Stride: k, Data: w}, 1, blas32.General{Rows: m, Cols: n, Stride: n, Data: c})
			}
		})
		b.Run("nn-"+name, func(b *testing.B) {
			b.SetBytes(int64(m*n*k) * 4)
			for b.Loop() {
				gemmNT(pool, m, n, k, x, k, w, k, c, n)
			}
		})
	}
}

// BenchmarkGemmBackward: the dense layers' backward products at batch 256,
// for a 512-wide hidden layer with 126 outputs (Delicious' MHC head layer)
// and a 256-wide one with 10^4 (a vanilla head over 10^4 labels):
// gonum's Gemm, one Axpy per row of C and element of A (gemmAxpy before the
// register tiles), and gemmNN / gemmTN; two workers.
func BenchmarkGemmBackward(b *testing.B) {
	for _, d := range [][2]int{{126, 512}, {10000, 256}} {
		b.Run(fmt.Sprintf("out%d-in%d", d[0], d[1]), func(b *testing.B) { benchGemmBackward(b, d[0], d[1]) })
	}
}

func benchGemmBackward(b *testing.B, out, in int) {
	pool := NewPool(2)
	const batch = 256
	dy, x, w := make([]float32, batch*out), make([]float32, batch*in), make([]float32, out*in)
	for i := range dy {
		dy[i] = float32(i%11) * 1e-3
	}
	for i := range x {
		x[i] = float32(i%7) * 1e-3
	}
	dw, dx := make([]float32, out*in), make([]float32, batch*in)
	axpyRows := func(m, n, k int, a []float32, ai, al int, bm []float32, ldb int, c []float32) {
		pool.For(m, gemmRows, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				for l := range k {
					if v := a[i*ai+l*al]; v != 0 {
						Axpy(v, bm[l*ldb:l*ldb+n], c[i*n:i*n+n])
					}
				}
			}
		})
	}
	for _, c := range []struct {
		name string
		run  func()
	}{
		{"TN-gonum", func() {
			blas32.Gemm(blas.Trans, blas.NoTrans, 1, blas32.General{Rows: batch, Cols: out, Stride: out, Data: dy},
				blas32.General{Rows: batch, Cols: in, Stride: in, Data: x}, 1, blas32.General{Rows: out, Cols: in, Stride: in, Data: dw})
		}},
		{"TN-axpyrows", func() { axpyRows(out, in, batch, dy, 1, out, x, in, dw) }},
		{"TN-nn", func() { gemmTN(pool, out, in, batch, dy, out, x, in, 1, dw, in) }},
		{"NN-gonum", func() {
			blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, blas32.General{Rows: batch, Cols: out, Stride: out, Data: dy},
				blas32.General{Rows: out, Cols: in, Stride: in, Data: w}, 0, blas32.General{Rows: batch, Cols: in, Stride: in, Data: dx})
		}},
		{"NN-axpyrows", func() { clear(dx); axpyRows(batch, in, out, dy, out, 1, w, in, dx) }},
		{"NN-nn", func() { gemmNN(pool, batch, in, out, dy, out, w, in, 0, dx, in) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				c.run()
			}
		})
	}
}

// DotRows gives blas32.Dot's bits row by row, whatever the row count and
// the alignment of x, with every kernel set.
func TestDotRowsMatchesGonum(t *testing.T) { eachKernelSet(t, testDotRowsMatchesGonum) }

func testDotRowsMatchesGonum(t *testing.T) {
	ref := newGonumRef(t)
	defer ref.done("04162cba81d087ea90bbe7733281c0913233338da0ebd6846e74bc57bebac781")
	rng := rand.New(rand.NewPCG(3, 4))
	for _, k := range []int{1, 3, 16, 17, 64, 100} {
		for _, rows := range []int{1, 4, 7, 16} {
			for off := range 4 {
				a := make([]float32, rows*(k+1))
				xs := make([]float32, k+off)
				for i := range a {
					a[i] = float32(rng.NormFloat64())
				}
				for i := range xs {
					xs[i] = float32(rng.NormFloat64())
				}
				x := xs[off:]
				got := make([]float32, rows)
				DotRows(a, k+1, x, got)
				want := make([]float32, rows)
				for r := range want {
					want[r] = blas32.Dot(blas32.Vector{N: k, Inc: 1, Data: a[r*(k+1) : r*(k+1)+k]}, blas32.Vector{N: k, Inc: 1, Data: x})
				}
				ref.check(fmt.Sprintf("k %d rows %d offset %d", k, rows, off), got, want)
			}
		}
	}
}

// BenchmarkReLUBackward: one batch of 256 rows of a 512-wide hidden layer,
// half of the pre-activations negative.
func BenchmarkReLUBackward(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	z, da := make([]float32, 256*512), make([]float32, 256*512)
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
	for b.Loop() {
		for i := range da {
			da[i] = 1
		}
		ReLU.Backward(z, nil, da)
	}
}

// ReLU's backward pass zeroes da exactly where z <= 0 (−0 included, NaN
// not) and leaves every other bit alone.
func TestReLUBackwardMask(t *testing.T) {
	nan, negz := float32(math.NaN()), float32(math.Copysign(0, -1))
	z := []float32{1, -1, 0, negz, nan, 1e-30, -1e-30, float32(math.Inf(1)), float32(math.Inf(-1))}
	da := []float32{negz, 5, 6, 7, -8, -9, 10, nan, 11}
	want := []float32{negz, 0, 0, 0, -8, -9, 0, nan, 0}
	ReLU.Backward(z, nil, da)
	sameBits(t, "relu", da, want)
}

// AxpyRows and AxpyGather give the bits of one Axpy call per entry, in
// order, for every width (the register tiles of each kernel and the scalar
// tail).
func TestAxpyRowsMatchesAxpy(t *testing.T) { eachKernelSet(t, testAxpyRowsMatchesAxpy) }

func testAxpyRowsMatchesAxpy(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, n := range []int{1, 7, 8, 15, 16, 17, 24, 31, 32, 40, 64, 70, 80, 96, 127, 128, 129, 136, 150, 200, 512} {
		stride := n + 3
		x := make([]float32, 20*stride)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		x[5] = float32(math.Inf(-1))
		var entries []RowCoef
		for range 37 {
			entries = append(entries, RowCoef{Row: int32(rng.IntN(20)), Coef: float32(rng.NormFloat64())})
		}
		entries[3].Coef = 0
		y0 := make([]float32, n)
		for i := range y0 {
			y0[i] = float32(rng.NormFloat64())
		}
		want, got := slices.Clone(y0), slices.Clone(y0)
		for _, e := range entries {
			Axpy(e.Coef, x[int(e.Row)*stride:int(e.Row)*stride+n], want)
		}
		AxpyRows(got, entries, x, stride)
		sameBits(t, fmt.Sprintf("rows, n %d", n), got, want)
		ids, vals := make([]int32, len(entries)), make([]float32, len(entries)+2)
		for k, e := range entries {
			ids[k], vals[k] = e.Row, e.Coef
		}
		got = slices.Clone(y0)
		AxpyGather(got, ids, vals, x, stride)
		sameBits(t, fmt.Sprintf("gather, n %d", n), got, want)
	}
}

// eachKernelSet runs fn with every set of vector kernels this CPU can run:
// AVX-512 and AVX, AVX alone, and none (the Go code), each as a subtest.
func eachKernelSet(t *testing.T, fn func(t *testing.T)) {
	defer restoreKernels()
	for _, k := range kernelSets {
		if !k.use() {
			t.Logf("%s: this CPU lacks it; not run", k.name)
			continue
		}
		t.Run(k.name, fn)
	}
}

// kernelSets are the sets of vector kernels, widest first.
var kernelSets = []kernelSet{{"avx512", true, true}, {"avx", false, true}, {"go", false, false}}

type kernelSet struct {
	name        string
	avx512, avx bool
}

// use switches the kernels to the set for the rest of the test or
// benchmark, or reports false when the CPU lacks it.
func (k kernelSet) use() bool {
	if (k.avx512 && !cpuAVX512) || (k.avx && !cpuAVX) {
		return false
	}
	hasAVX512, hasAVX = k.avx512, k.avx
	return true
}

// What the CPU has (the kernel sets switch hasAVX512 and hasAVX).
var cpuAVX512, cpuAVX = hasAVX512, hasAVX

func restoreKernels() { hasAVX512, hasAVX = cpuAVX512, cpuAVX }

// Kernels names the set that runs, as run records keep it: each set this
// CPU has by its name, and on this CPU the widest it has.
func TestKernels(t *testing.T) {
	defer restoreKernels()
	want := "go"
	for i := len(kernelSets) - 1; i >= 0; i-- {
		k := kernelSets[i]
		if !k.use() {
			continue
		}
		if got := Kernels(); got != k.name {
			t.Errorf("with the %s kernels in use Kernels() = %q", k.name, got)
		}
		want = k.name
	}
	restoreKernels()
	if got := Kernels(); got != want {
		t.Errorf("Kernels() = %q on this CPU, want its widest set %q", got, want)
	}
}

// The sparse layer's forward pass gives, for every kernel set and widths
// that use each register tile, the bits of the bias plus one Axpy per
// feature in order, skipping feature ids >= In (unseen in training) wherever
// they fall in the row; ForwardBlocks gives the same bits in its blocks.
func TestSparseForwardBits(t *testing.T) { eachKernelSet(t, testSparseForwardBits) }

func testSparseForwardBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, out := range []int{5, 16, 40, 128, 200, 512} {
		const in = 30
		l := NewSparseLinear("s", in, out, true)
		l.W.InitUniform(nil, 5, in, out, 1)
		for i := range l.B.W {
			l.B.W[i] = float32(rng.NormFloat64())
		}
		var b Batch
		b.Reset()
		b.Add([]int32{31, 40}, []float32{1, 2})               // unseen only
		b.Add([]int32{0, 3, 7, 29}, []float32{1, 0.5, -2, 3}) // all seen
		b.Add([]int32{2, 30, 33, 5, 45}, []float32{0.1, 9, 9, -1, 9})
		b.Add(nil, nil)
		b.Add([]int32{1, 4, 6, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20}, []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
		want := make([]float32, b.N*out)
		for r := range b.N {
			o := want[r*out : (r+1)*out]
			copy(o, l.B.W)
			ids, vals := b.Row(r)
			for k, j := range ids {
				if int(j) < in {
					Axpy(vals[k], l.W.W[int(j)*out:(int(j)+1)*out], o)
				}
			}
		}
		got := make([]float32, b.N*out)
		l.Forward(&b, got, 0, b.N)
		sameBits(t, fmt.Sprintf("forward, out %d", out), got, want)
	}
}

// BenchmarkSparseLinearForward: the forward pass alone of sparse input
// layers shaped like Bibtex's (1,836 binary features, 69 per row) and
// RCV1-Sub1's (47,236 features, 77 tf-idf values per row) into 512 units,
// over 64 batches of 64 rows, so that the rows gathered come from the last
// level cache or memory as in training, not from L1.
func BenchmarkSparseLinearForward(b *testing.B) {
	const out, rows, nb = 512, 64, 64
	for _, sh := range []struct {
		name    string
		in, nnz int
	}{{"bibtex", 1836, 69}, {"rcv1", 47236, 77}} {
		b.Run(sh.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			l := NewSparseLinear("s", sh.in, out, true)
			l.W.InitUniform(nil, 1, sh.in, out, 1)
			batches := make([]Batch, nb)
			for i := range batches {
				batches[i].Reset()
				for range rows {
					seen := map[int32]bool{}
					var ids []int32
					for len(ids) < sh.nnz {
						j := int32(float64(sh.in) * math.Pow(rng.Float64(), 2))
						if !seen[j] {
							seen[j] = true
							ids = append(ids, j)
						}
					}
					slices.Sort(ids)
					vals := make([]float32, sh.nnz)
					for v := range vals {
						vals[v] = rng.Float32()
					}
					batches[i].Add(ids, vals)
				}
			}
			y := make([]float32, rows*out)
			b.ResetTimer()
			for i := range b.N {
				l.Forward(&batches[i%nb], y, 0, rows)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rows, "ns/row")
		})
	}
}

// BenchmarkSparseLinear: one training step of a sparse input layer shaped
// like Bibtex's (1,836 features × 512, batches of 64 rows of 69 features
// drawn from a skewed distribution): the forward pass of every row and the
// update of every feature row present, with Adam; per kernel set.
func BenchmarkSparseLinear(b *testing.B) {
	const in, out, rows, nnz = 1836, 512, 64, 69
	defer restoreKernels()
	for _, k := range kernelSets[:2] {
		if !k.use() {
			continue
		}
		b.Run(k.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			l := NewSparseLinear("s", in, out, true)
			l.W.InitUniform(nil, 1, in, out, 1)
			opt, _ := NewOptimizer(Adam, 0, 0)
			opt.Init(l.W)
			opt.Init(l.B)
			batches := make([]Batch, 16)
			for i := range batches {
				batches[i].Reset()
				for range rows {
					seen := map[int32]bool{}
					var ids []int32
					for len(ids) < nnz {
						j := int32(float64(in) * math.Pow(rng.Float64(), 2))
						if !seen[j] {
							seen[j] = true
							ids = append(ids, j)
						}
					}
					slices.Sort(ids)
					vals := make([]float32, nnz)
					for v := range vals {
						vals[v] = 0.12
					}
					batches[i].Add(ids, vals)
				}
			}
			pool := NewPool(1)
			y := make([]float32, rows*out)
			dOut := make([]float32, rows*out)
			for i := range dOut {
				dOut[i] = float32(rng.NormFloat64()) * 1e-3
			}
			b.ResetTimer()
			for i := range b.N {
				x := &batches[i%len(batches)]
				l.Forward(x, y, 0, rows)
				opt.Begin()
				l.Update(pool, opt, x, dOut, 1e-3)
			}
		})
	}
}

// Each activation's values against its definition in float64, at points
// where the definitions differ (a sign flipped inside sigmoid's or GELU's
// formula keeps the derivative test satisfied, since Backward works from the
// output, but not this one).
func TestActivationValues(t *testing.T) {
	defs := map[Activation]func(z float64) float64{
		ReLU:    func(z float64) float64 { return math.Max(z, 0) },
		Tanh:    math.Tanh,
		Sigmoid: func(z float64) float64 { return 1 / (1 + math.Exp(-z)) },
		GELU: func(z float64) float64 {
			return 0.5 * z * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(z+0.044715*z*z*z)))
		},
	}
	zs := []float32{-4, -1.3, -0.2, 0, 0.4, 1, 2.1, 7}
	for a, def := range defs {
		got := make([]float32, len(zs))
		a.Forward(zs, got)
		for i, z := range zs {
			want := def(float64(z))
			if !(math.Abs(float64(got[i])-want) <= 1e-6*math.Max(1, math.Abs(want))) {
				t.Errorf("%s(%v) = %v, want %v", a, z, got[i], want)
			}
		}
	}
	// Fixed points of the definitions, spelled out.
	for _, c := range []struct {
		a    Activation
		z    float32
		want float32
	}{{Sigmoid, 0, 0.5}, {Tanh, 0, 0}, {GELU, 0, 0}, {ReLU, -1, 0}, {ReLU, 3, 3}} {
		var got [1]float32
		c.a.Forward([]float32{c.z}, got[:])
		if got[0] != c.want {
			t.Errorf("%s(%v) = %v, want %v", c.a, c.z, got[0], c.want)
		}
	}
}

// Plain SGD (no momentum) with weight decay: w -= lr·(g + wd·w), and no
// decay on a parameter that opts out of it.
func TestSGDDecayWithoutMomentum(t *testing.T) {
	opt, _ := NewOptimizer(SGD, 0, 0.1)
	for _, decay := range []bool{true, false} {
		p := NewParam("w", 1, 2, true, decay)
		p.W[0], p.W[1] = 2, -1
		opt.Init(p)
		for range 2 {
			p.G[0], p.G[1] = 1, 0.5
			opt.Begin()
			opt.UpdateDense(NewPool(1), p, 0.1)
		}
		// With decay: w0 = 2 - 0.1·(1 + 0.2) = 1.88, then 1.88 - 0.1·(1 + 0.188) = 1.7612;
		// w1 = -1 - 0.1·(0.5 - 0.1) = -1.04, then -1.04 - 0.1·(0.5 - 0.104) = -1.0796.
		want := []float64{1.7612, -1.0796}
		if !decay {
			want = []float64{1.8, -1.1}
		}
		for i := range want {
			if !(math.Abs(float64(p.W[i])-want[i]) <= 1e-6) {
				t.Errorf("decay %v: w[%d] = %v, want %v", decay, i, p.W[i], want[i])
			}
		}
	}
}

// The bias gradient is the column sum of the output gradient, in both
// layers, with more outputs than one task of the column split (256) so that
// the workers take different column ranges.
func TestBiasGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n, in, out = 3, 5, 600
	dy := make([]float32, n*out)
	for i := range dy {
		dy[i] = rng.Float32() - 0.5
	}
	colSum := func(o int) float32 {
		var s float32
		for r := range n {
			s += dy[r*out+o]
		}
		return s
	}
	pool := NewPool(2)

	d := NewDenseLinear("d", in, out, true)
	x := make([]float32, n*in)
	for i := range x {
		x[i] = rng.Float32()
	}
	d.Backward(pool, x, dy, n, nil)
	for o := range out {
		if d.B.G[o] != colSum(o) {
			t.Fatalf("dense: db[%d] = %v, want %v", o, d.B.G[o], colSum(o))
		}
	}

	s := NewSparseLinear("s", in, out, true)
	var b Batch
	b.Reset()
	b.Add([]int32{0, 2}, []float32{1, 2})
	b.Add([]int32{4}, []float32{-1})
	b.Add(nil, nil)
	opt, _ := NewOptimizer(SGD, 0, 0)
	opt.Init(s.W)
	opt.Init(s.B)
	opt.Begin()
	s.Update(pool, opt, &b, dy, 1) // bias starts at 0: after one step it is −Σ dy
	for o := range out {
		if s.B.W[o] != -colSum(o) {
			t.Fatalf("sparse: b[%d] = %v, want %v", o, s.B.W[o], -colSum(o))
		}
	}
}

// Feature ids >= In (features a test file has and the training file had
// not) are skipped by the forward pass and the update alike: the results
// are those of the rows without them. id == In is the edge.
func TestSparseIgnoresUnseenFeatures(t *testing.T) {
	const in, out = 12, 5
	run := func(rows [][]int32, vals [][]float32) (y, w, bias []float32) {
		l := NewSparseLinear("s", in, out, true)
		l.W.InitUniform(nil, 3, in, out, 1)
		var b Batch
		b.Reset()
		for i := range rows {
			b.Add(rows[i], vals[i])
		}
		y = make([]float32, len(rows)*out)
		l.Forward(&b, y, 0, len(rows))
		opt, _ := NewOptimizer(SGD, 0, 0)
		opt.Init(l.W)
		opt.Init(l.B)
		opt.Begin()
		l.Update(NewPool(1), opt, &b, y, 0.5)
		return y, l.W.W, l.B.W
	}
	y, w, bias := run([][]int32{{3, 12, 40}, {12}, {0, 11, 12}}, [][]float32{{1, 7, 9}, {5}, {2, -1, 4}})
	wantY, wantW, wantB := run([][]int32{{3}, nil, {0, 11}}, [][]float32{{1}, nil, {2, -1}})
	sameBits(t, "forward", y, wantY)
	sameBits(t, "weights after the update", w, wantW)
	sameBits(t, "bias after the update", bias, wantB)
}
