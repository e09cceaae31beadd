package heads

import "golang.org/x/sys/cpu"

// useFastmathVec: the CPU has AVX2 (256-bit float and integer lanes).
var useFastmathVec = cpu.X86.HasAVX2

// sigmoidSoftplusVec is sigmoidSoftplus32 over the first n elements (n a
// multiple of 8), eight lanes at a time. Implemented in fastmath_amd64.s.
//
//go:noescape
func sigmoidSoftplusVec(v, s, sp *float32, n int, k *[18][8]uint32)
