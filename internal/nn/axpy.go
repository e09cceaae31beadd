package nn

// Axpy computes y += a·x (len(y) >= len(x)): eight elements at a time with
// AVX where the CPU has it, and one at a time otherwise and for the tail.
// Every element is one float32 multiplication then one float32 addition,
// never fused, so the result is the same bits on every path (and the same
// as gonum's blas32 Saxpy, which it replaces in the hot loops).
func Axpy(a float32, x, y []float32) {
	n := len(x)
	y = y[:n]
	done := 0
	if hasAVX && n >= 32 {
		done = n &^ 31
		axpyVec(a, &x[0], &y[0], done)
	}
	for i := done; i < n; i++ {
		y[i] += float32(a * x[i])
	}
}
