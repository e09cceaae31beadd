package data

import (
	"bytes"
	"compress/gzip"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
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

// DescribeFile, which counts while reading, gives what Describe gives for
// the loaded file: XC with and without gzip, LIBSVM, an XC sparse matrix
// (features only), and ids far beyond the rows.
func TestDescribeFileMatchesDescribe(t *testing.T) {
	dir := t.TempDir()
	raw := xcText(3000)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	files := map[string]string{
		"xc.txt":     string(raw),
		"xc.txt.gz":  gz.String(),
		"svm.txt":    "1,3 1:0.5 7:2\n2 3:1\n3 1:1 2:1\n",
		"matrix.txt": "3 5\n0:1 4:2\n\n2:1\n",
		// Labels beyond 2 × entries + 2^20: counted in the map.
		"far.txt": "3 10 4000000\n3000000 1:1\n0 2:1\n3000000,3999999 3:1\n",
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		opt := ReadOptions{}
		if name == "svm.txt" {
			opt = ReadOptions{Format: FormatLibSVM}
		}
		ds, err := ReadFile(path, opt)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := DescribeFile(path, opt)
		if want := Describe(ds); err != nil || got != want {
			t.Errorf("%s: DescribeFile %+v (%v)\nDescribe     %+v", name, got, err, want)
		}
	}
	if _, err := DescribeFile(filepath.Join(dir, "none.txt"), ReadOptions{}); err == nil {
		t.Error("a missing file described")
	}
}

// The map-then-array move: an id counted in the map before the array grows
// past it is counted once, with both counts.
func TestColumnCountsMoveFromMap(t *testing.T) {
	var c columnCounts
	c.add([]int32{3 << 20})        // beyond 2·1 + 2^20: the map
	c.add(make([]int32, 1<<20+16)) // 2^20+16 entries of id 0
	c.add([]int32{3 << 20})        // now below 2·entries + 2^20: the array grows past it
	used := c.used()
	slices.Sort(used)
	if want := []int64{2, 1<<20 + 16}; !slices.Equal(used, want) || len(c.sparse) != 0 {
		t.Errorf("used %v (map %v), want %v", used, c.sparse, want)
	}
}

// The sizes and means by hand: 4 rows, 5 nonzeros, 5 label assignments;
// single-label only while every row has exactly one label.
func TestDescribeByHand(t *testing.T) {
	csr := func(cols int, rows ...[]int32) *CSR {
		m := NewCSR(cols, len(rows), 0, true)
		for _, r := range rows {
			m.AppendRow(r, nil)
		}
		return m
	}
	x := csr(6, []int32{0, 2}, []int32{1}, nil, []int32{3, 5})
	single := csr(3, []int32{1}, []int32{0}, []int32{2}, []int32{1})
	multi := csr(3, []int32{1}, []int32{0, 2}, nil, []int32{0, 1})
	st := Describe(&Dataset{X: x, Y: single})
	if st.Examples != 4 || st.NNZ != 5 || st.LabelAssignments != 4 || st.AvgFeatures != 1.25 || st.AvgLabels != 1 || !st.SingleLabel || st.FeaturesUsed != 5 || st.LabelsUsed != 3 {
		t.Errorf("single-label: %+v", st)
	}
	st = Describe(&Dataset{X: x, Y: multi})
	if st.LabelAssignments != 5 || st.AvgLabels != 1.25 || st.SingleLabel || (st.Empty != EmptyCounts{NoLabels: 1, NoFeatures: 1, Neither: 1}) {
		t.Errorf("multi-label: %+v", st)
	}
	if st := Describe(&Dataset{X: csr(6), Y: csr(3)}); st.AvgFeatures != 0 || st.SingleLabel {
		t.Errorf("no rows: %+v", st)
	}
}
