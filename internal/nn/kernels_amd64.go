package nn

import "golang.org/x/sys/cpu"

// The vector kernels (AVX, 8 float32 lanes) and their Go declarations.
// Their callers fall back to Go code with the same bits when hasAVX is false.

// hasAVX: the CPU and the OS support 256-bit AVX.
var hasAVX = cpu.X86.HasAVX

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

// axpyTile adds to a 4 × 16 tile of C (row stride ldc) the products
// Â(r, l)·b[l·ldb : l·ldb+16], Â(r, l) = a[r·ai + l·al], for l = 0..k-1 in
// order, skipping zero Â(r, l): gemmAxpy's sequence of Axpy calls with the
// tile in registers. k >= 1. Implemented in axpytile_amd64.s.
//
//go:noescape
func axpyTile(a *float32, ai, al, k int, b *float32, ldb int, c *float32, ldc int)

// axpyRowsVec adds e.Coef · x[e.Row·stride:] to the first n elements of y
// (n a multiple of 8) for the m >= 1 entries in order, y in registers.
// Implemented in axpyrows_amd64.s.
//
//go:noescape
func axpyRowsVec(y *float32, n int, e *RowCoef, m int, x *float32, stride int)
