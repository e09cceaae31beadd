//go:build !amd64

package nn

const hasAVX = false

func adamVec(w, grad, m, v *float32, n int, k *adamConsts) {
	panic("nn: no vector Adam kernel on this architecture")
}

func axpyVec(a float32, x, y *float32, n int) {
	panic("nn: no vector axpy kernel on this architecture")
}

func dotNT4(a *float32, lda int, b *float32, k, peel int, c *float32, ldc int) {
	panic("nn: no vector dot kernel on this architecture")
}

func axpyTile(a *float32, ai, al, k int, b *float32, ldb int, c *float32, ldc int) {
	panic("nn: no vector axpy kernel on this architecture")
}

func axpyRowsVec(y *float32, n int, e *RowCoef, m int, x *float32, stride int) {
	panic("nn: no vector axpy kernel on this architecture")
}
