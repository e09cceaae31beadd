package data

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"unsafe"
)

func TestCSRReserve(t *testing.T) {
	full := func(n int, binary bool) *CSR {
		m := &CSR{Indices: make([]int32, n)}
		if !binary {
			m.Values = make([]float32, n)
		}
		return m
	}
	for _, tc := range []struct {
		name           string
		held, extra    int
		est            int64
		minCap, maxCap int
	}{
		{"room left: no growth", 0, 0, 1 << 40, 0, 0},
		{"unknown estimate: append's step", 100, 7, 0, 200, 200},
		{"unknown estimate, large: append's step", 4096, 7, 0, 5312, 5312},
		{"estimate taken", 1000, 7, 5000, 5000, 6000},
		{"estimate below the need", 100, 50, 120, 200, 200},
		{"damaged estimate bounded to 8x", 100, 1, 1 << 40, 808, 1 << 10},
	} {
		for _, binary := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/binary=%v", tc.name, binary), func(t *testing.T) {
				m := full(tc.held, binary)
				m.reserve(tc.extra, tc.est)
				if c := cap(m.Indices); c < tc.minCap || c > tc.maxCap {
					t.Errorf("cap(Indices) = %d, want %d to %d", c, tc.minCap, tc.maxCap)
				}
				if len(m.Indices) != tc.held {
					t.Errorf("len(Indices) = %d, want %d (reserve must not add entries)", len(m.Indices), tc.held)
				}
				switch {
				case binary && m.Values != nil:
					t.Error("a binary matrix got values")
				case !binary && cap(m.Values) < tc.held+tc.extra:
					t.Errorf("cap(Values) = %d < %d", cap(m.Values), tc.held+tc.extra)
				}
			})
		}
	}
}

// Rows appended one by one with no estimate of the total (a LIBSVM
// stream: no header, no file size) grow the arrays by append's steps, a
// number of times logarithmic in the entries. (Growing them to the exact
// need read 40,000 rows of 50 entries in a minute, copying the whole
// arrays for every row.)
func TestReserveWithoutEstimateAmortises(t *testing.T) {
	m := NewCSR(0, 0, 0, false)
	ids, vals := make([]int32, 10), make([]float32, 10)
	grew := 0
	for range 200_000 {
		c := cap(m.Indices)
		m.reserve(len(ids), 0)
		if cap(m.Indices) != c {
			grew++
		}
		m.AppendRow(ids, vals)
	}
	if grew > 64 {
		t.Errorf("the arrays grew %d times for 2,000,000 entries, want at most 64 (append's steps)", grew)
	}
	if len(m.Indices) != 2_000_000 || len(m.Values) != 2_000_000 {
		t.Fatalf("%d indices and %d values, want 2,000,000", len(m.Indices), len(m.Values))
	}
}

// TestReadSizesFromHeader: a file whose header gives its row count is
// loaded with entry arrays sized from the rows read so far, so they end
// within a few percent of the entries (append's 1.25x steps leave up to
// 25% unused, and copy everything at each step), whether every row is
// read or a split's rows are picked.
func TestReadSizesFromHeader(t *testing.T) {
	raw := xcText(30000)
	t.Run("all rows", func(t *testing.T) {
		ds, err := Read(bytes.NewReader(raw), "x", ReadOptions{Format: FormatXC})
		if err != nil {
			t.Fatal(err)
		}
		checkSlack(t, "", ds)
	})
	t.Run("every third row", func(t *testing.T) {
		ds, rows, _, err := ReadRows(bytes.NewReader(raw), "x", ReadOptions{Format: FormatXC}, func(n int) ([]int, error) {
			var rows []int
			for i := 0; i < n; i += 3 {
				rows = append(rows, i)
			}
			return rows, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 10000 || ds.Rows() != 10000 {
			t.Fatalf("got %d rows", ds.Rows())
		}
		checkSlack(t, "", ds)
	})
}

// TestReadSizesFromFileSize: a file without a row count (LIBSVM) is sized
// from the share of its bytes passed, plain or gzip-compressed.
func TestReadSizesFromFileSize(t *testing.T) {
	raw := xcText(30000)
	libsvm := raw[bytes.IndexByte(raw, '\n')+1:] // the same rows without the header
	dir := t.TempDir()
	plain := filepath.Join(dir, "x.txt")
	if err := os.WriteFile(plain, libsvm, 0o644); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(libsvm)
	zw.Close()
	packed := filepath.Join(dir, "x.txt.gz")
	if err := os.WriteFile(packed, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{plain, packed} {
		ds, err := ReadFile(path, ReadOptions{Format: FormatLibSVM, FeatureBase: 0})
		if err != nil {
			t.Fatal(err)
		}
		if ds.Rows() != 30000 {
			t.Fatalf("%s: %d rows", path, ds.Rows())
		}
		checkSlack(t, filepath.Base(path)+" ", ds)
	}
}

// checkSlack fails when an entry array of ds has more than 6% of its
// capacity unused.
func checkSlack(t *testing.T, prefix string, ds *Dataset) {
	t.Helper()
	for _, m := range []struct {
		name string
		csr  *CSR
	}{{"features", ds.X}, {"labels", ds.Y}} {
		n, c := len(m.csr.Indices), cap(m.csr.Indices)
		if float64(c) > 1.06*float64(n) {
			t.Errorf("%s%s: cap %d for %d entries (%.1f%% unused)", prefix, m.name, c, n, 100*float64(c-n)/float64(c))
		}
	}
}

// The prefaulter asks for the entries just ahead of the rows being
// appended, a window at a time: every row lands on entries asked for
// (or copied into a grown array), each range starts where the last ended,
// and none reaches more than a window ahead of the writer or past the
// capacity.
func TestPrefaulterRanges(t *testing.T) {
	const rowLen = 1000
	m := NewCSR(0, 0, 0, false)
	var arr *int32
	covered, ranges, most, grown := 0, 0, 0, 0 // entries [0, covered) of arr asked for or copied
	p := prefaulter{fault: func(c *CSR, lo, hi int) {
		if n := len(m.Indices); c != m || lo != covered || hi > cap(m.Indices) || hi-n > prefaultWindow {
			t.Fatalf("asked for [%d, %d) with %d entries written, [0, %d) asked for or copied, room for %d", lo, hi, n, covered, cap(m.Indices))
		}
		covered = hi
		ranges++
		most = max(most, ranges)
	}}
	ids := make([]int32, rowLen)
	vals := make([]float32, rowLen)
	for i := range ids {
		ids[i] = int32(i)
	}
	for len(m.Indices) < 5*prefaultWindow {
		m.reserve(rowLen, 3*prefaultWindow) // an estimate short of the total: the arrays grow again
		if a := unsafe.SliceData(m.Indices); a != arr {
			arr, covered, ranges, grown = a, len(m.Indices), 0, grown+1 // the copy
		}
		p.ahead(m)
		if n := len(m.Indices); n+rowLen > covered && cap(m.Indices)-n >= prefaultWindow/4 {
			t.Fatalf("row at entries [%d, %d) lands beyond those asked for, [0, %d)", n, n+rowLen, covered)
		}
		m.AppendRow(ids, vals)
	}
	if grown < 2 || most < 2 {
		t.Errorf("the arrays grew %d times and were asked for in at most %d ranges; the test wants both above 1", grown, most)
	}
}
