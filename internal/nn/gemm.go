package nn

import "unsafe"

// The dense layers' matrix products. Every element of C sees exactly the
// operations of gonum's blas32 Gemm with alpha = 1, so the results are the
// same bits as gonum's, and they do not depend on how the rows are shared
// between the pool's workers:
//   - backward (gemmNN, gemmTN): C scaled by beta first (set to zero when
//     beta is 0), then c += a_l·b_l for l ascending, skipping a_l = 0; four
//     rows × 16 columns of C at a time in registers (axpyTile; 4 × 32 with
//     AVX-512, axpyTile512), the rest with Axpy;
//   - forward (gemmNT): c += DotUnitary(a_i, b_j) over gonum's k pieces.

// gemmRows is how many rows of C one task computes.
const gemmRows = 8

// scaleRow applies gonum's beta rule to one row of C.
func scaleRow(c []float32, beta float32) {
	switch beta {
	case 1:
	case 0:
		clear(c)
	default:
		for j := range c {
			c[j] *= beta
		}
	}
}

// gemmNN computes C = A·B + beta·C for A m×k, B k×n and C m×n, row-major
// with row strides lda, ldb and ldc.
func gemmNN(pool *Pool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmAxpy(pool, m, n, k, a, lda, 1, b, ldb, beta, c, ldc)
}

// gemmTN computes C = Aᵀ·B + beta·C for A k×m, B k×n and C m×n.
func gemmTN(pool *Pool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmAxpy(pool, m, n, k, a, 1, lda, b, ldb, beta, c, ldc)
}

// gemmAxpy computes C = Â·B + beta·C where Â(i, l) = a[i·ai + l·al].
func gemmAxpy(pool *Pool, m, n, k int, a []float32, ai, al int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	pool.For(m, gemmRows, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			scaleRow(c[i*ldc:i*ldc+n], beta)
		}
		// Rows [lo, tiled) × columns [0, j0) go through axpyTile; the rest
		// takes one Axpy per nonzero element of Â.
		tiled, j0 := lo, 0
		if hasAVX && k > 0 && n >= axpyTileCols {
			if len(a) <= (hi-1)*ai+(k-1)*al || len(b) < (k-1)*ldb+n || len(c) < (hi-1)*ldc+n {
				panic("nn: gemmAxpy: a matrix is shorter than its shape")
			}
			tiled, j0 = lo+(hi-lo)&^3, n&^(axpyTileCols-1)
			// Column strips outermost, so that a strip of B stays in the
			// cache for all the row groups of the chunk: strips of 32
			// columns with AVX-512, then one of 16.
			j := 0
			if hasAVX512 {
				for ; j+2*axpyTileCols <= j0; j += 2 * axpyTileCols {
					for r := lo; r < tiled; r += 4 {
						axpyTile512(&a[r*ai], ai, al, k, &b[j], ldb, &c[r*ldc+j], ldc)
					}
				}
			}
			for ; j < j0; j += axpyTileCols {
				for r := lo; r < tiled; r += 4 {
					axpyTile(&a[r*ai], ai, al, k, &b[j], ldb, &c[r*ldc+j], ldc)
				}
			}
		}
		for i := lo; i < hi; i++ {
			from := 0
			if i < tiled {
				from = j0
			}
			if from == n {
				continue
			}
			ci := c[i*ldc+from : i*ldc+n]
			for l := range k {
				if v := a[i*ai+l*al]; v != 0 {
					Axpy(v, b[l*ldb+from:l*ldb+n], ci)
				}
			}
		}
	})
}

// axpyTileCols is the width of axpyTile's tile.
const axpyTileCols = 16

// gonum's Gemm cuts C into blocks of gonumBlock × gonumBlock and, when there
// are at least gonumMinParBlocks of them, sums each element's dot product
// over k in pieces of gonumBlock; otherwise it takes one dot over all of k.
const (
	gonumBlock        = 64
	gonumMinParBlocks = 4
)

// gemmNT computes C += A·Bᵀ for A m×k and B n×k, row-major with row strides
// lda and ldb, the dense layers' forward product. Every element of C sees
// the operations of gonum's blas32 Gemm(NoTrans, Trans) with alpha = beta =
// 1 — the same k pieces, each a DotUnitary added to c — so the result is the
// same bits whatever the worker count. The tasks are gonum's 64 × 64 tiles
// of C. With AVX, four rows of A share each load of a row of B, and two rows
// of B each load of a row of A (dotNT4x2, or dotNT4 for a row of B alone);
// otherwise, and for a tile's last rows short of four, gonum's own dot does
// the work.
func gemmNT(pool *Pool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if len(a) < (m-1)*lda+k || len(b) < (n-1)*ldb+k || len(c) < (m-1)*ldc+n {
		panic("nn: gemmNT: a matrix is shorter than its shape")
	}
	piece := k
	if blocksOf(m)*blocksOf(n) >= gonumMinParBlocks {
		piece = gonumBlock
	}
	// One task per gonumBlock × gonumBlock tile of C, so that the tile's
	// rows of A and B stay in the cache while its dot products run.
	nb := blocksOf(n)
	pool.For(blocksOf(m)*nb, 1, func(_, t, _ int) {
		i0, j0 := t/nb*gonumBlock, t%nb*gonumBlock
		i1, j1 := min(i0+gonumBlock, m), min(j0+gonumBlock, n)
		for k0 := 0; k0 < k; k0 += piece {
			kl := min(piece, k-k0)
			i := i0
			if hasAVX {
				for ; i+4 <= i1; i += 4 {
					ai := &a[i*lda+k0]
					for j := j0; j < j1; j++ {
						bj := &b[j*ldb+k0]
						peel := min(dotPeel(bj), kl)
						if j+1 < j1 && peel == min(dotPeel(&b[(j+1)*ldb+k0]), kl) {
							dotNT4x2(ai, lda, bj, ldb, kl, peel, &c[i*ldc+j], ldc)
							j++
							continue
						}
						dotNT4(ai, lda, bj, kl, peel, &c[i*ldc+j], ldc)
					}
				}
			}
			for ; i < i1; i++ {
				x := a[i*lda+k0 : i*lda+k0+kl]
				for j := j0; j < j1; j++ {
					c[i*ldc+j] += dot(x, b[j*ldb+k0:j*ldb+k0+kl])
				}
			}
		}
	})
}

func blocksOf(n int) int { return (n + gonumBlock - 1) / gonumBlock }

// dotPeel is how many elements DotUnitary adds one at a time before its
// second operand reaches a 16-byte boundary.
func dotPeel(p *float32) int {
	if r := int(uintptr(unsafe.Pointer(p)) & 15); r != 0 {
		return (16 - r) / 4
	}
	return 0
}

// DotRows sets out[r] = a[r·lda : r·lda+len(x)] · x for r < len(out), each
// the same bits as gonum's blas32 Dot of that row with x (DotUnitary's
// summation order), four rows at a time with AVX.
func DotRows(a []float32, lda int, x []float32, out []float32) {
	rows, k := len(out), len(x)
	if rows == 0 {
		return
	}
	if len(a) < (rows-1)*lda+k {
		panic("nn: DotRows: a is shorter than its rows")
	}
	clear(out)
	r := 0
	if hasAVX && k > 0 {
		peel := min(dotPeel(&x[0]), k)
		for ; r+4 <= rows; r += 4 {
			dotNT4(&a[r*lda], lda, &x[0], k, peel, &out[r], 1)
		}
	}
	for ; r < rows; r++ {
		out[r] = dot(a[r*lda:r*lda+k], x)
	}
}
