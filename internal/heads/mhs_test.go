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
	// Deterministic for the same keys and stream (Select returns the
	// head's own block, so the first selection is copied before the next).
	first := slices.Clone(blk.IDs)
	if again := h.Select(labels, []int{10, 11, 12}, 3).IDs; !slices.Equal(again, first) {
		t.Errorf("same seed, keys and stream gave %v, then %v", first, again)
	}
	one := newTestMHS(t, 23, 5, 1, LossSoftmax)
	if got := one.Select(labels, []int{10, 11, 12}, 3).IDs; !slices.Equal(got, []int32{0, 1, 4}) {
		t.Errorf("MHS-1 selects only the positive groups, got %v", got)
	}
}

// Each row gets its own groups and samples − |own| other groups, distinct
// (all the groups when there are fewer); a batch's selection does not
// depend on the batch before it, and another stream or row key draws other
// groups.
func TestMHSSelectSamples(t *testing.T) {
	h := newTestMHS(t, 1000, 100, 8, LossSoftmax) // 100 groups of 10
	sel := func(labels []int32, key int, stream uint64) []int32 {
		return slices.Clone(h.Select([][]int32{labels}, []int{key}, stream).IDs)
	}
	for _, labels := range [][]int32{{5}, {5, 7}, {5, 15, 25}, {}} {
		own := map[int32]bool{}
		for _, l := range labels {
			own[l/10] = true
		}
		got := sel(labels, 1, 1)
		if len(got) != 8 || len(slices.Compact(slices.Clone(got))) != 8 {
			t.Errorf("labels %v: %d groups %v, want 8 distinct", labels, len(got), got)
		}
		for g := range own {
			if !slices.Contains(got, g) {
				t.Errorf("labels %v: own group %d missing from %v", labels, g, got)
			}
		}
	}
	a := sel([]int32{5}, 1, 1)
	b := sel([]int32{995}, 2, 1) // another batch in between
	if again := sel([]int32{5}, 1, 1); !slices.Equal(again, a) {
		t.Errorf("the same row after another batch: %v, before %v", again, a)
	}
	if !slices.Contains(b, 99) {
		t.Errorf("second batch %v misses its own group 99", b)
	}
	if other := sel([]int32{5}, 1, 2); slices.Equal(other, a) {
		t.Errorf("another stream drew the same groups %v", a)
	}
	if other := sel([]int32{5}, 3, 1); slices.Equal(other, a) {
		t.Errorf("another row key drew the same groups %v", a)
	}
	// More samples than groups: every group, once.
	few := newTestMHS(t, 23, 5, 9, LossSoftmax)
	if got := few.Select([][]int32{{1}, {22}}, []int{1, 2}, 1).IDs; !slices.Equal(got, []int32{0, 1, 2, 3, 4}) {
		t.Errorf("9 samples of 5 groups: %v, want every group", got)
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
