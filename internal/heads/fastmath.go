package heads

import "math"

// expNeg returns e^x for x <= 0 in float32 arithmetic: Cody–Waite range
// reduction x = n·ln2 + r, |r| <= ln2/2, and a degree-6 polynomial for e^r;
// relative error below 3e-7 (float32's resolution), deterministic.
func expNeg(x float32) float32 {
	if x < -87.3 {
		return 0
	}
	const (
		log2e = 1.44269504088896341
		ln2hi = 0.693359375
		ln2lo = -2.12194440e-4
	)
	n := float32(int32(x*log2e - 0.5)) // round to nearest (x <= 0)
	r := x - n*ln2hi - n*ln2lo
	p := float32(1.0/720)*r + float32(1.0/120)
	p = p*r + float32(1.0/24)
	p = p*r + float32(1.0/6)
	p = p*r + 0.5
	p = p*r + 1
	p = p*r + 1
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// log1pUnit is log(1+e) for e in [0, 1] in float32: 2·atanh(t) with
// t = e/(2+e) <= 1/3, five terms (absolute error below 2e-7).
func log1pUnit(e float32) float32 {
	t := e / (2 + e)
	t2 := t * t
	return 2 * t * (1 + t2*(1.0/3+t2*(1.0/5+t2*(1.0/7+t2*(1.0/9+t2*(1.0/11))))))
}
