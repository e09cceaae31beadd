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
	var c statsCounter
	for i := 0; i < d.Rows(); i++ {
		ids, _ := d.X.Row(i)
		labels, _ := d.Y.Row(i)
		c.add(ids, labels)
	}
	return c.stats(d.NumFeatures(), d.NumLabels())
}

// DescribeFile computes the statistics of a data file while reading it,
// in memory that grows with the columns its rows use, not with its rows:
// a file too large to load can be described.
func DescribeFile(path string, opt ReadOptions) (Stats, error) {
	f, err := Open(path)
	if err != nil {
		return Stats{}, err
	}
	defer f.Close()
	rd, err := NewReader(f, displayName(path), opt)
	if err != nil {
		return Stats{}, err
	}
	matrix := rd.Format() == FormatXCMatrix
	var c statsCounter
	err = eachRow(rd, func(row *Row) {
		labels := row.Labels
		if matrix {
			labels = nil // a sparse matrix holds features only (as Read loads it)
		}
		c.add(row.Indices, labels)
	})
	if err != nil {
		return Stats{}, err
	}
	labels := max(rd.NumLabels(), 0)
	if matrix {
		labels = 0
	}
	return c.stats(max(rd.NumFeatures(), 0), labels), nil
}

// statsCounter accumulates Stats row by row.
type statsCounter struct {
	rows             int
	features, labels columnCounts
	empty            EmptyCounts
	notOnePerRow     bool
}

func (c *statsCounter) add(features, labels []int32) {
	c.rows++
	c.features.add(features)
	c.labels.add(labels)
	c.empty.add(len(features), len(labels))
	if len(labels) != 1 {
		c.notOnePerRow = true
	}
}

// stats are the statistics of the rows added, for the given dimensions.
func (c *statsCounter) stats(features, labels int) Stats {
	s := Stats{
		Examples: c.rows, Features: features, Labels: labels,
		NNZ: c.features.entries, LabelAssignments: c.labels.entries, Empty: c.empty,
		SingleLabel: c.rows > 0 && !c.notOnePerRow,
	}
	if s.Examples > 0 {
		s.AvgFeatures = float64(s.NNZ) / float64(s.Examples)
		s.AvgLabels = float64(s.LabelAssignments) / float64(s.Examples)
	}
	s.FeaturesUsed = len(c.features.used())
	counts := c.labels.used()
	s.LabelsUsed = len(counts)
	s.LabelFrequency = quantiles(counts, s.Labels)
	return s
}

// columnCounts counts how often each column id occurs, in memory that
// grows with the entries counted, not with the ids: ids below twice the
// entries (plus 2^20) in an array, larger ones in a map. A header may
// declare 2^31 columns, and a row may use the last.
type columnCounts struct {
	dense   []int64
	sparse  map[int32]int64
	entries int64
}

func (c *columnCounts) add(ids []int32) {
	c.entries += int64(len(ids))
	for _, j := range ids {
		if int(j) < len(c.dense) {
			c.dense[j]++
			continue
		}
		if limit := 2*c.entries + 1<<20; int64(j) < limit {
			c.grow(int(min(max(int64(j)+1, 2*int64(len(c.dense))), limit)))
			c.dense[j]++
			continue
		}
		if c.sparse == nil {
			c.sparse = map[int32]int64{}
		}
		c.sparse[j]++
	}
}

// grow extends the array to n ids, moving the map's counts it now covers.
func (c *columnCounts) grow(n int) {
	c.dense = append(c.dense, make([]int64, n-len(c.dense))...)
	for j, k := range c.sparse {
		if int(j) < n {
			c.dense[j] += k
			delete(c.sparse, j)
		}
	}
}

// used returns the counts of the columns that occur (in no particular
// order).
func (c *columnCounts) used() []int64 {
	var out []int64
	for _, k := range c.dense {
		if k > 0 {
			out = append(out, k)
		}
	}
	for _, k := range c.sparse {
		out = append(out, k)
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
