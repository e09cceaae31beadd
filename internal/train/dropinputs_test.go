package train

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/mhe-xlc/mhe/internal/nn"
)

func wideRow(n int, first int32) ([]int32, []float32) {
	ids := make([]int32, n)
	vals := make([]float32, n)
	for i := range ids {
		ids[i] = first + int32(3*i)
		vals[i] = 0.5 + float32(i%7)
	}
	return ids, vals
}

// rowAfterDrop returns row key's surviving features when it is put into a
// batch at position pos among other rows.
func rowAfterDrop(p float64, stream uint64, key, pos int) ([]int32, []float32) {
	var b nn.Batch
	b.Reset()
	keys := make([]int, 0, 4)
	for i := range 4 {
		if i == pos {
			b.Add(wideRow(2000, 0))
			keys = append(keys, key)
			continue
		}
		b.Add(wideRow(500+i, 7))
		keys = append(keys, 1000+i)
	}
	dropInputs(&b, p, 42, stream, keys)
	ids, vals := b.Row(pos)
	return slices.Clone(ids), slices.Clone(vals)
}

func TestDropInputs(t *testing.T) {
	allIDs, allVals := wideRow(2000, 0)
	for _, tc := range []struct {
		p      float64
		stream uint64
	}{{0, 1}, {0.1, 1}, {0.5, 1}, {0.5, 2}, {0.9, 3}} {
		ids, vals := rowAfterDrop(tc.p, tc.stream, 17, 0)
		// The same row keeps the same features wherever it sits in its batch.
		for pos := 1; pos < 4; pos++ {
			ids2, vals2 := rowAfterDrop(tc.p, tc.stream, 17, pos)
			if !slices.Equal(ids, ids2) || !slices.Equal(vals, vals2) {
				t.Fatalf("p %g: row 17 at position %d keeps other features than at position 0", tc.p, pos)
			}
		}
		// About 1-p of the features survive, in order, scaled by 1/(1-p).
		kept := float64(len(ids)) / float64(len(allIDs))
		if !(math.Abs(kept-(1-tc.p)) <= 0.04) {
			t.Errorf("p %g: kept %.3f of the features, want about %.3f", tc.p, kept, 1-tc.p)
		}
		j := 0
		for k, id := range ids {
			for allIDs[j] != id {
				j++
			}
			want := allVals[j] / float32(1-tc.p)
			if !(math.Abs(float64(vals[k]-want)) <= 1e-5) {
				t.Fatalf("p %g: feature %d value %g, want %g", tc.p, id, vals[k], want)
			}
		}
		if tc.p == 0 && !slices.Equal(ids, allIDs) {
			t.Error("p 0 changed the row")
		}
	}
	// Another epoch (stream) or another row draws another mask.
	a, _ := rowAfterDrop(0.5, 1, 17, 0)
	b, _ := rowAfterDrop(0.5, 2, 17, 0)
	c, _ := rowAfterDrop(0.5, 1, 18, 0)
	if slices.Equal(a, b) || slices.Equal(a, c) {
		t.Error("the mask does not change with the epoch or the row")
	}
}

// Seed 42's input dropout is pinned: a seed keeps the features it kept
// under an earlier mhe, and so trains the same model.
func TestDropInputsPinned(t *testing.T) {
	ids, _ := rowAfterDrop(0.5, 1, 17, 0)
	if got, want := fmt.Sprint(ids[:12]), "[0 9 21 30 33 36 45 51 54 57 63 72]"; got != want {
		t.Errorf("row 17's first kept features %s, want %s", got, want)
	}
}
