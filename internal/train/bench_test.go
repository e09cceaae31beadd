package train

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/mhe-xlc/mhe/internal/heads"
	"github.com/mhe-xlc/mhe/internal/nn"
)

// Shapes of the head benchmarks: a batch of 256 rows, encoder width 512,
// 4096 labels.
const (
	benchB = 256
	benchD = 512
	benchC = 4096
)

func randSlice(rng *rand.Rand, n int, scale float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = (2*rng.Float32() - 1) * scale
	}
	return s
}

func gen(rows, cols int, data []float32) blas32.General {
	return blas32.General{Rows: rows, Cols: cols, Stride: cols, Data: data}
}

// BenchmarkGemmHeadShapes runs the three products of a dense head's training
// step (forward, weight gradient, input gradient) with gonum's blas32.Gemm:
// the arithmetic the vanilla head cannot avoid. GFLOPS = 2·B·C·d·3 / time.
func BenchmarkGemmHeadShapes(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := randSlice(rng, benchB*benchD, 1)
	w := randSlice(rng, benchC*benchD, 0.05)
	y := make([]float32, benchB*benchC)
	g := make([]float32, benchC*benchD)
	dx := make([]float32, benchB*benchD)
	for b.Loop() {
		blas32.Gemm(blas.NoTrans, blas.Trans, 1, gen(benchB, benchD, x), gen(benchC, benchD, w), 0, gen(benchB, benchC, y))
		blas32.Gemm(blas.Trans, blas.NoTrans, 1, gen(benchB, benchC, y), gen(benchB, benchD, x), 1, gen(benchC, benchD, g))
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, gen(benchB, benchC, y), gen(benchC, benchD, w), 0, gen(benchB, benchD, dx))
	}
	reportGFLOPS(b, 3*2*benchB*benchC*benchD)
}

func reportGFLOPS(b *testing.B, flopsPerOp float64) {
	b.ReportMetric(flopsPerOp*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
}

// BenchmarkVanillaHeadStep is one full training step of the vanilla head on
// the same shapes: forward, one-vs-all BCE loss and gradient for every row,
// backward (weight, bias and input gradients) and an Adam update. Its GFLOPS
// (counting the three products only) divided by BenchmarkGemmHeadShapes'
// is the engine's efficiency; the target is >= 60%.
func BenchmarkVanillaHeadStep(b *testing.B) {
	benchHeadStep(b, heads.Vanilla, heads.LossBCE, benchC)
}

// BenchmarkMHPHeadStep is the same step for an MHP head over the same 4096
// labels (two heads of 64): its cost falls with Σ L_h = 128 instead of C.
func BenchmarkMHPHeadStep(b *testing.B) {
	benchHeadStep(b, heads.MHP, heads.LossSoftmax, 128)
}

func benchHeadStep(b *testing.B, method heads.Method, loss heads.Loss, outputs int) {
	rng := rand.New(rand.NewPCG(1, 1))
	pool := nn.NewPool(0)
	layer := nn.NewDenseLinear("head", benchD, outputs, true)
	layer.W.InitUniform(nil, 1, benchD, outputs, 1)
	opt, _ := nn.NewOptimizer(nn.Adam, 0, 0)
	opt.Init(layer.W)
	opt.Init(layer.B)
	var head heads.Head
	if method == heads.Vanilla {
		head, _ = heads.NewVanillaHead(benchC, loss)
	} else {
		codec, _ := heads.NewCodec(benchC, []int{64, 64})
		head, _ = heads.NewMHPHead(codec, loss)
	}
	workers := make([]heads.Worker, pool.Workers())
	for i := range workers {
		workers[i] = head.NewWorker()
	}
	x := randSlice(rng, benchB*benchD, 1)
	logits := make([]float32, benchB*outputs)
	dlogits := make([]float32, benchB*outputs)
	dx := make([]float32, benchB*benchD)
	labels := make([][]int32, benchB)
	for i := range labels {
		labels[i] = []int32{int32(rng.IntN(benchC / 2)), int32(benchC/2 + rng.IntN(benchC/2))}
	}
	b.ResetTimer()
	for b.Loop() {
		layer.Forward(pool, x, benchB, logits)
		pool.For(benchB, rowChunk, func(w, lo, hi int) {
			for r := lo; r < hi; r++ {
				workers[w].Loss(r, logits[r*outputs:(r+1)*outputs], dlogits[r*outputs:(r+1)*outputs], labels[r], 1.0/benchB)
			}
		})
		opt.Begin()
		layer.Backward(pool, x, dlogits, benchB, dx)
		opt.UpdateDense(pool, layer.W, 1e-3)
		opt.UpdateDense(pool, layer.B, 1e-3)
	}
	reportGFLOPS(b, 3*2*benchB*float64(outputs)*benchD)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchB, "ns/example")
}

// BenchmarkEncoderStep is the sparse first layer of an MLP encoder (5,000
// features, 70 nonzeros per row, 512 hidden units): forward for a batch of
// 256 rows and the lazy Adam update of the rows the batch touches.
func BenchmarkEncoderStep(b *testing.B) {
	const d, h, nnz = 5000, 512, 70
	rng := rand.New(rand.NewPCG(2, 2))
	pool := nn.NewPool(0)
	layer := nn.NewSparseLinear("enc", d, h, true)
	layer.W.InitUniform(nil, 1, d, h, 1)
	opt, _ := nn.NewOptimizer(nn.Adam, 0, 0)
	opt.Init(layer.W)
	opt.Init(layer.B)
	var batch nn.Batch
	batch.Reset()
	for range benchB {
		seen := map[int32]bool{}
		var ids []int32
		var vals []float32
		for len(ids) < nnz {
			j := int32(rng.IntN(d))
			if !seen[j] {
				seen[j] = true
				ids = append(ids, j)
				vals = append(vals, rng.Float32())
			}
		}
		batch.Add(sortedPairs(ids, vals))
	}
	out := make([]float32, benchB*h)
	dout := randSlice(rng, benchB*h, 0.01)
	b.ResetTimer()
	for b.Loop() {
		pool.For(benchB, rowChunk, func(_, lo, hi int) { layer.Forward(&batch, out, lo, hi) })
		opt.Begin()
		layer.Update(pool, opt, &batch, dout, 1e-3)
	}
	reportGFLOPS(b, 2*2*benchB*nnz*h)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchB, "ns/example")
}

func sortedPairs(ids []int32, vals []float32) ([]int32, []float32) {
	p := pairs{ids, vals}
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && p.Less(j, j-1); j-- {
			p.Swap(j, j-1)
		}
	}
	return ids, vals
}

// BenchmarkMHCHeadStep is one training step of an MHC head (the head's
// dense layer, loss, and updates) on two shapes:
//   - delicious: 983 labels as 62 groups of 16, a beam of 16, a 64-wide
//     bottleneck over a 512-wide encoder output, 128 rows of 19 labels;
//   - amazon670k: Amazon-670K's config, 670,091 labels as 8,377 groups of
//     80, a beam of 75, a 400-wide bottleneck, 256 rows of 5 labels (drawn
//     uniformly), so that a step reaches most of the last level's 670,091
//     rows, as on the large sets; its tables and Adam state take 3.3 GB;
//   - amazon670k-rowwise: the same with train.rowwise_tables (one optimizer
//     value a row of the tables: 1.1 GB).
func BenchmarkMHCHeadStep(b *testing.B) {
	for _, sh := range []struct {
		name                      string
		rows, c, beam, dh, labels int
		lengths                   []int
		rowwise                   bool
	}{
		{"delicious", 128, 983, 16, 64, 19, []int{62, 16}, false},
		{"amazon670k", 256, 670091, 75, 400, 5, []int{8377, 80}, false},
		{"amazon670k-rowwise", 256, 670091, 75, 400, 5, []int{8377, 80}, true},
	} {
		b.Run(sh.name, func(b *testing.B) {
			benchMHCHeadStep(b, sh.rows, sh.c, sh.beam, sh.dh, sh.labels, sh.lengths, sh.rowwise)
		})
	}
}

func benchMHCHeadStep(b *testing.B, rows, c, beam, dh, nlabels int, lengths []int, rowwise bool) {
	const d = 512
	rng := rand.New(rand.NewPCG(1, 1))
	pool := nn.NewPool(0)
	codec, _ := heads.NewCodec(c, lengths)
	head, _ := heads.NewMHCHead(codec, dh, d, beam, true, 1, nil)
	outputs := head.Outputs()
	layer := nn.NewDenseLinear("head", d, outputs, true)
	layer.W.InitUniform(nil, 1, d, outputs, 1)
	opt, _ := nn.NewOptimizer(nn.Adam, 0, 0)
	for _, p := range head.Tables() {
		p.RowState = rowwise
	}
	for _, p := range append(layer.Params(), head.Params()...) {
		opt.Init(p)
	}
	workers := make([]heads.Worker, pool.Workers())
	for i := range workers {
		workers[i] = head.NewWorker()
	}
	x := randSlice(rng, rows*d, 1)
	logits := make([]float32, rows*outputs)
	dlogits := make([]float32, rows*outputs)
	dx := make([]float32, rows*d)
	labels := make([][]int32, rows)
	for i := range labels {
		seen := map[int32]bool{}
		for len(labels[i]) < nlabels {
			l := int32(rng.IntN(c))
			if !seen[l] {
				seen[l] = true
				labels[i] = append(labels[i], l)
			}
		}
		sortInt32(labels[i])
	}
	step := func() {
		layer.Forward(pool, x, rows, logits)
		head.BeginBatch(rows)
		pool.For(rows, rowChunk, func(w, lo, hi int) {
			for r := lo; r < hi; r++ {
				workers[w].Loss(r, logits[r*outputs:(r+1)*outputs], dlogits[r*outputs:(r+1)*outputs], labels[r], 1.0/float32(rows))
			}
		})
		opt.Begin()
		head.Update(pool, opt, logits, 1e-3)
		layer.Backward(pool, x, dlogits, rows, dx)
		opt.UpdateDense(pool, layer.W, 1e-3)
		opt.UpdateDense(pool, layer.B, 1e-3)
	}
	// Two steps first, so that the optimizer state's pages the step
	// reaches are resident (training's first epoch pays for them once).
	step()
	step()
	b.ResetTimer()
	for b.Loop() {
		step()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/example")
}

func sortInt32(s []int32) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// BenchmarkMHSHeadStep is one training step of a softmax classifier over
// 10^5 labels (encoder width 256, 128 rows with uniformly drawn labels):
// the full vanilla step against MHS-1 and MHS-2 with 1,000 heads of 100
// labels. The share metric is the fraction of the classifier a step
// computed; the step time should fall roughly in proportion to it.
func BenchmarkMHSHeadStep(b *testing.B) {
	const rows, d, c, groups = 128, 256, 100_000, 1000
	for _, tc := range []struct {
		name    string
		samples int // 0: vanilla
	}{{"vanilla", 0}, {"mhs1", 1}, {"mhs2", 2}} {
		b.Run(tc.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			pool := nn.NewPool(0)
			layer := nn.NewDenseLinear("head", d, c, true)
			layer.W.InitUniform(nil, 1, d, c, 1)
			opt, _ := nn.NewOptimizer(nn.Adam, 0, 0)
			opt.Init(layer.W)
			opt.Init(layer.B)
			var head heads.Head
			var mhs *heads.MHSHead
			if tc.samples == 0 {
				head, _ = heads.NewVanillaHead(c, heads.LossSoftmax)
			} else {
				codec, _ := heads.NewCodec(c, []int{groups, c / groups})
				mhs, _ = heads.NewMHSHead(codec, tc.samples, heads.LossSoftmax, 1)
				head = mhs
			}
			workers := make([]heads.Worker, pool.Workers())
			for i := range workers {
				workers[i] = head.NewWorker()
			}
			x := randSlice(rng, rows*d, 1)
			logits := make([]float32, rows*c)
			dlogits := make([]float32, rows*c)
			dx := make([]float32, rows*d)
			labels := make([][]int32, rows)
			keys := make([]int, rows)
			for i := range labels {
				labels[i] = []int32{int32(rng.IntN(c))}
				keys[i] = i
			}
			var share float64
			step := uint64(0)
			b.ResetTimer()
			for b.Loop() {
				out := c
				var blk *nn.Blocks
				if mhs != nil {
					blk = mhs.Select(labels, keys, step)
					out = blk.Width()
					share += float64(out) / c
					layer.ForwardBlocks(pool, x, rows, blk, logits)
				} else {
					share++
					layer.Forward(pool, x, rows, logits)
				}
				pool.For(rows, rowChunk, func(w, lo, hi int) {
					for r := lo; r < hi; r++ {
						workers[w].Loss(r, logits[r*out:(r+1)*out], dlogits[r*out:(r+1)*out], labels[r], 1.0/rows)
					}
				})
				opt.Begin()
				if mhs != nil {
					layer.BackwardBlocks(pool, opt, x, dlogits, rows, blk, dx, 1e-3)
				} else {
					layer.Backward(pool, x, dlogits, rows, dx)
					opt.UpdateDense(pool, layer.W, 1e-3)
					opt.UpdateDense(pool, layer.B, 1e-3)
				}
				step++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rows, "ns/example")
			b.ReportMetric(share/float64(b.N), "share")
		})
	}
}
