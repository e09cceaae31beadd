package nn

// Kernels names the vector kernels this process runs: "avx512" (AVX-512F,
// 16 float32 lanes), "avx" (256-bit AVX, 8 lanes) or "go" (none: the Go
// code, on CPUs without AVX and on every architecture but amd64). Each set
// computes the same bits; they differ in speed only, so run records keep
// it beside the CPU to tell apart times taken on different nodes.
func Kernels() string {
	switch {
	case hasAVX512:
		return "avx512"
	case hasAVX:
		return "avx"
	}
	return "go"
}
