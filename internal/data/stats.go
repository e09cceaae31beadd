package data

import (
	"math"
	"slices"
)

// Quantiles of the label frequency (number of rows per label).
type Quantiles struct {
	Min    int64 `json:"min"`
	P25    int64 `json:"p25"`
	Median int64 `json:"median"`
	P75    int64 `json:"p75"`
	P90    int64 `json:"p90"`
	P99    int64 `json:"p99"`
	Max    int64 `json:"max"`
}

// Stats summarises a dataset (mhe data stats).
type Stats struct {
	Examples         int         `json:"examples"`
	Features         int         `json:"features"`
	Labels           int         `json:"labels"`
	NNZ              int64       `json:"nnz"`
	LabelAssignments int64       `json:"label_assignments"`
	AvgFeatures      float64     `json:"avg_features_per_example"`
	AvgLabels        float64     `json:"avg_labels_per_example"`
	FeaturesUsed     int         `json:"features_used"`
	LabelsUsed       int         `json:"labels_used"`
	LabelFrequency   Quantiles   `json:"label_frequency"`
	Empty            EmptyCounts `json:"empty_rows"`
	SingleLabel      bool        `json:"single_label"`
}

// Describe computes the statistics of d.
func Describe(d *Dataset) Stats {
	s := Stats{
		Examples: d.Rows(), Features: d.NumFeatures(), Labels: d.NumLabels(),
		NNZ: d.X.NNZ(), LabelAssignments: d.Y.NNZ(), Empty: CountEmpty(d), SingleLabel: d.IsSingleLabel(),
	}
	if s.Examples > 0 {
		s.AvgFeatures = float64(s.NNZ) / float64(s.Examples)
		s.AvgLabels = float64(s.LabelAssignments) / float64(s.Examples)
	}
	s.FeaturesUsed = len(usedCounts(d.X))
	counts := usedCounts(d.Y)
	s.LabelsUsed = len(counts)
	s.LabelFrequency = quantiles(counts, s.Labels)
	return s
}

// usedCounts returns the counts of the columns of m that occur (in no
// particular order), in memory that grows with m's entries, not its
// declared columns: a header may declare 2^31 of them.
func usedCounts(m *CSR) []int64 {
	var out []int64
	if int64(m.Cols) <= 2*int64(len(m.Indices))+1<<20 {
		for _, c := range m.ColumnCounts() {
			if c > 0 {
				out = append(out, c)
			}
		}
		return out
	}
	idx := slices.Clone(m.Indices)
	slices.Sort(idx)
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && idx[j] == idx[i] {
			j++
		}
		out = append(out, int64(j-i))
		i = j
	}
	return out
}

// quantiles uses the nearest-rank definition over all n labels, of which
// those missing from used (the counts of the labels that occur) count 0.
func quantiles(used []int64, n int) Quantiles {
	if n == 0 {
		return Quantiles{}
	}
	c := slices.Clone(used)
	slices.Sort(c)
	zeros := n - len(c)
	at := func(q float64) int64 {
		i := min(max(int(math.Ceil(q*float64(n)))-1, 0), n-1)
		if i < zeros {
			return 0
		}
		return c[i-zeros]
	}
	return Quantiles{Min: at(0), P25: at(0.25), Median: at(0.5), P75: at(0.75), P90: at(0.9), P99: at(0.99), Max: at(1)}
}
