package heads

import (
	"math"
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
		s, sp := sigmoidSoftplus(v)
		if math.Abs(float64(s)-1/(1+math.Exp(-float64(v)))) > 1e-7 || math.Abs(sp-math.Log1p(math.Exp(float64(v)))) > 2e-7 {
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
