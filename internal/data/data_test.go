package data

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/testutil"
)

func TestXCQuirks(t *testing.T) {
	// CRLF, a row without labels (leading space), the bare "f:v" form, a row
	// without features (labels then a space), a single-space row, unsorted
	// labels, integer values.
	in := "6 5 4\r\n 0:1.5 4:2\r\n1:3 2:1\r\n3,1 \r\n \r\n2,0,3 1:7 3:0.25\r\n1\r\n"
	ds, err := Read(strings.NewReader(in), "q.txt", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantY := [][]int32{{}, {}, {1, 3}, {}, {0, 2, 3}, {1}}
	wantX := [][]int32{{0, 4}, {1, 2}, {}, {}, {1, 3}, {}}
	for i := range wantY {
		y, _ := ds.Y.Row(i)
		x, v := ds.X.Row(i)
		if !slices.Equal(y, wantY[i]) || !slices.Equal(x, wantX[i]) {
			t.Errorf("row %d: labels %v features %v", i, y, x)
		}
		if i == 4 && !slices.Equal(v, []float32{7, 0.25}) {
			t.Errorf("row 4 values %v", v)
		}
	}
	if ds.NumFeatures() != 5 || ds.NumLabels() != 4 {
		t.Errorf("dims %d %d", ds.NumFeatures(), ds.NumLabels())
	}
}

func TestLibSVMBasesAndInference(t *testing.T) {
	in := "3 1:0.5 4:1\n1 2:3.0 # comment\n2.0 qid:7 1:1\n\n"
	ds, err := Read(strings.NewReader(in), "s.txt", ReadOptions{Format: FormatLibSVM, LabelBase: 1, FeatureBase: 1, SingleLabel: true})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Rows() != 3 || ds.NumLabels() != 3 || ds.NumFeatures() != 4 {
		t.Fatalf("rows %d labels %d features %d", ds.Rows(), ds.NumLabels(), ds.NumFeatures())
	}
	y, _ := ds.Y.Row(0)
	x, _ := ds.X.Row(0)
	if y[0] != 2 || !slices.Equal(x, []int32{0, 3}) {
		t.Errorf("row 0: %v %v", y, x)
	}
	// Declared dimensions bound the ids.
	_, err = Read(strings.NewReader("1 5:1\n"), "s.txt", ReadOptions{Format: FormatLibSVM, FeatureBase: 1, NumFeatures: 4})
	if err == nil || !strings.Contains(err.Error(), "num_features is 4") {
		t.Errorf("declared dimension: %v", err)
	}
	// Single-label data with two labels.
	_, err = Read(strings.NewReader("1,2 1:1\n"), "s.txt", ReadOptions{Format: FormatLibSVM, SingleLabel: true})
	if err == nil || !strings.Contains(err.Error(), "exactly one label") {
		t.Errorf("single label: %v", err)
	}
	// A blank line in the middle is an error, at the end it is fine.
	if _, err := Read(strings.NewReader("1 1:1\n\n2 1:1\n"), "s.txt", ReadOptions{Format: FormatLibSVM}); err == nil {
		t.Error("blank line inside a LIBSVM file should fail")
	}
}

func TestAutoFormat(t *testing.T) {
	for in, want := range map[string]Format{
		"2 3 4\n0 1:1\n1 2:1\n": FormatXC,
		"2 3\n1:1\n2:1\n":       FormatXCMatrix,
		"1 1:1\n2 2:1\n":        FormatLibSVM,
		"0,1 1:0.5\n":           FormatLibSVM,
	} {
		rd, err := NewReader(strings.NewReader(in), "a", ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rd.Format() != want {
			t.Errorf("%q: %s, want %s", in, rd.Format(), want)
		}
	}
}

func TestTrailingBlankLines(t *testing.T) {
	ds, err := Read(strings.NewReader("2 3 2\n0 1:1\n1 2:1\n\n\n"), "t", ReadOptions{})
	if err != nil || ds.Rows() != 2 {
		t.Fatalf("trailing blank lines: %v", err)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	in := "4 6 5\n0,2 0:1 5:0.5\n 1:1.25\n1,3 \n \n"
	ds, err := Read(strings.NewReader(in), "r", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, opt := range []WriteOptions{{Format: FormatXC}, {Format: FormatLibSVM, LabelBase: 1, FeatureBase: 1}, {Format: FormatLibSVM}} {
		var buf bytes.Buffer
		if err := Write(&buf, ds, opt); err != nil {
			t.Fatal(err)
		}
		ropt := ReadOptions{Format: opt.Format, LabelBase: opt.LabelBase, FeatureBase: opt.FeatureBase, NumFeatures: 6, NumLabels: 5}
		if opt.Format == FormatXC {
			ropt.NumFeatures, ropt.NumLabels = 0, 0
		}
		back, err := Read(&buf, "w", ropt)
		if err != nil {
			t.Fatalf("%+v: %v\n%s", opt, err, buf.String())
		}
		if !equalCSR(ds.X, back.X) || !equalCSR(ds.Y, back.Y) {
			t.Errorf("%+v: round trip differs:\n%s", opt, buf.String())
		}
	}
	var buf bytes.Buffer
	if err := WriteMatrix(&buf, ds.Y); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "4 5\n0:1 2:1\n\n1:1 3:1\n\n" {
		t.Errorf("label matrix:\n%q", got)
	}
}

func TestXCPair(t *testing.T) {
	dir := t.TempDir()
	x := filepath.Join(dir, "trn_X_Xf.txt")
	y := filepath.Join(dir, "trn_X_Y.txt")
	os.WriteFile(x, []byte("2 4\n0:1 3:0.5\n1:2\n"), 0o644)
	os.WriteFile(y, []byte("2 3\n2:1\n0:1 1:1\n"), 0o644)
	ds, err := ReadXCPair(x, y, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Rows() != 2 || ds.NumFeatures() != 4 || ds.NumLabels() != 3 || ds.Y.Values != nil {
		t.Errorf("pair: %d rows %d features %d labels", ds.Rows(), ds.NumFeatures(), ds.NumLabels())
	}
	os.WriteFile(y, []byte("1 3\n2:1\n"), 0o644)
	if _, err := ReadXCPair(x, y, ReadOptions{}); err == nil || !errors.Is(err, ErrInput) {
		t.Errorf("row mismatch: %v", err)
	}
}

func TestGzipTransparent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.gz") // not .txt.gz: recognised by magic
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("1 2 2\n1 0:1\n"))
	zw.Close()
	os.WriteFile(path, buf.Bytes(), 0o644)
	ds, err := ReadFile(path, ReadOptions{})
	if err != nil || ds.Rows() != 1 {
		t.Fatalf("gzip: %v", err)
	}
}

func TestLongLine(t *testing.T) {
	var b strings.Builder
	b.WriteString("1 300000 1\n0")
	for i := 0; i < 200000; i++ {
		b.WriteString(" " + strconv.Itoa(i) + ":1")
	}
	b.WriteString("\n")
	ds, err := Read(strings.NewReader(b.String()), "long", ReadOptions{})
	if err != nil || ds.X.NNZ() != 200000 {
		t.Fatalf("long line: %v", err)
	}
	_, err = Read(strings.NewReader(b.String()), "long", ReadOptions{MaxLineBytes: 1 << 20})
	if !errors.Is(err, ErrLineLength) {
		t.Errorf("line bound: %v", err)
	}
}

// scanUint reads every digit, says whether the value is within the limit,
// and gives limit+1 for one beyond it, however many digits it has (it
// must not wrap: 2^64 + 5 is not 5).
func TestScanUint(t *testing.T) {
	for _, c := range []struct {
		in    string
		limit uint64
		v     uint64
		j     int
		ok    bool
	}{
		{"1835:1", 1835, 1835, 4, true},
		{"1836:1", 1835, 1836, 4, false},
		{"99999:1", 1835, 1836, 5, false},
		{"9999999999999999999", 1835, 1836, 19, false},
		{"18446744073709551621", 1835, 1836, 20, false}, // 2^64 + 5
		{"18446744073709551621", 1 << 63, 1<<63 + 1, 20, false},
		{"000000000000000000000042,", 100, 42, 24, true},
		// Long runs that reach the limit exactly, and one past it.
		{"0000000000000000000100000", 100000, 100000, 25, true},
		{"0000000000000000000100001", 100000, 100001, 25, false},
		{"000000000000000000009223372036854775808", 1 << 63, 1 << 63, 39, true},
		{"000000000000000000009223372036854775809", 1 << 63, 1<<63 + 1, 39, false},
		{"x", 10, 0, 0, true},
		{"", 10, 0, 0, true},
	} {
		v, j, ok := scanUint([]byte(c.in), 0, c.limit)
		if v != c.v || j != c.j || ok != c.ok {
			t.Errorf("scanUint(%q, limit %d) = %d, %d, %v; want %d, %d, %v", c.in, c.limit, v, j, ok, c.v, c.j, c.ok)
		}
	}
}

// checkScanFloat32 checks scanFloat32 on the value s, alone and followed
// by the next pair: where it answers, it ends at the token's end (the first
// space or tab) and gives parseFloat32's bits for the token.
func checkScanFloat32(t *testing.T, s string) (answered bool) {
	t.Helper()
	for _, line := range []string{s, s + " 7:1", s + "\t7:1"} {
		b := []byte("3:" + line)
		v, end, ok := scanFloat32(b, 2)
		if !ok {
			continue
		}
		answered = true
		token := line
		if k := strings.IndexAny(line, " \t"); k >= 0 {
			token = line[:k]
		}
		if end != 2+len(token) {
			t.Fatalf("scanFloat32(%q) ended at %d, want %d", line, end, 2+len(token))
		}
		want, err := parseFloat32([]byte(token))
		if err != nil || math.Float32bits(v) != math.Float32bits(want) {
			t.Fatalf("scanFloat32(%q) = %v, parseFloat32 = %v (%v)", line, v, want, err)
		}
	}
	return answered
}

// TestScanFloat32 covers the one-pass parser of plain values: it answers
// for the shapes the data files hold, with parseFloat32's bits, and leaves
// every other token to parseFloat32.
func TestScanFloat32(t *testing.T) {
	for _, s := range []string{"1", "1.000000", "0.007242", "12", "0", "0.0", ".5", "5.", "16777215", "0.0666667",
		"0.0000012345", "0000000000000000001", "1677721.5", "999999.9"} {
		if !checkScanFloat32(t, s) {
			t.Errorf("%q: scanFloat32 declined a plain value", s)
		}
	}
	for _, s := range []string{"", ".", "-1", "+2", "3e-05", "1.5E3", "16777216", "0.1234567891", "0.00000000001", "00000000000000000001", "1..2", "1,2",
		"12345678901234567890", "0x1p3", "nan", "1_0", "1\r"} {
		if checkScanFloat32(t, s) {
			t.Errorf("%q: scanFloat32 answered for a token it must leave to parseFloat32", s)
		}
	}
}

func TestParseFloat32(t *testing.T) {
	for s, want := range map[string]float32{"1": 1, "1.000000": 1, "0.007242": 0.007242, "3e-05": 3e-05, "-0.733333": -0.733333,
		".5": 0.5, "5.": 5, "+2": 2, "12345678901": 12345678901, "1.5E3": 1500, "0.0666667": 0.0666667,
		// More than 19 digits, leading zeros among them.
		"0.0000000000000000000001234": 1.234e-22, "00000000000000000000000001.5": 1.5, "1234567890123456789012.5": 1.2345678e21,
		"0.1000000000000000000000001": 0.1} {
		got, err := parseFloat32([]byte(s))
		ref, _ := strconv.ParseFloat(s, 32)
		if err != nil || got != want || got != float32(ref) {
			t.Errorf("%q = %v (%v), want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"nan", "Inf", "-inf", "1e40", "x", "", "1..2", "0x1p3", "1_0", "e5", "1e"} {
		if _, err := parseFloat32([]byte(s)); err == nil {
			t.Errorf("%q should fail", s)
		}
	}
	if v, _ := parseFloat32([]byte("1e-60")); v != 0 || math.Signbit(float64(v)) {
		t.Errorf("underflow: %v", v)
	}
	if v, err := parseFloat32([]byte("-0")); err != nil || v != 0 || !math.Signbit(float64(v)) {
		t.Errorf("-0 = %v (%v), want negative zero", v, err)
	}
	// Each refusal says why: NaN or Inf (any case, signed, spelled out),
	// beyond float32, or not a number.
	for s, want := range map[string]error{
		"nan": errNaNInf, "NaN": errNaNInf, "NAN": errNaNInf, "+Inf": errNaNInf, "-infinity": errNaNInf, "INFINITY": errNaNInf,
		"infinity1": errNotNumber, "-nanx": errNotNumber, "--inf": errNotNumber, "1e40": errOverflow32, "-3.5e38": errOverflow32,
		"1e": errNotNumber, "x": errNotNumber, "": errNotNumber,
	} {
		if _, err := parseFloat32([]byte(s)); !errors.Is(err, want) {
			t.Errorf("%q: error %v, want %v", s, err, want)
		}
	}
}

func TestTransforms(t *testing.T) {
	ds, _ := Read(strings.NewReader("3 3 2\n0 0:3 1:4\n1 0:1\n \n"), "t", ReadOptions{})
	idf := IDF(ds.X)
	if !(math.Abs(float64(idf[0])-(math.Log(4.0/3)+1)) <= 1e-6) || !(math.Abs(float64(idf[2])-(math.Log(4.0)+1)) <= 1e-6) {
		t.Errorf("idf %v", idf)
	}
	NormalizeRows(ds.X)
	_, v := ds.X.Row(0)
	if !(math.Abs(float64(v[0])-0.6) <= 1e-6) || !(math.Abs(float64(v[1])-0.8) <= 1e-6) {
		t.Errorf("normalised %v", v)
	}
	e := CountEmpty(ds)
	if e.NoFeatures != 1 || e.NoLabels != 1 || e.Neither != 1 {
		t.Errorf("empty %+v", e)
	}
	kept, dropped := DropEmpty(ds, true, false)
	if dropped != 1 || kept.Rows() != 2 {
		t.Errorf("drop: %d %d", dropped, kept.Rows())
	}
	st := Describe(ds)
	if st.Examples != 3 || st.NNZ != 3 || st.LabelFrequency.Max != 1 {
		t.Errorf("stats %+v", st)
	}
}

// DropEmpty keeps the rows that have what each flag asks for.
func TestDropEmpty(t *testing.T) {
	// Rows: labels and features, features only, labels only, neither.
	ds, err := Read(strings.NewReader("4 3 2\n0 0:1\n 1:1\n1 \n \n"), "t", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		noLabels, noFeatures bool
		kept                 []int32 // the rows of ds kept, in order
	}{
		{false, false, []int32{0, 1, 2, 3}},
		{true, false, []int32{0, 2}},
		{false, true, []int32{0, 1}},
		{true, true, []int32{0}},
	} {
		got, dropped := DropEmpty(ds, c.noLabels, c.noFeatures)
		// Each row of ds has its own (label count, feature count).
		var rows []int32
		for i := range got.Rows() {
			for j := range int32(4) {
				if got.Y.RowLen(i) == ds.Y.RowLen(int(j)) && got.X.RowLen(i) == ds.X.RowLen(int(j)) {
					rows = append(rows, j)
					break
				}
			}
		}
		if !slices.Equal(rows, c.kept) || dropped != 4-len(c.kept) {
			t.Errorf("DropEmpty(labels %v, features %v): rows %v, dropped %d; want %v", c.noLabels, c.noFeatures, rows, dropped, c.kept)
		}
	}
}

// HoldoutRows holds out one fold of the positional rule; the folds
// 1..every partition the rows, and fold 0 is fold every (TARGETS.md's rule).
func TestHoldoutRows(t *testing.T) {
	for _, c := range []struct {
		n, every, fold int
		test           []int
	}{
		{7, 0, 0, nil},
		{7, 3, 0, []int{2, 5}},
		{7, 3, 3, []int{2, 5}},
		{7, 3, 1, []int{0, 3, 6}},
		{7, 3, 2, []int{1, 4}},
		{10, 5, 0, []int{4, 9}},
	} {
		train, test := HoldoutRows(c.n, c.every, c.fold)
		if !slices.Equal(test, c.test) || len(train)+len(test) != c.n {
			t.Errorf("HoldoutRows(%d, %d, %d): test %v (train %v), want test %v", c.n, c.every, c.fold, test, train, c.test)
		}
	}
	seen := make([]int, 11)
	for fold := 1; fold <= 4; fold++ {
		_, test := HoldoutRows(11, 4, fold)
		for _, i := range test {
			seen[i]++
		}
	}
	for i, k := range seen {
		if k != 1 {
			t.Errorf("row %d is in %d folds of 4, want exactly one", i, k)
		}
	}
}

// ReadRowsFile gives exactly the rows a whole read and Subset give, in
// pick's order with repeats, parsing only the chosen rows of a file with a
// header, and still checks the file's row count.
func TestReadRowsFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string { return testutil.WriteFile(t, dir, name, body) }
	xc, bad := rowsXC, rowsXCBadRow
	long := "2 9 4\n0 1:1\n1 2:1\n2 3:1\n"
	libsvm := rowsLibSVM
	fixed := func(rows ...int) func(int) ([]int, error) {
		return func(int) ([]int, error) { return rows, nil }
	}
	for _, tc := range []struct {
		name, body string
		opt        ReadOptions
		pick       func(int) ([]int, error)
		wantN      int
		wantErr    error
	}{
		{"sorted", xc, ReadOptions{}, fixed(1, 4, 5), 6, nil},
		{"any order, repeats", xc, ReadOptions{}, fixed(5, 0, 5, 2), 6, nil},
		{"every row", xc, ReadOptions{}, fixed(0, 1, 2, 3, 4, 5), 6, nil},
		{"none", xc, ReadOptions{}, fixed(), 6, nil},
		{"a damaged row passed over", bad, ReadOptions{}, fixed(0, 3), 6, nil},
		{"a damaged row chosen", bad, ReadOptions{}, fixed(1), 0, ErrSyntax},
		{"more rows than the header", long, ReadOptions{}, fixed(0), 0, ErrRowCount},
		{"a row past the end", xc, ReadOptions{}, fixed(2, 6), 0, ErrRowCount},
		{"pick's error", xc, ReadOptions{}, func(int) ([]int, error) { return nil, ErrSplit }, 0, ErrSplit},
		{"no header: read whole", libsvm, ReadOptions{Format: FormatLibSVM, FeatureBase: 1}, fixed(2, 0), 3, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := write(strings.ReplaceAll(tc.name, " ", "_")+".txt", tc.body)
			var gotN int
			pick := func(n int) ([]int, error) { gotN = n; return tc.pick(n) }
			ds, rows, n, err := ReadRowsFile(path, tc.opt, pick)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.wantN || gotN != tc.wantN {
				t.Errorf("file rows %d (pick given %d), want %d", n, gotN, tc.wantN)
			}
			want, _ := tc.pick(n)
			if !slices.Equal(rows, want) {
				t.Errorf("rows %v, want %v", rows, want)
			}
			whole := path
			if tc.body == bad { // the whole file does not parse; its other rows are xc's
				whole = write("whole.txt", xc)
			}
			full, err := ReadFile(whole, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			sub := full.Subset(want)
			if ds.Rows() != sub.Rows() || ds.X.Cols != sub.X.Cols || ds.Y.Cols != sub.Y.Cols ||
				!slices.Equal(ds.X.Indptr, sub.X.Indptr) || !slices.Equal(ds.X.Indices, sub.X.Indices) ||
				!slices.Equal(ds.X.Values, sub.X.Values) || !slices.Equal(ds.Y.Indptr, sub.Y.Indptr) || !slices.Equal(ds.Y.Indices, sub.Y.Indices) {
				t.Errorf("rows %v differ from a whole read's:\n got  %+v %+v\n want %+v %+v", want, *ds.X, *ds.Y, *sub.X, *sub.Y)
			}
		})
	}
}

// ReadRowsWhereFile reads the rows a predicate keeps, as a whole read's
// subset, XC rows it rejects passed over unparsed; a header declaring
// 2^31-1 rows over a few is a row-count error, with nothing sized by the
// declared count.
func TestReadRowsWhereFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string { return testutil.WriteFile(t, dir, name, body) }
	xc, bad := rowsXC, rowsXCBadRow
	libsvm := rowsLibSVM
	odd := func(i int) bool { return i%2 == 1 }
	for _, tc := range []struct {
		name, body string
		opt        ReadOptions
		keep       func(int) bool
		want       []int
		wantErr    error
	}{
		{"odd rows", xc, ReadOptions{}, odd, []int{1, 3, 5}, nil},
		{"every fifth", xc, ReadOptions{}, func(i int) bool { return i%5 == 4 }, []int{4}, nil},
		{"none", xc, ReadOptions{}, func(int) bool { return false }, nil, nil},
		{"a damaged row passed over", bad, ReadOptions{}, func(i int) bool { return i != 1 }, []int{0, 2, 3, 4, 5}, nil},
		{"a damaged row kept", bad, ReadOptions{}, odd, nil, ErrSyntax},
		{"no header: read whole", libsvm, ReadOptions{Format: FormatLibSVM, FeatureBase: 1}, odd, []int{1}, nil},
		{"a header declaring 2^31-1 rows", "2147483647 9 4\n0 1:1\n1 2:1\n", ReadOptions{}, odd, nil, ErrRowCount},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := write(strings.ReplaceAll(tc.name, " ", "_")+".txt", tc.body)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			ds, rows, n, err := ReadRowsWhereFile(path, tc.opt, tc.keep)
			runtime.ReadMemStats(&after)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
				if a := after.TotalAlloc - before.TotalAlloc; a > 8<<20 { // the reader's line buffer is 1 MiB
					t.Errorf("allocated %d bytes before failing", a)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rows, tc.want) {
				t.Errorf("rows %v, want %v", rows, tc.want)
			}
			whole := path
			if tc.body == bad {
				whole = write("whole.txt", xc)
			}
			full, err := ReadFile(whole, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if n != full.Rows() {
				t.Errorf("file rows %d, want %d", n, full.Rows())
			}
			sub := full.Subset(tc.want)
			if ds.Rows() != sub.Rows() || ds.X.Cols != sub.X.Cols || ds.Y.Cols != sub.Y.Cols ||
				!slices.Equal(ds.X.Indptr, sub.X.Indptr) || !slices.Equal(ds.X.Indices, sub.X.Indices) ||
				!slices.Equal(ds.X.Values, sub.X.Values) || !slices.Equal(ds.Y.Indptr, sub.Y.Indptr) || !slices.Equal(ds.Y.Indices, sub.Y.Indices) {
				t.Errorf("rows %v differ from a whole read's:\n got  %+v %+v\n want %+v %+v", tc.want, *ds.X, *ds.Y, *sub.X, *sub.Y)
			}
		})
	}
}

// A split file is checked against a data file of 2^31-1 rows (a damaged
// header can declare as many) without sizing anything by that count.
func TestParseSplitHugeRowCount(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rows, err := ParseSplit(strings.NewReader("3\n1\n100000000\n"), "split.txt", 1, math.MaxInt32)
	runtime.ReadMemStats(&after)
	if err != nil || !slices.Equal(rows, []int{2, 0, 99999999}) {
		t.Fatalf("rows %v, err %v", rows, err)
	}
	// A bit for each row up to the largest listed, 10^8: 12.5 MB, and as
	// much again while it grows (a bool for each of the 2^31-1 declared
	// rows was 2 GiB).
	if a := after.TotalAlloc - before.TotalAlloc; a > 64<<20 {
		t.Errorf("allocated %d bytes", a)
	}
	if _, err := ParseSplit(strings.NewReader("7\n1\n7\n"), "split.txt", 1, math.MaxInt32); !errors.Is(err, ErrDuplicate) || !strings.Contains(err.Error(), "split.txt:3:1") {
		t.Errorf("a repeated row: %v", err)
	}
}

// A UTF-8 byte-order mark at the start of a file (Windows editors and
// Excel's "CSV UTF-8" write one) is skipped by every text reader: data
// files, split files and name files read as without it. Elsewhere it is
// still an error.
func TestByteOrderMark(t *testing.T) {
	const bom = "\xef\xbb\xbf"
	for _, c := range []struct {
		name, body string
		opt        ReadOptions
	}{
		{"xc", "2 4 2\n0 1:1\n1 2:1 3:0.5\n", ReadOptions{}},
		{"libsvm", "0 2:1\n1 3:1 4:0.5\n", ReadOptions{Format: FormatLibSVM, FeatureBase: 1}},
	} {
		want, err := Read(strings.NewReader(c.body), c.name, c.opt)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Read(strings.NewReader(bom+c.body), c.name, c.opt)
		if err != nil || !reflect.DeepEqual(got.X, want.X) || !reflect.DeepEqual(got.Y, want.Y) {
			t.Errorf("%s with a BOM: %v", c.name, err)
		}
		if _, err := Read(strings.NewReader(strings.Replace(c.body, "\n", "\n"+bom, 1)), c.name, c.opt); !errors.Is(err, ErrInput) {
			t.Errorf("%s with a BOM on line 2: %v, want an input error", c.name, err)
		}
	}
	if rows, err := ParseSplit(strings.NewReader(bom+"2\n1\n"), "split.txt", 1, 2); err != nil || !slices.Equal(rows, []int{1, 0}) {
		t.Errorf("split file with a BOM: %v %v", rows, err)
	}
	path := filepath.Join(t.TempDir(), "names.txt")
	os.WriteFile(path, []byte(bom+"alpha\r\nbeta\r\n"), 0o644)
	if names, err := ReadNames(path); err != nil || !slices.Equal(names, []string{"alpha", "beta"}) {
		t.Errorf("names with a BOM: %q %v", names, err)
	}
	if _, err := Read(strings.NewReader(bom), "bom-only", ReadOptions{Format: FormatXC}); !errors.Is(err, ErrInput) {
		t.Errorf("a file of a BOM alone: %v, want an input error", err)
	}
}

// ReadLabelsFile gives a data file's labels, or an XC label matrix's
// columns as labels, restricted to a split's rows in the split's order.
func TestReadLabelsFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string { return testutil.WriteFile(t, dir, name, body) }
	xc := write("data.txt", "3 4 3\n0 1:1\n1,2 2:1\n2 3:1\n")
	matrix := write("tst_X_Y.txt", "3 3\n0:1\n1:1 2:1\n2:1\n")
	split := write("split.txt", "3\n1\n")
	for _, c := range []struct {
		path, rows string
		opt        ReadOptions
		indptr     []int64
		indices    []int32
	}{
		{xc, "", ReadOptions{}, []int64{0, 1, 3, 4}, []int32{0, 1, 2, 2}},
		{xc, split, ReadOptions{}, []int64{0, 1, 2}, []int32{2, 0}},
		{matrix, "", ReadOptions{Format: FormatXCMatrix}, []int64{0, 1, 3, 4}, []int32{0, 1, 2, 2}},
		{matrix, split, ReadOptions{}, []int64{0, 1, 2}, []int32{2, 0}},
	} {
		y, err := ReadLabelsFile(c.path, c.rows, 1, c.opt)
		if err != nil || y.Cols != 3 || !slices.Equal(y.Indptr, c.indptr) || !slices.Equal(y.Indices, c.indices) || y.Values != nil {
			t.Errorf("%s rows %q: %+v %v", filepath.Base(c.path), c.rows, y, err)
		}
	}
	if _, err := ReadLabelsFile(xc, write("bad.txt", "4\n"), 1, ReadOptions{}); !errors.Is(err, ErrRange) {
		t.Errorf("a split row past the end: %v", err)
	}
	// The features are not kept but still checked: damage is reported.
	damaged := write("damaged.txt", "2 4 3\n0 1:1\n1 9:1\n")
	if _, err := ReadLabelsFile(damaged, "", 1, ReadOptions{}); !errors.Is(err, ErrRange) || !strings.Contains(err.Error(), "damaged.txt:3") {
		t.Errorf("a feature id past the header's: %v", err)
	}
	// The same labels as a whole read, for a larger file.
	big := write("big.txt", string(xcText(5000)))
	ds, err := ReadFile(big, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	y, err := ReadLabelsFile(big, "", 1, ReadOptions{})
	if err != nil || y.Rows != ds.Y.Rows || y.Cols != ds.Y.Cols || !slices.Equal(y.Indptr, ds.Y.Indptr) || !slices.Equal(y.Indices, ds.Y.Indices) {
		t.Errorf("labels of %d rows differ from a whole read's (%v)", ds.Rows(), err)
	}
}

func TestOnePerRow(t *testing.T) {
	for _, c := range []struct {
		indptr []int64
		want   bool
	}{{[]int64{0, 1, 2}, true}, {[]int64{0, 1, 3}, false}, {[]int64{0, 0, 1}, false}, {[]int64{0}, false}} {
		m := &CSR{Rows: len(c.indptr) - 1, Cols: 3, Indptr: c.indptr, Indices: make([]int32, c.indptr[len(c.indptr)-1])}
		if got := m.OnePerRow(); got != c.want {
			t.Errorf("indptr %v: %v, want %v", c.indptr, got, c.want)
		}
	}
}

// When an XC file has more rows than its header declares, the error names
// the first empty line read as a row, the usual cause; without one it does
// not.
func TestMoreRowsNamesEmptyLine(t *testing.T) {
	for _, c := range []struct{ body, want, not string }{
		{"2 4 2\n0 1:1\n\n1 2:1\n", "blank.txt:4:1: row count mismatch: header declares 2 rows but there are more (line 3 is empty and was read as a row without labels or features", ""},
		{"2 4 2\n0 1:1\n1 2:1\n1 3:1\n", "blank.txt:4:1: row count mismatch: header declares 2 rows but there are more; fix the header", "is empty"},
		{"2 4 2\n0 1:1\n1 2:1\n\n\n", "", ""}, // blank lines at the end are not rows
	} {
		_, err := Read(strings.NewReader(c.body), "blank.txt", ReadOptions{Format: FormatXC})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v", c.body, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || c.not != "" && strings.Contains(err.Error(), c.not)):
			t.Errorf("%q: %v, want %q", c.body, err, c.want)
		}
	}
}

// Files the split readers' tests share: six XC rows; the same with row 1
// damaged; three LIBSVM rows.
const (
	rowsXC       = "6 9 4\n0 1:1 3:0.5\n1,2 2:2\n 4:1\n3 8:0.25\n0,3 0:1 5:1\n2 7:3\n"
	rowsXCBadRow = "6 9 4\n0 1:1 3:0.5\n1,2 2:x\n 4:1\n3 8:0.25\n0,3 0:1 5:1\n2 7:3\n"
	rowsLibSVM   = "0 2:1 4:0.5\n1,2 3:2\n2 1:1\n"
)

// A file read in the wrong format is named as such, with the fix in the
// words of the setting that chose the format; a damaged row of the right
// format is not mistaken for one.
func TestWrongFormatNamesTheFix(t *testing.T) {
	const xc, matrix, libsvm = "2 4 2\n0 1:1\n1 2:1\n", "2 4\n0:1\n1:1\n", "0 1:1\n1 2:1\n"
	for _, c := range []struct {
		name    string
		body    string
		format  Format
		setting string
		want    string
	}{
		{"xc-as-libsvm", xc, FormatLibSVM, "--input-format", `f.txt:1:1: bad header: line 1 "2 4 2" looks like an XC data file's header ("num_examples num_features num_labels"), but the file is read as libsvm, which has no header; read it with --input-format xc (or auto)`},
		{"matrix-as-libsvm", matrix, FormatLibSVM, "data.format", `line 1 "2 4" looks like a sparse-matrix header ("rows cols"), but the file is read as libsvm, which has no header; read it with data.format: xc-matrix (or auto)`},
		{"libsvm-as-xc", libsvm, FormatXC, "--data-format", `f.txt:1:1: bad header: expected the XC header "num_examples num_features num_labels", got "0 1:1"; a file without a header is read with --data-format libsvm`},
		{"matrix-as-xc", matrix, FormatXC, "", `got "2 4"; it looks like a sparse-matrix header ("rows cols"): read the file with format xc-matrix`},
		{"xc-as-matrix", xc, FormatXCMatrix, "--from", `expected the sparse-matrix header "rows cols", got "2 4 2"; it looks like an XC data file's header ("num_examples num_features num_labels"): read the file with --from xc`},
		{"libsvm-as-matrix", libsvm, FormatXCMatrix, "--from", `expected the sparse-matrix header "rows cols", got "0 1:1"`},
		// Line 1 of a LIBSVM file that is a damaged row, not a header.
		{"libsvm-bad-row", "0 1 2 3\n", FormatLibSVM, "--input-format", `f.txt:1:4: malformed: expected ':' after feature id 1, found a space`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(c.body), "f.txt", ReadOptions{Format: c.format, Settings: Settings{Format: c.setting}})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != 1 {
				t.Errorf("%v is not a ParseError at line 1", err)
			}
		})
	}
	// A split of a file read as LIBSVM parses every line (the file has no
	// header to count rows by), so a header is caught even when the split
	// leaves line 1 out.
	_, _, _, err := ReadRows(strings.NewReader(xc), "f.txt", ReadOptions{Format: FormatLibSVM, Settings: Settings{Format: "--data-format"}}, func(int) ([]int, error) { return []int{1}, nil })
	if err == nil || !strings.Contains(err.Error(), "read it with --data-format xc") {
		t.Errorf("a split of an XC file read as libsvm: %v", err)
	}
}

// An id below a LIBSVM file's index base names the setting that fixes it,
// by the name the command gave it, or in neutral words.
func TestBelowBaseNamesTheSetting(t *testing.T) {
	for _, c := range []struct {
		body     string
		lb, fb   int
		settings Settings
		want     string
	}{
		{"1 0:1\n", 0, 1, Settings{FeatureBase: "--feature-base"}, "f.txt:1:3: id out of range: feature id 0 is below the index base 1; if ids start at 0, set --feature-base 0"},
		{"1 0:1\n", 0, 1, Settings{FeatureBase: "data.feature_base"}, "set data.feature_base: 0"},
		{"1 0:1\n", 0, 1, Settings{}, "if ids start at 0, set the feature base to 0"},
		{"0 1:1\n", 1, 1, Settings{LabelBase: "--label-base", FeatureBase: "--feature-base"}, "f.txt:1:1: id out of range: label id 0 is below the index base 1; if ids start at 0, set --label-base 0"},
		{"0 1:1\n", 1, 1, Settings{LabelBase: "data.label_base"}, "set data.label_base: 0"},
	} {
		_, err := Read(strings.NewReader(c.body), "f.txt", ReadOptions{Format: FormatLibSVM, LabelBase: c.lb, FeatureBase: c.fb, Settings: c.settings})
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrRange) {
			t.Errorf("%q with %+v: %v, want %q", c.body, c.settings, err, c.want)
		}
	}
}

// ReadOptions.Progress follows a file's reading, plain or gzipped: calls
// every 4096 rows with a growing byte count, the last with the whole file
// (what the commands' "reading FILE" lines show). Every reading function
// passes it on; a stream of unknown size gets none.
func TestReadProgress(t *testing.T) {
	const rows = 20000
	var b strings.Builder
	fmt.Fprintf(&b, "%d 50 5\n", rows)
	for i := range rows {
		fmt.Fprintf(&b, "%d %d:1 %d:2.5\n", i%5, i%50, (i+7)%50)
	}
	dir := t.TempDir()
	plain := filepath.Join(dir, "d.txt")
	os.WriteFile(plain, []byte(b.String()), 0o644)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(b.String()))
	zw.Close()
	packed := filepath.Join(dir, "d.txt.gz")
	os.WriteFile(packed, gz.Bytes(), 0o644)
	for _, c := range []struct {
		name string
		read func(opt ReadOptions) error
		path string
	}{
		{"ReadFile", func(opt ReadOptions) error { _, err := ReadFile(plain, opt); return err }, plain},
		{"ReadFile gzip", func(opt ReadOptions) error { _, err := ReadFile(packed, opt); return err }, packed},
		{"ReadRowsFile", func(opt ReadOptions) error {
			_, _, _, err := ReadRowsFile(plain, opt, func(n int) ([]int, error) { return []int{1, n - 1}, nil })
			return err
		}, plain},
		{"ReadLabelsFile", func(opt ReadOptions) error { _, err := ReadLabelsFile(plain, "", 1, opt); return err }, plain},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, _ := os.Stat(c.path)
			var calls [][2]int64
			opt := ReadOptions{Progress: func(done, size int64) { calls = append(calls, [2]int64{done, size}) }}
			if err := c.read(opt); err != nil {
				t.Fatal(err)
			}
			if len(calls) != rows/(progressRows+1)+1 {
				t.Fatalf("%d calls, want %d (every %d rows and the end): %v", len(calls), rows/(progressRows+1)+1, progressRows+1, calls)
			}
			for i, cl := range calls {
				if cl[1] != st.Size() || cl[0] <= 0 || i > 0 && cl[0] < calls[i-1][0] {
					t.Errorf("call %d: %d of %d, want a growing count of the file's %d bytes", i, cl[0], cl[1], st.Size())
				}
			}
			if last := calls[len(calls)-1]; last[0] != last[1] {
				t.Errorf("the last call says %d of %d bytes, want the whole file", last[0], last[1])
			}
		})
	}
	var calls int
	if _, err := Read(strings.NewReader(b.String()), "stdin", ReadOptions{Progress: func(int64, int64) { calls++ }}); err != nil || calls != 0 {
		t.Errorf("a stream of unknown size: %d calls (%v), want none", calls, err)
	}
}

// Validate is the fuzzers' oracle for a parsed matrix, so it must refuse
// each broken invariant: a repeated or unsorted column, a column past the
// width, a row of negative length, an index array the row pointers do not
// span, values that do not match the indices, a non-finite value.
func TestCSRValidate(t *testing.T) {
	good := func() *CSR {
		return &CSR{Rows: 2, Cols: 4, Indptr: []int64{0, 2, 3}, Indices: []int32{0, 3, 1}, Values: []float32{1, 2, 3}}
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("a good matrix: %v", err)
	}
	for name, edit := range map[string]func(m *CSR){
		"repeated column":   func(m *CSR) { m.Indices[1] = 0 },
		"unsorted columns":  func(m *CSR) { m.Indices[0], m.Indices[1] = 3, 0 },
		"column past width": func(m *CSR) { m.Indices[1] = 4 },
		"negative length":   func(m *CSR) { m.Indptr, m.Rows = []int64{0, 3, 2, 3}, 3 },
		"short span":        func(m *CSR) { m.Indptr[2] = 2 },
		"row count":         func(m *CSR) { m.Rows = 3 },
		"values length":     func(m *CSR) { m.Values = m.Values[:2] },
		"NaN value":         func(m *CSR) { m.Values[2] = float32(math.NaN()) },
		"infinite value":    func(m *CSR) { m.Values[0] = float32(math.Inf(-1)) },
	} {
		m := good()
		edit(m)
		if err := m.Validate(); err == nil {
			t.Errorf("%s: accepted %+v", name, m)
		}
	}
	// A binary matrix (no values) is valid.
	m := good()
	m.Values = nil
	if err := m.Validate(); err != nil {
		t.Errorf("binary matrix: %v", err)
	}
}

// Written values: whole numbers below 10^7 in magnitude as integers, the
// rest in the shortest form that reads back to the same float32.
func TestAppendFloat32(t *testing.T) {
	for v, want := range map[float32]string{
		1: "1", 0: "0", -3: "-3", 9999999: "9999999", -9999999: "-9999999", 1e7: "1e+07", -1e7: "-1e+07",
		0.5: "0.5", 0.1: "0.1", 1.5e-5: "1.5e-05", 0.0666667: "0.0666667", 12345678: "1.2345678e+07",
	} {
		if got := string(appendFloat32(nil, v)); got != want {
			t.Errorf("%v written as %q, want %q", v, got, want)
		}
	}
}

// A directory given as a data file is refused by name, before any read,
// with the same input error a missing file gets.
func TestOpenDirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(dir)
	if err == nil || !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), dir+" is a directory, not a data file") {
		t.Errorf("Open(dir): %v, want an input error naming the directory", err)
	}
	if _, err := Open(dir + "/missing.txt"); err == nil || !errors.Is(err, ErrInput) {
		t.Errorf("Open(missing): %v, want an input error", err)
	}
}

// A header that disagrees with the configured dimensions (data.num_features,
// data.num_labels) is refused at line 1; an XC label matrix has no label
// count to compare, and a header that agrees is read.
func TestHeaderAgainstConfigured(t *testing.T) {
	const xc = "2 5 3\n0 1:1\n2 4:1\n"
	for _, c := range []struct {
		text string
		opt  ReadOptions
		want string // "" = read
	}{
		{xc, ReadOptions{Format: FormatXC, NumFeatures: 5, NumLabels: 3}, ""},
		{xc, ReadOptions{Format: FormatXC, NumFeatures: 6}, "h.txt:1:1: inconsistent dataset: header declares 5 features but 6 were configured"},
		{xc, ReadOptions{Format: FormatXC, NumLabels: 4}, "h.txt:1:1: inconsistent dataset: header declares 3 labels but 4 were configured"},
		{xc, ReadOptions{Format: FormatAuto, NumFeatures: 4}, "declares 5 features but 4 were configured"},
		{"2 5\n0:1\n4:1\n", ReadOptions{Format: FormatXCMatrix, NumLabels: 4}, ""},
	} {
		_, err := NewReader(strings.NewReader(c.text), "h.txt", c.opt)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c.opt, err)
		case c.want != "" && (err == nil || !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%+v: error %v, want a mismatch containing %q", c.opt, err, c.want)
		}
	}
}

// The bytes a row writer writes, as XC files lay rows out: labels joined
// by commas, one space, features separated by single spaces; a row without
// labels starts with the space, a row without features ends with it.
// LIBSVM shifts the ids by the bases and has no header.
func TestRowWriterBytes(t *testing.T) {
	rows := []struct {
		labels, ids []int32
		vals        []float32
	}{
		{[]int32{0, 2}, []int32{1, 3}, []float32{0.5, 1}},
		{nil, []int32{0}, []float32{2}},
		{[]int32{1}, nil, nil},
	}
	for _, c := range []struct {
		opt  WriteOptions
		want string
	}{
		{WriteOptions{Format: FormatXC}, "3 4 3\n0,2 1:0.5 3:1\n 0:2\n1 \n"},
		{WriteOptions{Format: FormatLibSVM, LabelBase: 1, FeatureBase: 1}, "1,3 2:0.5 4:1\n 1:2\n2 \n"},
	} {
		var b strings.Builder
		rw := NewRowWriter(&b, c.opt)
		if err := rw.Header(3, 4, 3); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := rw.Write(r.labels, r.ids, r.vals); err != nil {
				t.Fatal(err)
			}
		}
		if b.String() != c.want {
			t.Errorf("%s: wrote %q, want %q", c.opt.Format, b.String(), c.want)
		}
	}
}
