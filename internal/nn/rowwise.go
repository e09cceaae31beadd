package nn

import "math"

// Row-wise optimiser state. A parameter with RowState set keeps one value
// per row instead of Adam's two per element: v_r, a running mean of the
// row's squared gradient, and no momentum. A step on row r with gradient g
// (weight decay folded in as Adam or AdamW would) is
//
//	s   = mean_i g_i²
//	v_r = β2·v_r + (1−β2)·s
//	w_i = w_i − lr·g_i / (√(v_r / (1−β2^t)) + ε)
//
// with t the global step, like the lazy per-element update: a row's state
// decays only when a batch touches it. This is RMSprop with Adam's β2, ε
// and bias correction, one second moment a row, as large embedding tables
// are trained (row-wise AdaGrad keeps a sum where this keeps a mean). It
// stores one value a row where Adam stores 2·cols, and reads and writes
// the weights alone, which matters where the table is most of the model: MHC's label
// tables.

// rowwise is the row-wise update of one row w with gradient g and state v.
// The sum of squares runs in eight interleaved partial sums added in a
// fixed order, and every operation is rounded to float32, so the result is
// the same bits whether the AVX kernels or the Go code run, and for every
// thread count.
func rowwise(w, g []float32, v *float32, k *adamConsts) {
	n := len(w)
	g = g[:n]
	var p [8]float32
	i := 0
	if hasAVX && n >= 8 {
		i = n &^ 7
		sumSqVec(&w[0], &g[0], i, k.l2, &p)
	}
	for ; i+8 <= n; i += 8 {
		for j := range p {
			gi := g[i+j] + float32(k.l2*w[i+j])
			p[j] += float32(gi * gi)
		}
	}
	for ; i < n; i++ {
		gi := g[i] + float32(k.l2*w[i])
		p[0] += float32(gi * gi)
	}
	s := ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]))
	s = float32(s / float32(n))
	vr := float32(k.b2**v) + float32(k.c2*s)
	*v = vr
	d := float32(math.Sqrt(float64(float32(vr*k.ibc2)))) + k.eps
	step := float32(k.lr / d)
	i = 0
	if hasAVX && n >= 8 {
		i = n &^ 7
		rowStepVec(&w[0], &g[0], i, step, k.l2, k.decoupled)
	}
	for ; i < n; i++ {
		wi := w[i]
		gi := g[i] + float32(k.l2*wi)
		w[i] = wi - (float32(step*gi) + float32(k.decoupled*wi))
	}
}
