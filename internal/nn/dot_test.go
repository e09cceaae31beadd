package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas/blas32"
)

// dotGo gives the bits of gonum's blas32 Dot for every length, every start
// of either slice (the peel depends on the second's alignment) and awkward
// values. On amd64 this compares the Go code with gonum's assembly, which
// is what makes dotGo's bits on other architectures those of amd64.
func TestDotGoMatchesGonum(t *testing.T) {
	ref := newGonumRef(t)
	defer ref.done("4bcc43426fc3292f35327437350f400c669bcbf47663f09d9db1822470830185")
	rng := rand.New(rand.NewPCG(3, 4))
	buf := Floats(4096)
	for trial := range 20000 {
		n := rng.IntN(90)
		if trial%10 == 0 {
			n = rng.IntN(600)
		}
		xo, yo := rng.IntN(8), rng.IntN(8)
		x, y := make([]float32, n+xo)[xo:], buf[yo:yo+n]
		for i := range x {
			x[i], y[i] = extremeFloat(rng), extremeFloat(rng)
		}
		want := blas32.Dot(blas32.Vector{N: n, Inc: 1, Data: x}, blas32.Vector{N: n, Inc: 1, Data: y})
		got := dotGo(x, y)
		ref.check(fmt.Sprintf("n %d, x offset %d, y offset %d", n, xo, yo), []float32{got}, []float32{want})
	}
}
