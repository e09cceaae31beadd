package nn

import (
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/mhe-xlc/mhe/internal/hugepage"
)

// Param is one trainable tensor (row-major Rows × Cols) with its gradient
// and optimiser state.
type Param struct {
	Name       string
	Rows, Cols int
	W          []float32
	// G is the dense gradient; nil for parameters updated lazily by rows
	// (the sparse input layer computes row gradients on the fly).
	G []float32
	// M and V are optimiser state (momentum / Adam moments); nil when the
	// optimiser needs none.
	M, V []float32
	// Decay says whether weight decay applies (weights yes, biases no).
	Decay bool
	// Dense says the parameter keeps a dense gradient G (allocated with W).
	Dense bool
	// RowState says Adam and AdamW keep this parameter's state by rows
	// (rowwise.go): V holds one value a row and M is nil. Set it before
	// the optimiser's Init; only parameters updated a whole row at a time
	// (UpdateRow) may have it.
	RowState bool
}

// NewParam allocates a zero tensor; dense says whether it keeps a dense
// gradient buffer.
func NewParam(name string, rows, cols int, dense, decay bool) *Param {
	return newParam(name, rows, cols, dense, decay, true)
}

// NewParamShape is a parameter updated by rows only (no dense gradient);
// with alloc false it has a shape but no storage (bound to a loaded file).
func NewParamShape(name string, rows, cols int, decay, alloc bool) *Param {
	return newParam(name, rows, cols, false, decay, alloc)
}

// Floats allocates n zero float32s for a tensor; large ones are backed by
// huge pages where the OS offers them (hugepage.Advise), unless
// hugepage.SetEnabled turned that off.
func Floats(n int) []float32 {
	b := make([]float32, n)
	hugepage.Advise(b)
	return b
}

func newParam(name string, rows, cols int, dense, decay, alloc bool) *Param {
	p := &Param{Name: name, Rows: rows, Cols: cols, Decay: decay, Dense: dense}
	if alloc {
		p.W = Floats(rows * cols)
		if dense {
			p.G = Floats(rows * cols)
		}
	}
	return p
}

// Size is Rows × Cols.
func (p *Param) Size() int { return p.Rows * p.Cols }

// Row returns row r of the weights.
func (p *Param) Row(r int) []float32 { return p.W[r*p.Cols : (r+1)*p.Cols] }

// nameStream derives a tensor's random stream from its name, so
// initialisation does not depend on the order tensors are created in.
func nameStream(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// initChunk is how many values one task of InitUniform draws.
const initChunk = 1 << 16

// InitUniform fills p with U(−a, a), a = gain·sqrt(6 / (fanIn + fanOut))
// (Glorot), from a stream seeded by seed and the tensor's name. With a pool
// the tensor is filled in parallel chunks, each starting from the state
// the stream reaches there, so the values are the same bits whatever the
// pool (nil: one goroutine).
func (p *Param) InitUniform(pool *Pool, seed uint64, fanIn, fanOut int, gain float64) {
	s0 := u128{seed, nameStream(p.Name)} // rand.NewPCG(seed, stream)'s state
	a := gain * math.Sqrt(6/float64(fanIn+fanOut))
	fill := func(w []float32, pcg *rand.PCG) {
		rng := rand.New(pcg)
		for i := range w {
			w[i] = float32((float64(2*float64(rng.Float64())) - 1) * a)
		}
	}
	if pool == nil || pool.Workers() < 2 || len(p.W) <= initChunk || !pcgJumpWorks() {
		fill(p.W, rand.NewPCG(s0.hi, s0.lo))
		return
	}
	pool.For(len(p.W), initChunk, func(_, lo, hi int) {
		s := pcgAdvance(s0, uint64(lo))
		fill(p.W[lo:hi], rand.NewPCG(s.hi, s.lo))
	})
}
