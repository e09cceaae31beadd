package data

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"testing"
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
		{"unknown estimate: room for the row", 100, 7, 0, 107, 1 << 10},
		{"estimate taken", 1000, 7, 5000, 5000, 6000},
		{"estimate below the need", 100, 50, 120, 150, 1 << 10},
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
