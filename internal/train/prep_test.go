package train

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/mhe-xlc/mhe/internal/data"
)

// The feature hash is part of every hashed model: a feature must land in
// the bucket it landed in when the model was trained. It is SplitMix64's
// step (its first output from state 0 is 0xe220a8397b1dcdaf).
func TestBucketPinned(t *testing.T) {
	if got := splitmix(0); got != 0xe220a8397b1dcdaf {
		t.Errorf("splitmix(0) = %#x, want SplitMix64's 0xe220a8397b1dcdaf", got)
	}
	var got []int32
	for _, j := range []int32{0, 1, 2, 499, 1 << 30} {
		got = append(got, bucket(j, 1<<20))
	}
	if want := []int32{904623, 154817, 480974, 386815, 102143}; !slices.Equal(got, want) {
		t.Errorf("buckets %v, want %v", got, want)
	}
}

// refTransform is the preprocessing as the model card states it: hash
// (features sharing a bucket add up), multiply by the IDF weight where the
// feature has one, then scale to unit L2 norm (a row of zeros stays so).
func refTransform(p Preprocess, ids []int32, vals []float32) ([]int32, []float64) {
	sum := map[int32]float64{}
	for k, j := range ids {
		if p.Hash > 0 {
			j = bucket(j, p.Hash)
		}
		sum[j] += float64(vals[k])
	}
	var out []int32
	for j := range sum {
		out = append(out, j)
	}
	slices.Sort(out)
	v := make([]float64, len(out))
	var ss float64
	for k, j := range out {
		v[k] = sum[j]
		if int(j) < len(p.IDF) {
			v[k] *= float64(p.IDF[j])
		}
		ss += v[k] * v[k]
	}
	if p.Normalize && ss > 0 {
		for k := range v {
			v[k] /= math.Sqrt(ss)
		}
	}
	return out, v
}

// Apply (a matrix) and ApplyRow (one streamed row) give every row the
// transform refTransform gives, and the same bits as each other.
func TestPreprocessRows(t *testing.T) {
	rows := [][2][]float32{
		{{3, 7, 9}, {1, 2, 3}},
		{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, -1, 2, -2, 3, -3, 0.5, 4, 1, 1}},
		{{}, {}},         // no features
		{{5}, {0}},       // a stored zero
		{{2, 9}, {4, 3}}, // 9: past a short IDF
	}
	idf := []float32{1.5, 0.5, 2, 1, 3, 0.25, 1, 2}
	for _, p := range []Preprocess{
		{InputFeatures: 10},
		{InputFeatures: 10, Normalize: true},
		{InputFeatures: 10, IDF: idf, Normalize: true},
		{InputFeatures: 10, IDF: idf},
		{InputFeatures: 10, Hash: 4},
		{InputFeatures: 10, Hash: 3, Normalize: true},
		{InputFeatures: 10, Hash: 4, IDF: idf[:3], Normalize: true},
	} {
		t.Run(fmt.Sprintf("hash%d-idf%d-norm%v", p.Hash, len(p.IDF), p.Normalize), func(t *testing.T) {
			x := data.NewCSR(10, len(rows), 0, false)
			for _, r := range rows {
				ids := make([]int32, len(r[0]))
				for k, f := range r[0] {
					ids[k] = int32(f)
				}
				x.AppendRow(ids, r[1])
			}
			m := p.Apply(x.Clone())
			if m.Rows != len(rows) || m.Cols != p.Features() {
				t.Fatalf("Apply: %d × %d, want %d × %d", m.Rows, m.Cols, len(rows), p.Features())
			}
			var rs RowScratch
			for i := range rows {
				in, iv := x.Row(i)
				wantIDs, wantVals := refTransform(p, in, iv)
				mi, mv := m.Row(i)
				ri, rv := p.ApplyRow(&rs, in, iv)
				if !slices.Equal(mi, ri) || !slices.Equal(mv, rv) {
					t.Errorf("row %d: matrix %v %v, streamed %v %v", i, mi, mv, ri, rv)
				}
				if !slices.Equal(mi, wantIDs) {
					t.Errorf("row %d: features %v, want %v", i, mi, wantIDs)
					continue
				}
				for k, w := range wantVals {
					if !(math.Abs(float64(mv[k])-w) <= 1e-6*max(1, math.Abs(w))) {
						t.Errorf("row %d: value %d is %v, want %v", i, k, mv[k], w)
					}
				}
			}
		})
	}
}

// Features that share a bucket add up in the order the row lists them (in
// float32, where order changes the sum): a hashed model's inputs, and so
// its predictions' bits, depend on it.
func TestHashSumOrder(t *testing.T) {
	p := Preprocess{InputFeatures: 1000, Hash: 4}
	var same []int32 // three features of one bucket
	for j := int32(0); len(same) < 3; j++ {
		if bucket(j, 4) == bucket(0, 4) {
			same = append(same, j)
		}
	}
	var rs RowScratch
	ids, vals := p.ApplyRow(&rs, same, []float32{1, 1e8, -1e8})
	// (1 + 1e8) − 1e8 is 0 in float32; summed from the end it would be 1.
	if len(ids) != 1 || ids[0] != bucket(0, 4) || vals[0] != 0 {
		t.Errorf("bucket sums %v %v, want [%d] [0] (1 + 1e8 − 1e8 in the row's order)", ids, vals, bucket(0, 4))
	}
}
