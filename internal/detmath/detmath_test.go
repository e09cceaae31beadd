package detmath

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"

	"github.com/mhe-xlc/mhe/internal/testutil"
)

// inputs draws arguments over many magnitudes, both signs, and the edges:
// zeros, subnormals, infinities, NaN, and each function's own thresholds.
func inputs(n int, edges ...float64) []float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := append([]float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
		math.SmallestNonzeroFloat64, 2.2250738585072014e-308, math.MaxFloat64, 1, -1, 0.5, 2}, edges...)
	for _, e := range edges {
		xs = append(xs, math.Nextafter(e, math.Inf(1)), math.Nextafter(e, math.Inf(-1)), -e)
	}
	for range n {
		x := rng.Float64()
		switch rng.IntN(4) {
		case 0:
			x = (x - 0.5) * 40
		case 1:
			x = (x - 0.5) * 1500
		case 2:
			x = math.Ldexp(x, rng.IntN(2100)-1075)
		default:
			x = math.Float64frombits(rng.Uint64())
		}
		if rng.IntN(2) == 0 {
			x = -x
		}
		xs = append(xs, x)
	}
	return xs
}

func same(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (a != a && b != b)
}

func check(t *testing.T, name string, f, ref func(float64) float64, xs []float64) {
	t.Helper()
	bad := 0
	for _, x := range xs {
		if got, want := f(x), ref(x); !same(got, want) {
			if bad++; bad <= 5 {
				t.Errorf("%s(%v) = %v (%#x), math gives %v (%#x)", name, x, got, math.Float64bits(got), want, math.Float64bits(want))
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d arguments differ", name, bad, len(xs))
	}
}

// On amd64 with FMA, each function gives the math package's bits (what
// mhe's results were computed with); elsewhere the math package is what
// differs, and the same-bits test of cmd/mhe checks the results instead.
func mathIsReference(t *testing.T) {
	t.Helper()
	if runtime.GOARCH != "amd64" || !cpu.X86.HasAVX || !cpu.X86.HasFMA {
		t.Skipf("the reference is Go's math package on amd64 with FMA; this is %s", runtime.GOARCH)
	}
}

func TestExpMatchesMath(t *testing.T) {
	mathIsReference(t)
	check(t, "Exp", expGo, math.Exp, inputs(1_000_000, overflow, -708.39641853226408, -745.13321910194110, 0.5*math.Ln2, 1e-300))
}

func TestLogMatchesMath(t *testing.T) {
	mathIsReference(t)
	check(t, "Log", logGo, math.Log, inputs(1_000_000, math.Sqrt2/2, math.Sqrt2, math.E))
}

func TestTanhMatchesMath(t *testing.T) {
	mathIsReference(t)
	check(t, "Tanh", tanhGo, math.Tanh, inputs(1_000_000, 0.625, 44.014845965556525))
}

func TestCosMatchesMath(t *testing.T) {
	mathIsReference(t)
	xs := inputs(1_000_000, math.Pi, math.Pi/2, math.Pi/4, 1<<29)
	check(t, "Cos", cosGo, math.Cos, xs)
}

func TestLog2MatchesMath(t *testing.T) {
	mathIsReference(t)
	check(t, "Log2", Log2, math.Log2, inputs(1_000_000, 0.5, 3, 1024))
}

func TestPowMatchesMath(t *testing.T) {
	mathIsReference(t)
	rng := rand.New(rand.NewPCG(5, 6))
	ys := append(inputs(2000, 0.55, 1.0/3, 0.25, 1.5, 2.5), 3, -2, 10)
	xs := inputs(2000, 1e6, 100, 0.5)
	bad := 0
	for range 1_000_000 {
		x, y := xs[rng.IntN(len(xs))], ys[rng.IntN(len(ys))]
		if rng.IntN(2) == 0 {
			y = math.Round(y*8) / 8
		}
		if got, want := powGo(x, y), math.Pow(x, y); !same(got, want) {
			if bad++; bad <= 5 {
				t.Errorf("Pow(%v, %v) = %v, math gives %v", x, y, got, want)
			}
		}
	}
}

// Log1p is not math.Log1p's bits, but within 4 ulps of it.
func TestLog1pClose(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 1_000_000 {
		x := rng.Float64()*2 - 1
		if rng.IntN(3) == 0 {
			x = math.Ldexp(x, -rng.IntN(60))
		}
		got, want := Log1p(x), math.Log1p(x)
		if d := math.Abs(got - want); d > 4*ulp(want) {
			t.Fatalf("Log1p(%v) = %v, math.Log1p %v: %g ulps apart", x, got, want, d/ulp(want))
		}
	}
	if got := Log1p(0); got != 0 {
		t.Errorf("Log1p(0) = %v", got)
	}
}

func ulp(x float64) float64 {
	x = math.Abs(x)
	return math.Nextafter(x, math.Inf(1)) - x
}

var sink float64

// BenchmarkFuncs: each function (detmath: what mhe calls, the math
// package's on amd64 with FMA; go: the Go code other CPUs run) against the
// math package's, over a slowly moving argument (ns per call, latency-bound:
// each call waits for the last).
func BenchmarkFuncs(b *testing.B) {
	for _, c := range []struct {
		name string
		f    func(float64) float64
		x    float64
	}{
		{"Exp/detmath", Exp, -3}, {"Exp/go", expGo, -3}, {"Exp/math", math.Exp, -3},
		{"Log/detmath", Log, 0.5}, {"Log/go", logGo, 0.5}, {"Log/math", math.Log, 0.5},
		{"Tanh/detmath", Tanh, 0.1}, {"Tanh/go", tanhGo, 0.1}, {"Tanh/math", math.Tanh, 0.1},
	} {
		b.Run(c.name, func(b *testing.B) {
			x, s := c.x, 0.0
			for range b.N {
				s += c.f(x)
				x += 1e-6
			}
			sink = s
		})
	}
}

// TestOutputsGolden pins the bits of every function over a million
// arguments (testdata/outputs.txt, a hash per function; -update rewrites
// it), NaNs aside. On amd64 the tests above make these the math package's bits; built
// for another architecture (scripts/same-bits.sh runs it under qemu), this
// test shows that the Go code gives them there too.
func TestOutputsGolden(t *testing.T) {
	xs := inputs(1_000_000, overflow, 0.625, math.Sqrt2/2, math.Pi, 1<<29)
	var out strings.Builder
	for _, c := range []struct {
		name string
		f    func(float64) float64
	}{{"Exp", Exp}, {"Log", Log}, {"Log2", Log2}, {"Log1p", Log1p}, {"Tanh", Tanh},
		// Cos below 2^29 only: beyond, it is math.Cos, architecture's bits.
		{"Cos", func(x float64) float64 { return Cos(math.Mod(x, 1<<29)) }},
		{"Pow(x, 0.55)", func(x float64) float64 { return Pow(x, 0.55) }},
		{"Pow(x, -1.5)", func(x float64) float64 { return Pow(x, -1.5) }},
		{"Pow(1.7, x)", func(x float64) float64 { return Pow(1.7, x) }}} {
		h := sha256.New()
		var buf [8]byte
		for _, x := range xs {
			// A NaN's sign and payload are the CPU's (riscv64 makes every
			// NaN the canonical one): one NaN for all.
			y := c.f(x)
			if y != y {
				y = math.NaN()
			}
			binary.LittleEndian.PutUint64(buf[:], math.Float64bits(y))
			h.Write(buf[:])
		}
		fmt.Fprintf(&out, "%s %x\n", c.name, h.Sum(nil))
	}
	testutil.CheckGolden(t, "outputs.txt", []byte(out.String()))
}

// On amd64 with FMA the math package's assembly serves Exp and Log (the
// start-up check found it equal to the Go code). Without FMA, math.Exp
// differs from the Go code on about 9% of arguments (GODEBUG=cpu.fma=off:
// 9,257 of 100,000 in [-20, 20]); the check must then turn the fast path
// off, and it does for a function one ulp off on 2% of arguments.
func TestFastPaths(t *testing.T) {
	mathIsReference(t)
	if !fastExp || !fastLog {
		t.Errorf("fastExp %v, fastLog %v on amd64 with FMA, want both", fastExp, fastLog)
	}
	n := 0
	offSometimes := func(x float64) float64 {
		if n++; n%50 == 0 {
			return math.Nextafter(expGo(x), 0)
		}
		return expGo(x)
	}
	if agree(math.Exp, offSometimes, -40, 40) {
		t.Error("agree accepts a function one ulp off on 2% of arguments")
	}
}
