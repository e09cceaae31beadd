package nn

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// On a CPU without AVX or AVX-512, Axpy's scalar loop gives gonum's bits too.
func TestAxpyScalarPathMatchesGonum(t *testing.T) {
	kernelSets[2].use() // the Go code
	defer restoreKernels()
	x, y := make([]float32, 515), make([]float32, 515)
	for i := range x {
		x[i], y[i] = float32(math.Sin(float64(i)))*3, float32(math.Cos(float64(i)))*1e3
	}
	want := slices.Clone(y)
	impl.Saxpy(len(x), 0.37, x, 1, want, 1)
	Axpy(0.37, x, y)
	sameBits(t, "scalar axpy", y, want)
}

// Without AVX, gemmNT's per-element path gives gonum's bits too.
func TestGemmNTScalarPathMatchesGonum(t *testing.T) {
	kernelSets[2].use() // the Go code
	defer restoreKernels()
	m, n, k := 70, 130, 99 // gonum's 64-long pieces
	a, b, c := make([]float32, m*k+1), make([]float32, n*k+2), make([]float32, m*n)
	for i := range a {
		a[i] = float32(math.Sin(float64(i) * 0.7))
	}
	for i := range b {
		b[i] = float32(math.Cos(float64(i)*1.3)) * 5
	}
	want, got := slices.Clone(c), slices.Clone(c)
	blas32.Gemm(blas.NoTrans, blas.Trans, 1, blas32.General{Rows: m, Cols: k, Stride: k, Data: a[1:]},
		blas32.General{Rows: n, Cols: k, Stride: k, Data: b[2:]}, 1, blas32.General{Rows: m, Cols: n, Stride: n, Data: want})
	gemmNT(NewPool(2), m, n, k, a[1:], k, b[2:], k, got, n)
	sameBits(t, "scalar path", got, want)
}
