package nn

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// floats turns fuzz bytes into non-NaN float32s (four bytes each).
func floats(b []byte) []float32 {
	var out []float32
	for len(b) >= 4 {
		x := math.Float32frombits(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24)
		if x == x {
			out = append(out, x)
		}
		b = b[4:]
	}
	return out
}

// FuzzKernels: for any operands (NaNs left out), the vector Adam step gives
// the scalar reference's bits and Axpy gives gonum's Saxpy bits (on amd64,
// where gonum's are the reference: gonumref_test.go).
func FuzzKernels(f *testing.F) {
	f.Add([]byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"), float32(0.001), float32(0.01))
	f.Fuzz(func(t *testing.T, raw []byte, lr, wd float32) {
		x := floats(raw)
		n := len(x) / 4
		if n == 0 || lr != lr || wd != wd {
			return
		}
		w, g, m, v := x[:n], x[n:2*n], x[2*n:3*n], slices.Clone(x[3*n:4*n])
		for i := range v {
			v[i] = float32(math.Abs(float64(v[i])))
		}
		k := adamConsts{b1: 0.9, c1: 0.1, b2: 0.999, c2: 1 - float32(0.999), ibc2: 1.5, step: lr, eps: 1e-8, l2: wd, decoupled: lr * wd}
		w1, m1, v1 := slices.Clone(w), slices.Clone(m), slices.Clone(v)
		w2, m2, v2 := slices.Clone(w), slices.Clone(m), slices.Clone(v)
		adam(w1, g, m1, v1, &k)
		adamScalar(w2, g, m2, v2, &k)
		sameBits(t, "adam w", w1, w2)
		sameBits(t, "adam m", m1, m2)
		sameBits(t, "adam v", v1, v2)
		if gonumIsReference { // see gonumref_test.go
			y1, y2 := slices.Clone(m), slices.Clone(m)
			Axpy(lr, w, y1)
			impl.Saxpy(n, lr, w, 1, y2, 1)
			sameBits(t, "axpy", y1, y2)
		}
	})
}

// FuzzGemm: for any operands (NaNs left out), shape and alignment, the
// forward product gemmNT gives gonum's Gemm(NoTrans, Trans) bits and the
// backward one gemmNN gonum's Gemm(NoTrans, NoTrans) bits (amd64 only:
// gonumref_test.go).
func FuzzGemm(f *testing.F) {
	f.Add([]byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"), uint8(3), uint8(2), uint8(1))
	f.Fuzz(func(t *testing.T, raw []byte, mm, nn, off uint8) {
		if !gonumIsReference {
			t.Skip("gonum's Gemm is its generic Go code here, not the amd64 assembly whose bits the kernels give (TestGemmMatchesGonum's digests check them)")
		}
		x := floats(raw)
		m, n := int(mm%9)+1, int(nn%40)+1
		o := int(off % 4)
		k := (len(x) - o) / (m + n)
		if k < 1 {
			return
		}
		a, b := x[o:o+m*k], x[o+m*k:o+(m+n)*k]
		c := make([]float32, m*n)
		for i := range c {
			c[i] = x[i%len(x)]
		}
		want, got := slices.Clone(c), slices.Clone(c)
		gemmNT(NewPool(2), m, n, k, a, k, b, k, got, n)
		blas32.Gemm(blas.NoTrans, blas.Trans, 1, blas32.General{Rows: m, Cols: k, Stride: k, Data: a},
			blas32.General{Rows: n, Cols: k, Stride: k, Data: b}, 1, blas32.General{Rows: m, Cols: n, Stride: n, Data: want})
		sameBits(t, fmt.Sprintf("NT %d×%d×%d offset %d", m, n, k, o), got, want)
		want, got = slices.Clone(c), slices.Clone(c)
		gemmNN(NewPool(2), m, n, k, a, k, b, n, 1, got, n)
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, blas32.General{Rows: m, Cols: k, Stride: k, Data: a},
			blas32.General{Rows: k, Cols: n, Stride: n, Data: b}, 1, blas32.General{Rows: m, Cols: n, Stride: n, Data: want})
		sameBits(t, fmt.Sprintf("NN %d×%d×%d offset %d", m, n, k, o), got, want)
	})
}

// FuzzAxpyRows: for any rows of up to 256 values, row numbers and
// coefficients (NaNs left out), AxpyRows and AxpyGather give the bits of one
// Axpy per entry.
func FuzzAxpyRows(f *testing.F) {
	f.Add([]byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"), uint8(9), []byte{1, 0, 2, 1})
	f.Fuzz(func(t *testing.T, raw []byte, w uint8, rowBytes []byte) {
		x := floats(raw)
		width := int(w) + 1
		rows := len(x) / width
		if rows == 0 || len(rowBytes) == 0 {
			return
		}
		var ents []RowCoef
		for i, rb := range rowBytes {
			ents = append(ents, RowCoef{Row: int32(int(rb) % rows), Coef: x[i%len(x)]})
		}
		y1 := slices.Clone(x[:width])
		y2 := slices.Clone(y1)
		AxpyRows(y1, ents, x, width)
		for _, e := range ents {
			Axpy(e.Coef, x[int(e.Row)*width:int(e.Row)*width+width], y2)
		}
		sameBits(t, "AxpyRows against one Axpy per entry", y1, y2)
		ids, vals := make([]int32, len(ents)), make([]float32, len(ents))
		for k, e := range ents {
			ids[k], vals[k] = e.Row, e.Coef
		}
		y1 = slices.Clone(x[:width])
		AxpyGather(y1, ids, vals, x, width)
		sameBits(t, "AxpyGather against one Axpy per entry", y1, y2)
	})
}
