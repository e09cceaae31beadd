package nn

import (
	"fmt"

	"github.com/mhe-xlc/mhe/internal/detmath"
)

// OptKind is an optimisation algorithm.
type OptKind string

const (
	SGD   OptKind = "sgd"   // SGD with (heavy-ball) momentum, L2 weight decay
	Adam  OptKind = "adam"  // Adam, L2 weight decay added to the gradient
	AdamW OptKind = "adamw" // Adam with decoupled weight decay
)

// Optimizer updates parameters. Dense parameters are updated in full each
// step; the sparse input layer is updated lazily, row by row, only where
// the batch has features (LazyAdam-style: a row's moments decay only when it
// is touched, bias correction uses the global step).
type Optimizer struct {
	Kind        OptKind
	Momentum    float32 // SGD
	Beta1       float32 // Adam
	Beta2       float32
	Eps         float32
	WeightDecay float32

	step     int64
	bc1, bc2 float32
}

// NewOptimizer returns an optimiser with the usual constants.
func NewOptimizer(kind OptKind, momentum, weightDecay float64) (*Optimizer, error) {
	switch kind {
	case SGD, Adam, AdamW:
	default:
		return nil, fmt.Errorf("nn: unknown optimizer %q", kind)
	}
	return &Optimizer{Kind: kind, Momentum: float32(momentum), Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: float32(weightDecay)}, nil
}

// Step is the number of steps taken.
func (o *Optimizer) Step() int64 { return o.step }

// SetStep restores the step counter (resume).
func (o *Optimizer) SetStep(s int64) {
	o.step = s
	o.corrections()
}

// Begin starts a step (advances the counter used for bias correction).
func (o *Optimizer) Begin() {
	o.step++
	o.corrections()
}

func (o *Optimizer) corrections() {
	o.bc1 = float32(1 - detmath.Pow(float64(o.Beta1), float64(o.step)))
	o.bc2 = float32(1 - detmath.Pow(float64(o.Beta2), float64(o.step)))
}

// Slots is the number of state values the optimiser keeps per parameter
// value: Init allocates that many arrays the size of the parameter (M,
// then V).
func (o *Optimizer) Slots() int {
	switch {
	case o.Kind != SGD:
		return 2
	case o.Momentum > 0:
		return 1
	}
	return 0
}

// rowState says whether o keeps p's state by rows.
func (o *Optimizer) rowState(p *Param) bool { return p.RowState && o.Kind != SGD }

// StateFloats is the number of state values Init allocates for p: Slots()
// arrays the size of p, or one value a row with row-wise state.
func (o *Optimizer) StateFloats(p *Param) int64 {
	if o.rowState(p) {
		return int64(p.Rows)
	}
	return int64(o.Slots()) * int64(p.Size())
}

// Init allocates p's optimiser state.
func (o *Optimizer) Init(p *Param) {
	if o.rowState(p) {
		p.M, p.V = nil, Floats(p.Rows)
		return
	}
	slots := o.Slots()
	if slots >= 1 {
		p.M = Floats(p.Size())
	}
	if slots >= 2 {
		p.V = Floats(p.Size())
	}
}

// Apply updates w with gradient g (same length) and the matching slices of
// the state m and v.
func (o *Optimizer) Apply(w, g, m, v []float32, lr float32, decay bool) {
	wd := o.decayRate(decay)
	switch o.Kind {
	case SGD:
		sgd(w, g, m, &sgdConsts{mu: o.Momentum, wd: wd, lr: lr})
	case Adam, AdamW:
		k := o.adamConsts(lr, wd)
		adam(w, g, m, v, &k)
	}
}

// decayRate is the weight decay of a parameter that decays (weights) or
// not (biases).
func (o *Optimizer) decayRate(decay bool) float32 {
	if !decay {
		return 0
	}
	return o.WeightDecay
}

// adamConsts are the constants of an Adam or AdamW step at learning rate
// lr with weight decay wd.
func (o *Optimizer) adamConsts(lr, wd float32) adamConsts {
	k := adamConsts{b1: o.Beta1, c1: 1 - o.Beta1, b2: o.Beta2, c2: 1 - o.Beta2,
		ibc2: 1 / o.bc2, step: lr / o.bc1, eps: o.Eps, l2: wd, lr: lr}
	if o.Kind == AdamW {
		k.l2, k.decoupled = 0, lr*wd
	}
	return k
}

// UpdateDense applies the optimiser to a whole parameter from p.G, in
// parallel chunks, and clears the gradient.
func (o *Optimizer) UpdateDense(pool *Pool, p *Param, lr float32) {
	pool.For(p.Size(), 1<<14, func(_, lo, hi int) {
		var m, v []float32
		if p.M != nil {
			m = p.M[lo:hi]
		}
		if p.V != nil {
			v = p.V[lo:hi]
		}
		o.Apply(p.W[lo:hi], p.G[lo:hi], m, v, lr, p.Decay)
		clear(p.G[lo:hi])
	})
}

// applyRange applies the optimiser to elements [lo, hi) of p with gradient g.
func (o *Optimizer) applyRange(p *Param, lo, hi int, g []float32, lr float32) {
	var m, v []float32
	if p.M != nil {
		m = p.M[lo:hi]
	}
	if p.V != nil {
		v = p.V[lo:hi]
	}
	o.Apply(p.W[lo:hi], g, m, v, lr, p.Decay)
}

// UpdateRows applies the optimiser to rows [lo, hi) of p with gradient g
// ((hi−lo) × Cols): the same as UpdateRow on each row, in one call.
func (o *Optimizer) UpdateRows(p *Param, lo, hi int, g []float32, lr float32) {
	if o.rowState(p) {
		for r := lo; r < hi; r++ {
			o.UpdateRow(p, r, g[(r-lo)*p.Cols:(r-lo+1)*p.Cols], lr)
		}
		return
	}
	o.applyRange(p, lo*p.Cols, hi*p.Cols, g[:(hi-lo)*p.Cols], lr)
}

// UpdateRow applies the optimiser to row r of p with gradient g.
func (o *Optimizer) UpdateRow(p *Param, r int, g []float32, lr float32) {
	if o.rowState(p) {
		k := o.adamConsts(lr, o.decayRate(p.Decay))
		rowwise(p.Row(r), g, &p.V[r], &k)
		return
	}
	o.applyRange(p, r*p.Cols, (r+1)*p.Cols, g, lr)
}
