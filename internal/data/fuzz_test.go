package data

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"
)

var fuzzSeeds = []string{
	"3 6 4\n0,2 0:1 5:0.5\n 1:1\n1,3 \n",
	"2 3 2\r\n1,0 2:1.000000\r\n \r\n",
	"1 5 3\n 0:1 4:12\n",
	"2 4 2\n0 1:1e-3 3:-2.5\n1 0:3\n",
	"1 2 2\n0 1:nan\n",
	"2,3 1:0.093700 2:0.139771 3:0.062774\n0 1:-0.5\n",
	"26 1:-0.733333 2:-0.466667\n1 3:3e-05\n",
	"2 10\n1:0.5 7:0.9\n\n",
	"1 2:3 # comment\n2 qid:3 1:1\n",
	"",
	" \n",
}

// checkRoundTrip asserts the invariants of a successful parse and that
// writing and re-reading reproduces the dataset.
func checkRoundTrip(t *testing.T, ds *Dataset, format Format) {
	if err := ds.X.Validate(); err != nil {
		t.Fatalf("invalid features: %v", err)
	}
	if err := ds.Y.Validate(); err != nil {
		t.Fatalf("invalid labels: %v", err)
	}
	if format == FormatXCMatrix {
		return
	}
	var buf bytes.Buffer
	if err := Write(&buf, ds, WriteOptions{Format: FormatXC}); err != nil {
		t.Fatal(err)
	}
	back, err := Read(&buf, "roundtrip", ReadOptions{Format: FormatXC})
	if err != nil {
		t.Fatalf("re-reading written data: %v\n%s", err, buf.String())
	}
	if !equalCSR(ds.X, back.X) || !equalCSR(ds.Y, back.Y) {
		t.Fatalf("round trip changed the data")
	}
}

func equalCSR(a, b *CSR) bool {
	return a.Rows == b.Rows && a.Cols == b.Cols && slices.Equal(a.Indptr, b.Indptr) &&
		slices.Equal(a.Indices, b.Indices) && slices.Equal(a.Values, b.Values)
}

func fuzzParse(f *testing.F, opt ReadOptions) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		// ReadRows: the odd rows backwards, then row 0 twice; whatever the
		// whole file gives, it must not panic, and its errors are input
		// errors. Only rows below 4096 are picked: a header may declare
		// 10^9 rows over a few bytes, and a split file of 10^9 rows is not
		// what the reader is tested for here.
		var picked []int
		pick := func(n int) ([]int, error) {
			picked = picked[:0]
			for i := min(n, 4096) - 1; i >= 0; i-- {
				if i%2 == 1 {
					picked = append(picked, i)
				}
			}
			if n > 0 {
				picked = append(picked, 0, 0)
			}
			return picked, nil
		}
		part, _, _, perr := ReadRows(bytes.NewReader(in), "fuzz", opt, pick)
		if perr != nil && !errors.Is(perr, ErrInput) {
			t.Fatalf("ReadRows: error is not an input error: %T %v", perr, perr)
		}
		ds, err := Read(bytes.NewReader(in), "fuzz", opt)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrInput) {
				t.Fatalf("error is not a *ParseError: %T %v", err, err)
			}
			return
		}
		checkRoundTrip(t, ds, opt.Format)
		// A file that reads whole reads in part too, with the same rows.
		if perr != nil {
			t.Fatalf("ReadRows fails on a file Read takes: %v", perr)
		}
		sub := ds.Subset(picked)
		if part.Rows() != sub.Rows() || !slices.Equal(part.X.Indptr, sub.X.Indptr) || !slices.Equal(part.X.Indices, sub.X.Indices) ||
			!slices.Equal(part.X.Values, sub.X.Values) || !slices.Equal(part.Y.Indices, sub.Y.Indices) || !slices.Equal(part.Y.Indptr, sub.Y.Indptr) {
			t.Fatalf("ReadRows %v differs from Read + Subset", picked)
		}
	})
}

func FuzzReadXC(f *testing.F) { fuzzParse(f, ReadOptions{Format: FormatXC, MaxLineBytes: 1 << 16}) }
func FuzzReadLibSVM(f *testing.F) {
	fuzzParse(f, ReadOptions{Format: FormatLibSVM, LabelBase: 0, FeatureBase: 1})
}
func FuzzReadAuto(f *testing.F) { fuzzParse(f, ReadOptions{Format: FormatAuto}) }
func FuzzReadXCMatrix(f *testing.F) {
	fuzzParse(f, ReadOptions{Format: FormatXCMatrix, OptionalHeader: true})
}

func FuzzReadSplit(f *testing.F) {
	for _, s := range []string{"1 2\n3 4\n", "2745 1144\n", "1\n1\n", "0\n", "1.0\n2.7000000e+00\n", "\n\n1\n"} {
		f.Add([]byte(s), 1, 5)
	}
	f.Fuzz(func(t *testing.T, in []byte, column, n int) {
		if n < 0 || n > 1<<16 {
			return
		}
		rows, err := ParseSplit(bytes.NewReader(in), "fuzz", column, n)
		if err != nil {
			if !errors.Is(err, ErrInput) {
				t.Fatalf("error is not an input error: %v", err)
			}
			return
		}
		seen := map[int]bool{}
		for _, r := range rows {
			if r < 0 || r >= n || seen[r] {
				t.Fatalf("row %d out of range or repeated", r)
			}
			seen[r] = true
		}
	})
}

func FuzzParseFloat(f *testing.F) {
	for _, s := range []string{"1", "1.000000", "0.0666667", "3e-05", "-0", "1e40", "nan", "0x1p-2", "123456789012345678901234567890", ".5", "5.",
		"0.0000000000000000000001234", "00000000000000000000000001.5", "0.1000000000000000000000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkScanFloat32(t, s)
		v, err := parseFloat32([]byte(s))
		if err != nil {
			return
		}
		// An accepted value is strconv's correctly rounded float32.
		if ref, err := strconv.ParseFloat(s, 32); err != nil || math.Float32bits(float32(ref)) != math.Float32bits(v) {
			t.Fatalf("%q -> %v, strconv %v (%v)", s, v, float32(ref), err)
		}
		// Every accepted value reads back exactly from its shortest form.
		back, err := parseFloat32(appendFloat32(nil, v))
		if err != nil || back != v {
			t.Fatalf("%q -> %v -> %q -> %v (%v)", s, v, appendFloat32(nil, v), back, err)
		}
	})
}
