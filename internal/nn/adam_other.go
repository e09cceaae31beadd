//go:build !amd64

package nn

const useAdamVec = false

func adamVec(w, grad, m, v *float32, n int, k *adamConsts) {
	panic("nn: no vector Adam kernel on this architecture")
}
