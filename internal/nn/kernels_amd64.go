package nn

import (
	"golang.org/x/sys/cpu"
	"gonum.org/v1/gonum/blas/blas32"
)

// The vector kernels (AVX, 8 float32 lanes; AVX-512F, 16 lanes) and their
// Go declarations. Every kernel gives the bits of the Go code it stands for,
// so which one runs never changes a result; callers fall back to that code
// when the CPU has neither.

// dot is gonum's blas32 Dot of x and y (its SSE assembly; dotGo elsewhere).
func dot(x, y []float32) float32 {
	return blas32.Dot(blas32.Vector{N: len(x), Inc: 1, Data: x}, blas32.Vector{N: len(x), Inc: 1, Data: y})
}

// hasAVX: the CPU and the OS support 256-bit AVX.
var hasAVX = cpu.X86.HasAVX

// hasAVX512: the CPU and the OS support AVX-512F (16 float32 lanes).
// GODEBUG=cpu.avx512f=off turns it off (the AVX kernels then run, with the
// same results).
var hasAVX512 = cpu.X86.HasAVX512F

// sgdPlainVec applies sgdScalar's update without momentum to the first n
// elements (n a multiple of 8) with AVX. Implemented in sgd_amd64.s.
//
//go:noescape
func sgdPlainVec(w, grad *float32, n int, k *sgdConsts)

// sgdMomentumVec applies sgdScalar's update with momentum to the first n
// elements (n a multiple of 8) with AVX. Implemented in sgd_amd64.s.
//
//go:noescape
func sgdMomentumVec(w, grad, m *float32, n int, k *sgdConsts)

// adamVec applies adamScalar's update to the first n elements (n a
// multiple of 8), eight at a time with AVX. Implemented in adam_amd64.s.
//
//go:noescape
func adamVec(w, grad, m, v *float32, n int, k *adamConsts)

// axpyVec computes y[i] += a*x[i] for the first n elements (n a multiple of
// 32) with AVX. Implemented in axpy_amd64.s.
//
//go:noescape
func axpyVec(a float32, x, y *float32, n int)

// dotNT4 adds to c[r·ldc], r = 0..3, the dot product of row r of a (row
// stride lda) with b[:k], in gonum's DotUnitary summation order for a b
// whose first peel elements precede a 16-byte boundary. Implemented in
// dot_amd64.s.
//
//go:noescape
func dotNT4(a *float32, lda int, b *float32, k, peel int, c *float32, ldc int)

// dotNT4x2 is dotNT4 for two rows of b (b and b + ldb, which must have the
// same peel): c[r·ldc + j] += a row r · b row j for r < 4, j < 2, each in
// dotNT4's summation order. Implemented in dot2_amd64.s.
//
//go:noescape
func dotNT4x2(a *float32, lda int, b *float32, ldb, k, peel int, c *float32, ldc int)

// axpyTile adds to a 4 × 16 tile of C (row stride ldc) the products
// Â(r, l)·b[l·ldb : l·ldb+16], Â(r, l) = a[r·ai + l·al], for l = 0..k-1 in
// order, skipping zero Â(r, l): gemmAxpy's sequence of Axpy calls with the
// tile in registers. k >= 1. Implemented in axpytile_amd64.s.
//
//go:noescape
func axpyTile(a *float32, ai, al, k int, b *float32, ldb int, c *float32, ldc int)

// axpyTile512 is axpyTile with AVX-512F for a 4 × 32 tile of C.
// Implemented in axpytile512_amd64.s.
//
//go:noescape
func axpyTile512(a *float32, ai, al, k int, b *float32, ldb int, c *float32, ldc int)

// adamVec512 is adamVec with AVX-512F, n a multiple of 16. Implemented in
// adam512_amd64.s.
//
//go:noescape
func adamVec512(w, grad, m, v *float32, n int, k *adamConsts)

// axpyVec512 is axpyVec with AVX-512F, n a multiple of 64. Implemented in
// axpy512_amd64.s.
//
//go:noescape
func axpyVec512(a float32, x, y *float32, n int)

// axpyGatherVec adds vals[k] · x[ids[k]·stride:] to the first n elements of
// y (n a multiple of 8) for k = 0..m-1 in order (m >= 1), y in registers;
// ids[k] and vals[k] lie k·step bytes after ids and vals. Implemented in
// axpyrows_amd64.s.
//
//go:noescape
func axpyGatherVec(y *float32, n int, ids *int32, vals *float32, step, m int, x *float32, stride int)

// axpyGatherVec512 is axpyGatherVec with AVX-512F, n a multiple of 16.
// Implemented in axpy512_amd64.s.
//
//go:noescape
func axpyGatherVec512(y *float32, n int, ids *int32, vals *float32, step, m int, x *float32, stride int)

// sumSqVec adds to lane j of p the squares of g[i] + l2·w[i] for the first
// n elements, i ≡ j (mod 8) (n a multiple of 8), with AVX: rowwise's
// partial sums. Implemented in rowwise_amd64.s.
//
//go:noescape
func sumSqVec(w, grad *float32, n int, l2 float32, p *[8]float32)

// rowStepVec applies rowwise's step w[i] −= step·(g[i] + l2·w[i]) +
// dec·w[i] to the first n elements (n a multiple of 8) with AVX.
// Implemented in rowwise_amd64.s.
//
//go:noescape
func rowStepVec(w, grad *float32, n int, step, l2, dec float32)
