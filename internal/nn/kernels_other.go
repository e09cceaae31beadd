//go:build !amd64

package nn

// No vector kernels: the Go code runs. Variables, so that tests can set
// them as on amd64 (only ever to false here).
var (
	hasAVX    = false
	hasAVX512 = false
)

// dot is dotGo: gonum's amd64 bits, where gonum's Go code would differ.
func dot(x, y []float32) float32 { return dotGo(x, y) }

func sgdPlainVec(w, grad *float32, n int, k *sgdConsts) {
	panic("nn: no vector SGD kernel on this architecture")
}

func sgdMomentumVec(w, grad, m *float32, n int, k *sgdConsts) {
	panic("nn: no vector SGD kernel on this architecture")
}

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

func axpyTile512(a *float32, ai, al, k int, b *float32, ldb int, c *float32, ldc int) {
	panic("nn: no vector kernel on this architecture")
}

func adamVec512(w, grad, m, v *float32, n int, k *adamConsts) {
	panic("nn: no vector kernel on this architecture")
}

func axpyVec512(a float32, x, y *float32, n int) {
	panic("nn: no vector kernel on this architecture")
}

func axpyGatherVec(y *float32, n int, ids *int32, vals *float32, step, m int, x *float32, stride int) {
	panic("nn: no vector kernel on this architecture")
}

func axpyGatherVec512(y *float32, n int, ids *int32, vals *float32, step, m int, x *float32, stride int) {
	panic("nn: no vector kernel on this architecture")
}

func dotNT4x2(a *float32, lda int, b *float32, ldb, k, peel int, c *float32, ldc int) {
	panic("nn: no vector kernel on this architecture")
}

func sumSqVec(w, grad *float32, n int, l2 float32, p *[8]float32) {
	panic("nn: no vector row-wise kernel on this architecture")
}

func rowStepVec(w, grad *float32, n int, step, l2, dec float32) {
	panic("nn: no vector row-wise kernel on this architecture")
}
