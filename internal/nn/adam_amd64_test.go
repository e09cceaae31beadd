package nn

import (
	"math"
	"slices"
	"testing"
)

// On a CPU without AVX, Axpy's scalar loop gives gonum's bits too.
func TestAxpyScalarPathMatchesGonum(t *testing.T) {
	saved := hasAVX
	hasAVX = false
	defer func() { hasAVX = saved }()
	x, y := make([]float32, 515), make([]float32, 515)
	for i := range x {
		x[i], y[i] = float32(math.Sin(float64(i)))*3, float32(math.Cos(float64(i)))*1e3
	}
	want := slices.Clone(y)
	impl.Saxpy(len(x), 0.37, x, 1, want, 1)
	Axpy(0.37, x, y)
	for i := range y {
		if math.Float32bits(y[i]) != math.Float32bits(want[i]) {
			t.Fatalf("element %d: %v, gonum %v", i, y[i], want[i])
		}
	}
}
