package heads

import "math"

// Cody–Waite constants of expNeg (and of the vector table below): log2(e)
// and ln 2 split into a part exact in float32 and the remainder; e^x
// underflows float32 below expMin.
const (
	log2e  = 1.44269504088896341
	ln2hi  = 0.693359375
	ln2lo  = -2.12194440e-4
	expMin = -87.3
)

// expNeg returns e^x for x <= 0 in float32 arithmetic: Cody–Waite range
// reduction x = n·ln2 + r, |r| <= ln2/2, and a degree-6 polynomial for e^r;
// relative error below 3e-7 (float32's resolution), deterministic.
func expNeg(x float32) float32 {
	if x < expMin {
		return 0
	}
	// The explicit conversions round every product before the addition
	// (no FMA on any target): sigmoidSoftplusVec repeats these operations
	// in this order and must give the same bits.
	n := float32(int32(float32(x*log2e) - 0.5)) // round to nearest (x <= 0)
	r := float32(x-float32(n*ln2hi)) - float32(n*ln2lo)
	p := float32(float32(1.0/720)*r) + float32(1.0/120)
	p = float32(p*r) + float32(1.0/24)
	p = float32(p*r) + float32(1.0/6)
	p = float32(p*r) + 0.5
	p = float32(p*r) + 1
	p = float32(p*r) + 1
	return float32(p * math.Float32frombits(uint32(int32(n)+127)<<23))
}

// log1pUnit is log(1+e) for e in [0, 1] in float32: 2·atanh(t) with
// t = e/(2+e) <= 1/3, five terms (absolute error below 2e-7).
func log1pUnit(e float32) float32 {
	t := e / (2 + e)
	t2 := t * t
	q := float32(t2*float32(1.0/11)) + float32(1.0/9)
	q = float32(t2*q) + float32(1.0/7)
	q = float32(t2*q) + float32(1.0/5)
	q = float32(t2*q) + float32(1.0/3)
	q = float32(t2*q) + 1
	return float32(float32(2*t) * q)
}

// sigmoidSoftplus32 returns σ(v) and log(1 + e^v) from one float32
// exponential of −|v|.
func sigmoidSoftplus32(v float32) (float32, float32) {
	a := v
	if a > 0 {
		a = -a
	}
	e := expNeg(a)
	s := 1 / (1 + e)
	if v < 0 {
		s *= e
	}
	return s, max(v, 0) + log1pUnit(e)
}

// sigmoidSoftplusSlice sets s[i] = σ(v[i]) and sp[i] = log(1 + e^v[i]):
// eight at a time with AVX2 where the CPU has it, the same bits as
// sigmoidSoftplus32 either way.
func sigmoidSoftplusSlice(v, s, sp []float32) {
	n := len(v)
	s, sp = s[:n], sp[:n]
	done := 0
	if useFastmathVec && n >= 8 {
		done = n &^ 7
		sigmoidSoftplusVec(&v[0], &s[0], &sp[0], done, &fastmathConsts)
	}
	for i := done; i < n; i++ {
		s[i], sp[i] = sigmoidSoftplus32(v[i])
	}
}

// fastmathConsts are sigmoidSoftplusVec's constants, each repeated over the
// eight lanes of a 256-bit register, in the order the assembly reads them.
var fastmathConsts = func() (k [18][8]uint32) {
	vals := []float32{log2e, 0.5, ln2hi, ln2lo, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 1, 2,
		1.0 / 11, 1.0 / 9, 1.0 / 7, 1.0 / 5, 1.0 / 3, expMin}
	for i, v := range vals {
		for j := range k[i] {
			k[i][j] = math.Float32bits(v)
		}
	}
	for j := range 8 {
		k[16][j] = 0x80000000 // sign bit
		k[17][j] = 127        // exponent bias
	}
	return k
}()
