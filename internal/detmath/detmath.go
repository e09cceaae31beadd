// Package detmath gives the elementary functions that mhe's results depend
// on (Exp, Log, Tanh, Cos) the same bits on every architecture: the bits
// of Go's math package on amd64 with FMA, which mhe's reference results
// were computed with.
//
// Go's math package does not promise that: Exp and Log are assembly on
// amd64 (Exp takes another path on CPUs without FMA), Exp is other assembly
// on arm64, and where the functions are Go, compilers for arm64 and others
// fuse a multiplication and an addition into one instruction (the Go spec
// allows it), which rounds once instead of twice. Here every function is
// Go, written as the amd64 code computes it: math.FMA where that code uses
// a fused instruction, and explicit float64 conversions everywhere else, so
// that no compiler may fuse (Go spec, "Floating-point operators").
//
// The algorithms and constants are those of Go's math package (BSD-style
// license, Copyright The Go Authors), which took them from FreeBSD's msun
// (Log), Cephes (Tanh, Cos) and Naoki Shibata's SLEEF (Exp on amd64).
// The tests compare each function with the math package on amd64.
package detmath

import (
	"math"
	"math/rand/v2"
	"runtime"
)

// On amd64 the math package computes these functions exactly as the Go
// code below does, so they call it (its assembly is faster), provided it
// takes the path the Go code follows: math.Exp has another path for CPUs
// without FMA (or with GODEBUG=cpu.fma=off), so each fast path is switched
// on only after the math package and the Go code agreed on a few thousand
// arguments at start-up.
var (
	fastExp = runtime.GOARCH == "amd64" && agree(math.Exp, expGo, -40, 40)
	fastLog = runtime.GOARCH == "amd64" && agree(math.Log, logGo, 0, 1e6)
)

// agree reports whether f and g give the same bits on 4,096 arguments
// drawn from [lo, hi).
func agree(f, g func(float64) float64, lo, hi float64) bool {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 4096 {
		x := lo + (hi-lo)*rng.Float64()
		if math.Float64bits(f(x)) != math.Float64bits(g(x)) {
			return false
		}
	}
	return true
}

// Exp returns e**x, math.Exp's result on amd64 with FMA (expGo).
func Exp(x float64) float64 {
	if fastExp {
		return math.Exp(x)
	}
	return expGo(x)
}

// Log returns the natural logarithm of x, math.Log's result on amd64
// (logGo).
func Log(x float64) float64 {
	if fastLog {
		return math.Log(x)
	}
	return logGo(x)
}

// Tanh returns the hyperbolic tangent of x, math.Tanh's result on amd64
// with FMA (tanhGo).
func Tanh(x float64) float64 {
	if fastExp {
		return math.Tanh(x)
	}
	return tanhGo(x)
}

// Cos returns the cosine of x, math.Cos's result on amd64 (cosGo).
func Cos(x float64) float64 {
	if runtime.GOARCH == "amd64" {
		return math.Cos(x)
	}
	return cosGo(x)
}

// Pow returns x**y, math.Pow's result on amd64 with FMA (powGo).
func Pow(x, y float64) float64 {
	if fastExp && fastLog {
		return math.Pow(x, y)
	}
	return powGo(x, y)
}

const (
	ln2U     = 0.69314718055966295651160180568695068359375
	ln2L     = 0.28235290563031577122588448175013436025525412068e-12
	log2e    = 1.4426950408889634073599246810018920
	overflow = 7.09782712893384e+02

	roundMagic = 0x1.8p52
)

// expGo is e**x: math.Exp's result on amd64 with FMA (its assembly's
// FMA path: argument reduction by x·log2(e) rounded to an integer k, a
// Taylor series of e**(r/16), squared four times, then scaled by 2**k).
func expGo(x float64) float64 {
	bits := math.Float64bits(x)
	switch {
	case bits&^(1<<63) >= 0x7FF0000000000000: // ±Inf or NaN
		if bits == 0xFFF0000000000000 {
			return 0
		}
		return x
	case x > overflow:
		return math.Inf(1)
	}
	t := float64(log2e * x)
	// CVTSD2SL: t rounded to the nearest integer, ties to even, or the
	// "integer indefinite" value math.MinInt32 out of int32's range.
	k := int32(math.MinInt32)
	if t > -1<<31-1 {
		// Adding and subtracting 1.5·2^52 rounds |t| < 2^51 to an
		// integer, ties to even (IEEE's default rounding).
		if r := float64(t+roundMagic) - roundMagic; r >= math.MinInt32 {
			k = int32(r)
		}
	}
	kf := float64(k)
	r := math.FMA(-kf, ln2U, x)
	r = math.FMA(-kf, ln2L, r)
	r = r * 0.0625
	p := math.FMA(2.4801587301587301587e-5, r, 1.9841269841269841270e-4)
	p = math.FMA(p, r, 1.3888888888888888889e-3)
	p = math.FMA(p, r, 8.3333333333333333333e-3)
	p = math.FMA(p, r, 4.1666666666666666667e-2)
	p = math.FMA(p, r, 1.6666666666666666667e-1)
	p = math.FMA(p, r, 0.5)
	p = math.FMA(p, r, 1.0)
	r = float64(r * p)
	r = float64(r * (r + 2.0))
	r = float64(r * (r + 2.0))
	r = float64(r * (r + 2.0))
	r = math.FMA(r, r+2.0, 1.0)
	return scale(r, k)
}

// scale multiplies r by 2**k as the assembly does: in one step when
// 2**k is normal, in two when it is not, 0 below 2**-1074, +Inf above
// 2**1023.
func scale(r float64, k int32) float64 {
	e := int64(k) + 0x3FF
	if e <= 0 {
		if e < -52 {
			return 0
		}
		r *= math.Float64frombits(uint64(e+0x3FE) << 52)
		e = 1
	} else if e >= 0x7FF {
		return math.Inf(1)
	}
	return r * math.Float64frombits(uint64(e)<<52)
}

// logGo is the natural logarithm of x: math.Log's result on amd64 (its
// assembly, FreeBSD's e_log.c; like it, Log treats a subnormal x as if its
// exponent field were that of the smallest normal).
func logGo(x float64) float64 {
	const (
		hSqrt2 = 7.07106781186547524401e-01
		ln2Hi  = 6.93147180369123816490e-01
		ln2Lo  = 1.90821492927058770002e-10
		l1     = 6.666666666666735130e-01
		l2     = 3.999999999940941908e-01
		l3     = 2.857142874366239149e-01
		l4     = 2.222219843214978396e-01
		l5     = 1.818357216161805012e-01
		l6     = 1.531383769920937332e-01
		l7     = 1.479819860511658591e-01
	)
	bits := math.Float64bits(x)
	switch {
	case bits&^(1<<63) == 0:
		return math.Inf(-1)
	case int64(bits) < 0:
		return math.Float64frombits(0x7FF8000000000001)
	case bits >= 0x7FF0000000000000:
		return x
	}
	f1 := math.Float64frombits(bits&0x000FFFFFFFFFFFFF | 0x3FE0000000000000)
	k := float64(int32(bits>>52&0x7FF) - 0x3FE)
	if f1 < hSqrt2 {
		k--
		f1 *= 2
	}
	f := f1 - 1
	s := f / (2 + f)
	s2 := s * s
	s4 := s2 * s2
	t1 := float64(s2 * (float64(s4*(float64(s4*(float64(s4*l7)+l5))+l3)) + l1))
	t2 := float64(s4 * (float64(s4*(float64(s4*l6)+l4)) + l2))
	r := t1 + t2
	hfsq := float64(0.5 * f * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+r)) + float64(k*ln2Lo))) - f)
}

// tanhGo is the hyperbolic tangent of x: math.Tanh's result on amd64
// (Cephes's rational function near 0, 1 − 2/(e**2|x| + 1) beyond).
func tanhGo(x float64) float64 {
	const maxLog = 8.8029691931113054295988e+01 // log(2**127)
	const (
		p0, p1, p2 = -9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3
		q0, q1, q2 = 1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3
	)
	z := math.Abs(x)
	switch {
	case z > 0.5*maxLog:
		if x < 0 {
			return -1
		}
		return 1
	case z >= 0.625:
		s := Exp(2 * z)
		z = 1 - 2/(s+1)
		if x < 0 {
			z = -z
		}
	default:
		if x == 0 {
			return x
		}
		s := float64(x * x)
		num := float64(float64(float64(p0*s)+p1)*s) + p2
		den := float64(float64(float64(float64(s+q0)*s)+q1)*s) + q2
		z = x + x*s*num/den
	}
	return z
}

// cosGo is the cosine of x: math.Cos's result on amd64 for |x| < 2**29
// (Cody–Waite reduction by π/4 and Cephes's polynomials). Larger
// arguments, which mhe never takes, go to math.Cos, whose bits there
// depend on the architecture.
func cosGo(x float64) float64 {
	const (
		pi4A = 7.85398125648498535156e-1
		pi4B = 3.77489470793079817668e-8
		pi4C = 2.69515142907905952645e-15
	)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return math.NaN()
	}
	x = math.Abs(x)
	if x >= 1<<29 {
		return math.Cos(x)
	}
	j := uint64(float64(x * (4 / math.Pi)))
	y := float64(j)
	if j&1 == 1 {
		j++
		y++
	}
	j &= 7
	z := float64(float64(x-float64(y*pi4A))-float64(y*pi4B)) - float64(y*pi4C)
	sign := false
	if j > 3 {
		j -= 4
		sign = !sign
	}
	if j > 1 {
		sign = !sign
	}
	zz := z * z
	if j == 1 || j == 2 {
		p := poly(zz, 1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6,
			-1.98412698295895385996e-4, 8.33333333332211858878e-3, -1.66666666666666307295e-1)
		y = z + float64(float64(z*zz)*p)
	} else {
		p := poly(zz, -1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7,
			2.48015872888517045348e-5, -1.38888888888730564116e-3, 4.16666666666665929218e-2)
		y = float64(1.0-float64(0.5*zz)) + float64(float64(zz*zz)*p)
	}
	if sign {
		y = -y
	}
	return y
}

// poly is ((((c0·z + c1)·z + c2)·z + c3)·z + c4)·z + c5, each product
// rounded before its addition.
func poly(z float64, c ...float64) float64 {
	p := c[0]
	for _, ci := range c[1:] {
		p = float64(p*z) + ci
	}
	return p
}

// Log2 returns the binary logarithm of x: math.Log2's result on amd64.
func Log2(x float64) float64 {
	frac, exp := math.Frexp(x)
	if frac == 0.5 {
		return float64(exp - 1)
	}
	return float64(Log(frac)*(1/math.Ln2)) + float64(exp)
}

// powGo is x**y: math.Pow's result on amd64. Only its fractional part,
// e**(f·log x), is inexact in a way that depends on the architecture;
// the special cases (exact or math.Sqrt) and whole exponents (a product
// of repeated squares) are left to math.Pow.
func powGo(x, y float64) float64 {
	switch {
	case y == 0 || x == 1 || y == 1 || x == 0 || y == 0.5 || y == -0.5,
		math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0):
		return math.Pow(x, y)
	}
	yi, yf := math.Modf(math.Abs(y))
	if yf == 0 || x < 0 || yi >= 1<<63 {
		return math.Pow(x, y)
	}
	if yf > 0.5 {
		yf--
		yi++
	}
	a1 := Exp(yf * Log(x))
	ae := 0
	x1, xe := math.Frexp(x)
	for i := int64(yi); i != 0; i >>= 1 {
		if xe < -1<<12 || 1<<12 < xe {
			ae += xe
			break
		}
		if i&1 == 1 {
			a1 *= x1
			ae += xe
		}
		x1 = float64(x1 * x1)
		xe <<= 1
		if x1 < .5 {
			x1 += x1
			xe--
		}
	}
	if y < 0 {
		a1 = 1 / a1
		ae = -ae
	}
	return math.Ldexp(a1, ae)
}

// Log1p returns log(1 + x) for x > −1 as Log(u)·x/(u − 1), u = 1 + x
// (Goldberg's formula, within a few ulps of math.Log1p): math.Log1p is Go
// code whose products compilers for arm64 fuse, so it cannot be the
// reference, and this is built on Log.
func Log1p(x float64) float64 {
	u := 1 + x
	switch {
	case u == 1:
		return x
	case math.IsInf(u, 1) || math.IsNaN(u):
		return Log(u)
	}
	return Log(u) * (x / (u - 1))
}
