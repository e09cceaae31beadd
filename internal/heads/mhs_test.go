package heads

import (
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
// beyond C (the short last group) get none; without the last group every
// column is a label.
func TestMHSGradient(t *testing.T) {
	for _, loss := range []Loss{LossSoftmax, LossBCE} {
		for _, tc := range []struct {
			labels  []int32
			samples int
		}{{[]int32{21, 3}, 3}, {[]int32{3, 7}, 2}} {
			h := newTestMHS(t, 23, 5, tc.samples, loss)
			blk := h.Select([][]int32{tc.labels}, []int{1}, 1)
			dz := gradCheckWorker(t, h.NewWorker(), blk.Width(), tc.labels)
			if last := slices.Index(blk.IDs, 4); last >= 0 {
				for p := last*5 + 3; p < last*5+5; p++ {
					if dz[p] != 0 {
						t.Errorf("%s: padding column %d has gradient %v", loss, p, dz[p])
					}
				}
			} else if slices.Contains(dz, 0) {
				t.Errorf("%s %v: a label column has no gradient: %v", loss, blk.IDs, dz)
			}
		}
	}
}
