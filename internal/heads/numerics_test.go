package heads

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestLog1pSmall(t *testing.T) {
	worst := 0.0
	for e := 0.0; e <= 1; e += 1e-5 {
		worst = math.Max(worst, math.Abs(log1pSmall(e)-math.Log1p(e)))
	}
	if worst > 2e-7 {
		t.Errorf("max |error| = %g", worst)
	}
}

func TestSigmoidSoftplus(t *testing.T) {
	for _, v := range []float32{-40, -5, -0.3, 0, 0.7, 6, 50} {
		s, sp := sigmoidSoftplus32(v)
		if !(math.Abs(float64(s)-1/(1+math.Exp(-float64(v)))) <= 1e-7) || !(math.Abs(float64(sp)-math.Log1p(math.Exp(float64(v)))) <= 2e-7) {
			t.Errorf("v=%v: σ=%v softplus=%v", v, s, sp)
		}
	}
}

func TestFastMath(t *testing.T) {
	worst := 0.0
	for x := float32(-87); x <= 0; x += 0.00071 {
		want := math.Exp(float64(x))
		worst = math.Max(worst, math.Abs(float64(expNeg(x))-want)/want)
	}
	if worst > 4e-7 {
		t.Errorf("expNeg max relative error %g", worst)
	}
	worst = 0
	for e := float32(0); e <= 1; e += 1e-4 {
		worst = math.Max(worst, math.Abs(float64(log1pUnit(e))-math.Log1p(float64(e))))
	}
	if worst > 3e-7 {
		t.Errorf("log1pUnit max error %g", worst)
	}
}

// The vector sigmoid/softplus gives sigmoidSoftplus32's bits for every
// value: zeros of both signs, the underflow edge at −87.3, huge and tiny
// logits, and a dense sweep.
func TestSigmoidSoftplusSliceMatchesScalar(t *testing.T) {
	if !useFastmathVec {
		t.Skip("no vector kernel on this CPU")
	}
	v := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 87.3, -87.3, 87.4, -87.4, 88, -88, 100, -100, 1e30, -1e30,
		1e-30, -1e-30, 1e-45, -1e-45, float32(math.Inf(1)), float32(math.Inf(-1)), 0.5, -0.5, 20, -20}
	for x := float32(-95); x < 95; x += 0.0137 {
		v = append(v, x)
	}
	rng := rand.New(rand.NewPCG(11, 3))
	for range 5000 {
		v = append(v, float32(rng.NormFloat64()*10))
	}
	for off := range 8 { // every start of the vector part and the tail
		in := v[off:]
		s, sp := make([]float32, len(in)), make([]float32, len(in))
		sigmoidSoftplusSlice(in, s, sp)
		matchesScalar(t, in, s, sp)
	}
}

// matchesScalar fails the test unless s and sp hold sigmoidSoftplus32's
// bits for every logit of v.
func matchesScalar(t *testing.T, v, s, sp []float32) {
	t.Helper()
	for i, x := range v {
		ws, wsp := sigmoidSoftplus32(x)
		if math.Float32bits(s[i]) != math.Float32bits(ws) || math.Float32bits(sp[i]) != math.Float32bits(wsp) {
			t.Fatalf("v=%v (%#x): vector σ %v softplus %v, scalar %v %v", x, math.Float32bits(x), s[i], sp[i], ws, wsp)
		}
	}
}
