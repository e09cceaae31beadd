package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// rowwiseRef is the row-wise step in float64, from the formula in
// rowwise.go, for one row over t steps of the given gradients.
func rowwiseRef(w []float64, grads [][]float64, lr, wd float64, decoupled bool) []float64 {
	w = append([]float64(nil), w...)
	var v float64
	for t, g := range grads {
		bc2 := 1 - math.Pow(0.999, float64(t+1))
		gd := make([]float64, len(w))
		var s float64
		for i := range w {
			gd[i] = g[i]
			if !decoupled {
				gd[i] += wd * w[i]
			}
			s += gd[i] * gd[i]
		}
		v = 0.999*v + 0.001*s/float64(len(w))
		d := math.Sqrt(v/bc2) + 1e-8
		for i := range w {
			dec := 0.0
			if decoupled {
				dec = lr * wd * w[i] // of the weight before the step
			}
			w[i] -= lr*gd[i]/d + dec
		}
	}
	return w
}

// A parameter with row-wise state keeps one value a row, no momentum, and
// steps as the formula says: Adam's L2 or AdamW's decoupled decay, rows of
// any width (the partial sums' tail), rows not touched left alone.
func TestRowwiseStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		kind OptKind
		cols int
		wd   float64
	}{
		{Adam, 1, 0}, {Adam, 7, 0}, {Adam, 8, 0.01}, {Adam, 37, 0.1}, {AdamW, 16, 0.1}, {AdamW, 300, 0},
	} {
		opt, _ := NewOptimizer(tc.kind, 0, tc.wd)
		p := NewParamShape("e", 3, tc.cols, true, true)
		p.RowState = true
		for i := range p.W {
			p.W[i] = float32(rng.NormFloat64())
		}
		opt.Init(p)
		if p.M != nil || len(p.V) != 3 || opt.StateFloats(p) != 3 {
			t.Fatalf("%s cols %d: state m %d v %d (StateFloats %d), want no m and 3 values", tc.kind, tc.cols, len(p.M), len(p.V), opt.StateFloats(p))
		}
		w0 := make([]float64, tc.cols)
		for i := range w0 {
			w0[i] = float64(p.W[tc.cols+i])
		}
		untouched := append([]float32(nil), p.Row(0)...)
		var grads [][]float64
		for range 5 {
			g := make([]float32, tc.cols)
			g64 := make([]float64, tc.cols)
			for i := range g {
				g[i] = float32(rng.NormFloat64())
				g64[i] = float64(g[i])
			}
			grads = append(grads, g64)
			opt.Begin()
			opt.UpdateRow(p, 1, g, 0.01)
		}
		want := rowwiseRef(w0, grads, 0.01, tc.wd, tc.kind == AdamW)
		for i, w := range p.Row(1) {
			if !(math.Abs(float64(w)-want[i]) <= 1e-5*(1+math.Abs(want[i]))) {
				t.Errorf("%s cols %d wd %g: w[%d] = %v, want %v", tc.kind, tc.cols, tc.wd, i, w, want[i])
				break
			}
		}
		for i, w := range p.Row(0) {
			if w != untouched[i] {
				t.Errorf("%s cols %d: row 0, never updated, changed", tc.kind, tc.cols)
				break
			}
		}
		if p.V[0] != 0 || p.V[2] != 0 || !(p.V[1] > 0) {
			t.Errorf("%s cols %d: state %v, want only row 1's set", tc.kind, tc.cols, p.V)
		}
	}
}

// The first step moves each element of the row by −lr·g_i/rms(g): after
// bias correction the state is the row's mean squared gradient.
func TestRowwiseFirstStep(t *testing.T) {
	opt, _ := NewOptimizer(Adam, 0, 0)
	p := NewParamShape("e", 1, 2, false, true)
	p.RowState = true
	opt.Init(p)
	opt.Begin()
	opt.UpdateRow(p, 0, []float32{3, -4}, 0.1) // rms = √(25/2)
	rms := math.Sqrt(12.5)
	if !(math.Abs(float64(p.W[0])+0.3/rms) <= 1e-6) || !(math.Abs(float64(p.W[1])-0.4/rms) <= 1e-6) {
		t.Errorf("w = %v, want [%v %v]", p.W, -0.3/rms, 0.4/rms)
	}
}

// SGD keeps no second moment: RowState leaves its momentum per element.
func TestRowStateUnderSGD(t *testing.T) {
	opt, _ := NewOptimizer(SGD, 0.9, 0)
	p := NewParamShape("e", 4, 3, true, true)
	p.RowState = true
	opt.Init(p)
	if len(p.M) != 12 || p.V != nil || opt.StateFloats(p) != 12 {
		t.Errorf("sgd with momentum: m %d v %d StateFloats %d, want 12, 0, 12", len(p.M), len(p.V), opt.StateFloats(p))
	}
}

// The row-wise step gives the Go code's bits with every kernel set, for
// every length and alignment, with L2 or decoupled decay, and for values
// from zeros to extremes.
func TestRowwiseKernelsMatchGo(t *testing.T) { eachKernelSet(t, testRowwiseKernelsMatchGo) }

func testRowwiseKernelsMatchGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	val := func() float32 { return extremeFloat(rng) }
	for _, k := range []adamConsts{
		{b2: 0.999, c2: 1 - float32(0.999), ibc2: 1 / 0.001999, eps: 1e-8, lr: 0.002},
		{b2: 0.999, c2: 1 - float32(0.999), ibc2: 1.7, eps: 1e-8, l2: 1e-4, lr: 0.01},
		{b2: 0.99, c2: 0.01, ibc2: 1, eps: 1e-6, decoupled: 1e-5, lr: 0.001},
	} {
		for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100, 300, 1000} {
			for off := range 3 {
				w, g := make([]float32, n+off), make([]float32, n+off)
				for i := range w {
					w[i], g[i] = val(), val()
				}
				v := float32(math.Abs(float64(val())))
				w2, v2 := append([]float32(nil), w...), v
				rowwise(w[off:], g[off:], &v, &k)
				avx, avx512 := hasAVX, hasAVX512
				hasAVX, hasAVX512 = false, false
				rowwise(w2[off:], g[off:], &v2, &k)
				hasAVX, hasAVX512 = avx, avx512
				what := fmt.Sprintf("%+v n=%d off=%d", k, n, off)
				sameBits(t, what+" w", w, w2)
				sameBits(t, what+" v", []float32{v}, []float32{v2})
			}
		}
	}
}

// UpdateRows over a run of rows gives the bits of UpdateRow on each, with
// and without row-wise state, for each optimizer (rows 2–5 of 7, with
// widths that end inside and on a vector).
func TestUpdateRowsMatchesUpdateRow(t *testing.T) {
	for _, kind := range []OptKind{SGD, Adam, AdamW} {
		for _, rowwise := range []bool{false, true} {
			for _, cols := range []int{1, 5, 16, 37} {
				var w [2][]float32
				for way := range w {
					opt, _ := NewOptimizer(kind, 0.9, 0.01)
					p := NewParamShape("e", 7, cols, true, true)
					p.RowState = rowwise && kind != SGD
					for i := range p.W {
						p.W[i] = float32(i%11) - 5
					}
					opt.Init(p)
					g := make([]float32, 4*cols)
					for step := range 3 {
						for i := range g {
							g[i] = float32((i*7+step*3)%13) - 6
						}
						opt.Begin()
						if way == 0 {
							opt.UpdateRows(p, 2, 6, g, 0.05)
						} else {
							for r := 2; r < 6; r++ {
								opt.UpdateRow(p, r, g[(r-2)*cols:(r-1)*cols], 0.05)
							}
						}
					}
					w[way] = p.W
				}
				for i := range w[0] {
					if math.Float32bits(w[0][i]) != math.Float32bits(w[1][i]) {
						t.Fatalf("%s rowwise %v cols %d: element %d = %v by UpdateRows, %v by UpdateRow", kind, rowwise, cols, i, w[0][i], w[1][i])
					}
				}
			}
		}
	}
}
