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

// RowCoef is one term of AxpyRows: a row number and its coefficient.
type RowCoef struct {
	Row  int32
	Coef float32
}

// AxpyRows computes y += e.Coef · x[e.Row·stride : e.Row·stride+len(y)] for
// the entries in order: every element of y sees exactly the operations of
// one Axpy call per entry (so the same bits), but y stays in registers
// while the rows stream past.
func AxpyRows(y []float32, entries []RowCoef, x []float32, stride int) {
	n := len(y)
	if n == 0 || len(entries) == 0 {
		return
	}
	for _, e := range entries {
		if e.Row < 0 || int(e.Row)*stride+n > len(x) {
			panic("nn: AxpyRows: a row lies outside x")
		}
	}
	done := 0
	if hasAVX {
		done = n &^ 7
		if done > 0 {
			axpyRowsVec(&y[0], done, &entries[0], len(entries), &x[0], stride)
		}
	}
	if done < n {
		for _, e := range entries {
			xr := x[int(e.Row)*stride : int(e.Row)*stride+n]
			for i := done; i < n; i++ {
				y[i] += float32(e.Coef * xr[i])
			}
		}
	}
}
