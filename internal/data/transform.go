package data

import (
	"math"
	"slices"

	"github.com/mhe-xlc/mhe/internal/detmath"
)

// NormalizeRows scales every row of m to unit L2 norm in place. Rows without
// entries (or with only zeros) are left as they are.
func NormalizeRows(m *CSR) {
	if m.Values == nil {
		return
	}
	for i := 0; i < m.Rows; i++ {
		_, vals := m.Row(i)
		var ss float64
		for _, v := range vals {
			ss += float64(float64(v) * float64(v))
		}
		if ss == 0 {
			continue
		}
		inv := float32(1 / math.Sqrt(ss))
		for k := range vals {
			vals[k] *= inv
		}
	}
}

// IDF returns smoothed inverse document frequencies of m's columns,
// idf_j = ln((1+N)/(1+df_j)) + 1, the form scikit-learn uses. Fit it on the
// training rows and apply the same vector to every split.
func IDF(m *CSR) []float32 {
	df := m.ColumnCounts()
	idf := make([]float32, m.Cols)
	n := float64(m.Rows)
	for j, c := range df {
		idf[j] = float32(detmath.Log((1+n)/(1+float64(c))) + 1)
	}
	return idf
}

// ScaleColumns multiplies every stored value by w[column] in place (tf-idf
// re-weighting with w = IDF(train)). Columns beyond len(w) keep their value.
func ScaleColumns(m *CSR, w []float32) {
	if m.Values == nil {
		return
	}
	for k, c := range m.Indices {
		if int(c) < len(w) {
			m.Values[k] *= w[c]
		}
	}
}

// EmptyCounts counts rows without labels, without features, and without
// either.
type EmptyCounts struct {
	NoLabels   int `json:"no_labels"`
	NoFeatures int `json:"no_features"`
	Neither    int `json:"neither"`
}

// CountEmpty counts the empty rows of d.
func CountEmpty(d *Dataset) EmptyCounts {
	var e EmptyCounts
	for i := 0; i < d.Rows(); i++ {
		e.add(d.X.RowLen(i), d.Y.RowLen(i))
	}
	return e
}

// add counts a row of nf features and nl labels.
func (e *EmptyCounts) add(nf, nl int) {
	if nl == 0 {
		e.NoLabels++
	}
	if nf == 0 {
		e.NoFeatures++
	}
	if nl == 0 && nf == 0 {
		e.Neither++
	}
}

// DropEmpty returns the rows of d that have at least one label (when
// noLabels) and at least one feature (when noFeatures), and the number of
// rows dropped.
func DropEmpty(d *Dataset, noLabels, noFeatures bool) (*Dataset, int) {
	if !noLabels && !noFeatures {
		return d, 0
	}
	keep := make([]int, 0, d.Rows())
	for i := 0; i < d.Rows(); i++ {
		if (noLabels && d.Y.RowLen(i) == 0) || (noFeatures && d.X.RowLen(i) == 0) {
			continue
		}
		keep = append(keep, i)
	}
	if len(keep) == d.Rows() {
		return d, 0
	}
	return d.Subset(keep), d.Rows() - len(keep)
}

// LabelCentroids returns every label's centroid as a sparse row: the
// l2-normalised sum of the l2-normalised feature rows of x that carry it in
// y (an empty row for a label no row carries). mhe's cluster label order and
// scripts/pltreplica's label tree both cluster these.
func LabelCentroids(x, y *CSR) *CSR {
	c, n := y.Cols, x.Rows
	// Transpose Y: rows of each label.
	counts := y.ColumnCounts()
	starts := make([]int64, c+1)
	for l := range c {
		starts[l+1] = starts[l] + counts[l]
	}
	rows := make([]int32, starts[c])
	pos := slices.Clone(starts[:c])
	for i := range n {
		ls, _ := y.Row(i)
		for _, l := range ls {
			rows[pos[l]] = int32(i)
			pos[l]++
		}
	}
	norms := make([]float32, n)
	for i := range n {
		_, v := x.Row(i)
		var s float64
		for _, x := range v {
			s += float64(float64(x) * float64(x))
		}
		if s > 0 {
			norms[i] = float32(1 / math.Sqrt(s))
		}
	}
	out := NewCSR(x.Cols, c, 0, false)
	// A dense accumulator with the list of the features it holds: a
	// label's sum costs its rows' entries, not the feature count.
	acc := make([]float64, x.Cols)
	seen := make([]bool, x.Cols)
	var ids []int32
	var vals []float32
	for l := range c {
		ids = ids[:0]
		for _, r := range rows[starts[l]:starts[l+1]] {
			fi, fv := x.Row(int(r))
			for k, f := range fi {
				if !seen[f] {
					seen[f] = true
					ids = append(ids, f)
				}
				acc[f] += float64(fv[k] * norms[r])
			}
		}
		slices.Sort(ids)
		vals = vals[:0]
		var s float64
		for _, f := range ids {
			s += float64(acc[f] * acc[f])
		}
		inv := 0.0
		if s > 0 {
			inv = 1 / math.Sqrt(s)
		}
		for _, f := range ids {
			vals = append(vals, float32(acc[f]*inv))
			acc[f], seen[f] = 0, false
		}
		out.AppendRow(ids, vals)
	}
	return out
}
