package nn

// sgdConsts are the constants of one SGD step, laid out for the vector
// kernels (sgd_amd64.s reads them by offset: keep the order).
type sgdConsts struct {
	mu float32 // momentum (heavy ball); unused without a momentum buffer
	wd float32 // L2 weight decay added to the gradient
	lr float32 // learning rate
}

// sgd updates w (and the momentum buffer m, when it is not nil) from g:
// eight elements at a time with AVX where the CPU has it (AVX-512 machines
// too: there is no 16-lane SGD kernel, since the machine it was written on
// has no AVX-512 to test one), element by element (sgdScalar) otherwise and
// for the tail. Both round every operation to float32 in the same order, so
// the result is the same bits whichever runs.
func sgd(w, g, m []float32, k *sgdConsts) {
	n := len(w)
	g = g[:n]
	done := 0
	if hasAVX {
		done = n &^ 7
	}
	if m == nil {
		if done > 0 {
			sgdPlainVec(&w[0], &g[0], done, k)
		}
		sgdScalar(w[done:], g[done:], nil, k)
		return
	}
	m = m[:n]
	if done > 0 {
		sgdMomentumVec(&w[0], &g[0], &m[0], done, k)
	}
	sgdScalar(w[done:], g[done:], m[done:], k)
}

// sgdScalar is the reference update. Each product is rounded (float32(…))
// before it is added, so that no compiler fuses the two into one
// instruction, which rounds once: the same bits on arm64 as on amd64
// (scripts/same-bits.sh). The same rule holds for all of mhe's arithmetic
// that reaches a result.
func sgdScalar(w, g, m []float32, k *sgdConsts) {
	g = g[:len(w)]
	if m == nil {
		for i := range w {
			w[i] -= float32(k.lr * (g[i] + float32(k.wd*w[i])))
		}
		return
	}
	m = m[:len(w)]
	for i := range w {
		mi := float32(k.mu*m[i]) + g[i] + float32(k.wd*w[i])
		m[i] = mi
		w[i] -= float32(k.lr * mi)
	}
}
