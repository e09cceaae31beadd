package data

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// denseQuantiles is the nearest-rank definition over a count for every
// label, the reference Describe's sparse form must match.
func denseQuantiles(counts []int64) Quantiles {
	if len(counts) == 0 {
		return Quantiles{}
	}
	c := slices.Clone(counts)
	slices.Sort(c)
	at := func(q float64) int64 {
		return c[min(max(int(math.Ceil(q*float64(len(c))))-1, 0), len(c)-1)]
	}
	return Quantiles{Min: c[0], P25: at(0.25), Median: at(0.5), P75: at(0.75), P90: at(0.9), P99: at(0.99), Max: c[len(c)-1]}
}

// randomMatrix has rows of up to k random ids below cols, sorted and unique.
func randomMatrix(rng *rand.Rand, rows, cols, k int) *CSR {
	m := &CSR{Rows: rows, Cols: cols, Indptr: []int64{0}}
	for range rows {
		seen := map[int32]bool{}
		for range rng.IntN(k + 1) {
			seen[int32(rng.IntN(cols))] = true
		}
		ids := make([]int32, 0, len(seen))
		for j := range seen {
			ids = append(ids, j)
		}
		slices.Sort(ids)
		m.Indices = append(m.Indices, ids...)
		for range ids {
			m.Values = append(m.Values, 1)
		}
		m.Indptr = append(m.Indptr, int64(len(m.Indices)))
	}
	return m
}

// Describe's used counts and label-frequency quantiles equal the dense
// definition's, whether it counts densely (few columns) or by sorting the
// entries (columns far beyond the entries).
func TestDescribeMatchesDenseCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, sh := range []struct{ rows, cols, k int }{{1, 1, 1}, {7, 3, 2}, {50, 40, 5}, {200, 5000, 3}, {30, 3 << 20, 4}, {0, 10, 0}} {
		x := randomMatrix(rng, sh.rows, sh.cols, sh.k)
		y := randomMatrix(rng, sh.rows, sh.cols, sh.k)
		st := Describe(&Dataset{X: x, Y: y})
		used := func(counts []int64) int {
			n := 0
			for _, c := range counts {
				if c > 0 {
					n++
				}
			}
			return n
		}
		if want := used(x.ColumnCounts()); st.FeaturesUsed != want {
			t.Errorf("%+v: %d features used, want %d", sh, st.FeaturesUsed, want)
		}
		counts := y.ColumnCounts()
		if want := used(counts); st.LabelsUsed != want {
			t.Errorf("%+v: %d labels used, want %d", sh, st.LabelsUsed, want)
		}
		if want := denseQuantiles(counts); st.LabelFrequency != want {
			t.Errorf("%+v: quantiles %+v, want %+v", sh, st.LabelFrequency, want)
		}
	}
}

// A header may declare 2^31-1 features and labels for a file of two rows:
// the statistics take memory and time for the rows, not the declaration
// (they used to allocate three 16 GiB count arrays).
func TestDescribeHugeDeclaredDimensions(t *testing.T) {
	const huge = math.MaxInt32
	x := &CSR{Rows: 2, Cols: huge, Indptr: []int64{0, 2, 3}, Indices: []int32{1, huge - 1, 1}, Values: []float32{1, 1, 1}}
	y := &CSR{Rows: 2, Cols: huge, Indptr: []int64{0, 1, 2}, Indices: []int32{0, 0}, Values: []float32{1, 1}}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	st := Describe(&Dataset{X: x, Y: y})
	runtime.ReadMemStats(&after)
	if st.FeaturesUsed != 2 || st.LabelsUsed != 1 || st.LabelFrequency.Max != 2 || st.LabelFrequency.P99 != 0 || st.LabelFrequency.Min != 0 {
		t.Errorf("stats %+v", st)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("allocated %d bytes for two rows", n)
	}
}
