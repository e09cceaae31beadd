package nn

// dotGo is gonum's DotUnitary for amd64 (internal/asm/f32,
// dotunitary_amd64.s) written in Go: the same products and additions in
// the same order, each rounded to float32, so that it gives the asm's bits
// on every architecture. gonum's own Go version, which other architectures
// build, adds the products one after the other, and compilers for arm64
// and others fuse its multiplications and additions; the explicit float32
// conversions below forbid that (Go spec, "Floating-point operators").
//
// The order: single products into lane 0 until y reaches a 16-byte
// boundary; then blocks of 16, lanes 0–3 and 8–11 into one four-lane sum
// and lanes 4–7 and 12–15 into another, which are added lane by lane after
// the blocks; then groups of four into the first sum, single products into
// its lane 0, and at the end (s0 + s1) + (s2 + s3).
func dotGo(x, y []float32) float32 {
	n := min(len(x), len(y))
	if n == 0 {
		return 0
	}
	x, y = x[:n], y[:n]
	var s, p [4]float32
	i := min(dotPeel(&y[0]), n)
	for k := 0; k < i; k++ {
		s[0] += float32(x[k] * y[k])
	}
	if i < n {
		rest := n - i
		if rest >= 16 {
			for ; i+16 <= n; i += 16 {
				a, b := x[i:i+16], y[i:i+16]
				for l := range 4 {
					s[l] += float32(a[l] * b[l])
					p[l] += float32(a[4+l] * b[4+l])
					s[l] += float32(a[8+l] * b[8+l])
					p[l] += float32(a[12+l] * b[12+l])
				}
			}
			for l := range 4 {
				s[l] += p[l]
			}
		}
		for ; i+4 <= n; i += 4 {
			for l := range 4 {
				s[l] += float32(x[i+l] * y[i+l])
			}
		}
		for ; i < n; i++ {
			s[0] += float32(x[i] * y[i])
		}
	}
	return (s[0] + s[1]) + (s[2] + s[3])
}
