package nn

import "unsafe"

// Axpy computes y += a·x (len(y) >= len(x)): 16 or 8 elements at a time
// with AVX-512 or AVX where the CPU has them, and one at a time otherwise
// and for the tail. Every element is one float32 multiplication then one
// float32 addition, never fused, so the result is the same bits on every
// path (and the same as gonum's blas32 Saxpy, which it replaces in the hot
// loops).
func Axpy(a float32, x, y []float32) {
	n := len(x)
	y = y[:n]
	done := 0
	if hasAVX512 && n >= 64 {
		done = n &^ 63
		axpyVec512(a, &x[0], &y[0], done)
	}
	if hasAVX && n-done >= 32 {
		d := (n - done) &^ 31
		axpyVec(a, &x[done], &y[done], d)
		done += d
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

// vecSpan is how many leading elements of n the 16-lane and then the
// 8-lane kernels take: [0, wide) and [wide, done).
func vecSpan(n int) (wide, done int) {
	if hasAVX512 {
		wide = n &^ 15
	}
	done = wide
	if hasAVX {
		done += (n - wide) &^ 7
	}
	return wide, done
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
	done := gatherVec(y, &entries[0].Row, &entries[0].Coef, int(unsafe.Sizeof(RowCoef{})), len(entries), x, stride)
	if done < n {
		for _, e := range entries {
			xr := x[int(e.Row)*stride : int(e.Row)*stride+n]
			for i := done; i < n; i++ {
				y[i] += float32(e.Coef * xr[i])
			}
		}
	}
}

// AxpyGather computes y += vals[k] · x[ids[k]·stride : ids[k]·stride+len(y)]
// for k in order (len(vals) >= len(ids)): a sparse row times a row-major
// matrix, with every element of y seeing exactly the operations of one Axpy
// call per k (so the same bits), y in registers while the rows stream past.
func AxpyGather(y []float32, ids []int32, vals []float32, x []float32, stride int) {
	n := len(y)
	if n == 0 || len(ids) == 0 {
		return
	}
	vals = vals[:len(ids)]
	for _, j := range ids {
		if j < 0 || int(j)*stride+n > len(x) {
			panic("nn: AxpyGather: a row lies outside x")
		}
	}
	done := gatherVec(y, &ids[0], &vals[0], 4, len(ids), x, stride)
	if done < n {
		for k, j := range ids {
			xr := x[int(j)*stride : int(j)*stride+n]
			a := vals[k]
			for i := done; i < n; i++ {
				y[i] += float32(a * xr[i])
			}
		}
	}
}

// gatherVec runs the vector gather kernels over the leading elements of y
// that they take (vecSpan): y += vals[k] · x[ids[k]·stride:] for the m
// entries in order, ids[k] and vals[k] lying k·step bytes after ids and
// vals. It returns where the Go tail starts. The callers check the rows.
func gatherVec(y []float32, ids *int32, vals *float32, step, m int, x []float32, stride int) (done int) {
	wide, done := vecSpan(len(y))
	if wide > 0 {
		axpyGatherVec512(&y[0], wide, ids, vals, step, m, &x[0], stride)
	}
	if done > wide {
		axpyGatherVec(&y[wide], done-wide, ids, vals, step, m, &x[wide], stride)
	}
	return done
}
