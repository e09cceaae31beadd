package nn

import "math"

// adamConsts are the per-step constants of one Adam/AdamW update, laid out
// for the vector kernel (adam_amd64.s reads them by offset: keep the order).
type adamConsts struct {
	b1, c1    float32 // β1, 1−β1
	b2, c2    float32 // β2, 1−β2
	ibc2      float32 // 1 / (1−β2^t)
	step      float32 // lr / (1−β1^t)
	eps       float32
	l2        float32 // L2 weight decay added to the gradient (Adam)
	decoupled float32 // lr × weight decay (AdamW)
	lr        float32 // the learning rate (row-wise state only; not read by the kernels)
}

// adam updates w, m and v from g: the vector kernels where the CPU has
// them (AVX-512, then AVX), element by element (adamScalar) otherwise and
// for the tail. All round every operation to float32 in the same order, so
// the result is the same bits whichever runs, and does not depend on where
// a slice starts.
func adam(w, g, m, v []float32, k *adamConsts) {
	n := len(w)
	m, v, g = m[:n], v[:n], g[:n]
	wide, done := vecSpan(n)
	if wide > 0 {
		adamVec512(&w[0], &g[0], &m[0], &v[0], wide, k)
	}
	if done > wide {
		adamVec(&w[wide], &g[wide], &m[wide], &v[wide], done-wide, k)
	}
	adamScalar(w[done:], g[done:], m[done:], v[done:], k)
}

// adamScalar is the reference update. The explicit float32 conversions
// forbid the compiler to fuse a multiplication and an addition (Go may
// otherwise use FMA on some targets), which keeps it bit-identical to the
// vector kernel.
func adamScalar(w, g, m, v []float32, k *adamConsts) {
	n := len(w)
	m, v, g = m[:n], v[:n], g[:n]
	for i := range w {
		wi := w[i]
		gi := g[i] + float32(k.l2*wi)
		mi := float32(k.b1*m[i]) + float32(k.c1*gi)
		vi := float32(k.b2*v[i]) + float32(float32(k.c2*gi)*gi)
		m[i], v[i] = mi, vi
		d := float32(math.Sqrt(float64(float32(vi*k.ibc2)))) + k.eps
		w[i] = wi - (float32(k.step*mi)/d + float32(k.decoupled*wi))
	}
}
