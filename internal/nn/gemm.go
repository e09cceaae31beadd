package nn

// The two matrix products of the dense layers' backward pass, computed row
// by row of C with Axpy. Every element of C sees exactly the operations of
// gonum's blas32 Gemm with alpha = 1 — C scaled by beta first (set to zero
// when beta is 0), then c += a_l·b_l for l ascending, skipping a_l = 0 — so
// the results are the same bits, and they do not depend on how the rows
// are shared between the pool's workers.

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
			ci := c[i*ldc : i*ldc+n]
			scaleRow(ci, beta)
			for l := range k {
				if v := a[i*ai+l*al]; v != 0 {
					Axpy(v, b[l*ldb:l*ldb+n], ci)
				}
			}
		}
	})
}
