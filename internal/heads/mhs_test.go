package heads

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func newTestMHS(t *testing.T, c, groups, samples int, loss Loss) *MHSHead {
	t.Helper()
	lengths, err := GroupLengths(c, groups)
	if err != nil {
		t.Fatal(err)
	}
	codec, err := NewCodec(c, lengths)
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewMHSHead(codec, samples, loss, 7)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestMHSSelect(t *testing.T) {
	h := newTestMHS(t, 23, 5, 2, LossSoftmax) // 5 groups of 5 (the last holds 3)
	labels := [][]int32{{1}, {22}, {7}}
	blk := h.Select(labels, []int{10, 11, 12}, 3)
	// Positives: groups 0, 4, 1; each row adds one more group.
	for _, g := range []int32{0, 1, 4} {
		if !slices.Contains(blk.IDs, g) {
			t.Errorf("positive group %d not selected: %v", g, blk.IDs)
		}
	}
	if len(blk.IDs) < 3 || len(blk.IDs) > 5 || !slices.IsSorted(blk.IDs) {
		t.Errorf("selection %v", blk.IDs)
	}
	// Deterministic for the same keys and stream; different for another stream.
	again := slices.Clone(h.Select(labels, []int{10, 11, 12}, 3).IDs)
	if !slices.Equal(again, blk.IDs) {
		t.Error("same seed, keys and stream gave another selection")
	}
	one := newTestMHS(t, 23, 5, 1, LossSoftmax)
	if got := one.Select(labels, []int{10, 11, 12}, 3).IDs; !slices.Equal(got, []int32{0, 1, 4}) {
		t.Errorf("MHS-1 selects only the positive groups, got %v", got)
	}
}

// The loss over the selected labels has the right gradient, and columns
// beyond C (the short last group) get none.
func TestMHSGradient(t *testing.T) {
	for _, loss := range []Loss{LossSoftmax, LossBCE} {
		h := newTestMHS(t, 23, 5, 3, loss)
		labels := []int32{21, 3}
		blk := h.Select([][]int32{labels}, []int{1}, 1)
		w := h.NewWorker()
		rng := rand.New(rand.NewPCG(2, 2))
		z := make([]float32, blk.Width())
		for i := range z {
			z[i] = 2*rng.Float32() - 1
		}
		dz := make([]float32, len(z))
		w.Loss(0, z, dz, labels, 1)
		scratch := make([]float32, len(z))
		for i := range z {
			old := z[i]
			z[i] = old + 1e-3
			up := w.Loss(0, z, scratch, labels, 1)
			z[i] = old - 1e-3
			down := w.Loss(0, z, scratch, labels, 1)
			z[i] = old
			if num := (up - down) / 2e-3; math.Abs(float64(num-dz[i])) > 5e-3 {
				t.Fatalf("%s: d/dz[%d] = %v, numerical %v", loss, i, dz[i], num)
			}
		}
		last := slices.Index(blk.IDs, 4)
		for p := last*5 + 3; p < last*5+5; p++ {
			if dz[p] != 0 {
				t.Errorf("%s: padding column %d has gradient %v", loss, p, dz[p])
			}
		}
	}
}
