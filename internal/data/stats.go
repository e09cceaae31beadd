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
	for _, c := range d.X.ColumnCounts() {
		if c > 0 {
			s.FeaturesUsed++
		}
	}
	counts := d.Y.ColumnCounts()
	for _, c := range counts {
		if c > 0 {
			s.LabelsUsed++
		}
	}
	s.LabelFrequency = quantiles(counts)
	return s
}

// quantiles uses the nearest-rank definition over all labels (unused
// labels count as 0).
func quantiles(counts []int64) Quantiles {
	if len(counts) == 0 {
		return Quantiles{}
	}
	c := slices.Clone(counts)
	slices.Sort(c)
	at := func(q float64) int64 {
		i := int(math.Ceil(q*float64(len(c)))) - 1
		return c[min(max(i, 0), len(c)-1)]
	}
	return Quantiles{Min: c[0], P25: at(0.25), Median: at(0.5), P75: at(0.75), P90: at(0.9), P99: at(0.99), Max: c[len(c)-1]}
}
