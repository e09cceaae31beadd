//go:build !amd64

package heads

const useFastmathVec = false

func sigmoidSoftplusVec(v, s, sp *float32, n int, k *[18][8]uint32) {
	panic("heads: no vector sigmoid kernel on this architecture")
}
