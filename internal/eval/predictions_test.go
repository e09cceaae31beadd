package eval

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/data"
)

// What PredWriter writes, PredReader reads back: the same labels in the
// same order and the scores to 6 decimals, with ids or with names, with and
// without a header, and rows that the threshold empties.
func TestPredWriterRoundTrip(t *testing.T) {
	type row struct {
		labels []int32
		scores []float32
	}
	rows := []row{
		{[]int32{2, 0, 1}, []float32{0.9, 0.5, 0.25}},
		{nil, nil},
		{[]int32{1}, []float32{0.1234567}},
		{[]int32{0, 2}, []float32{1, 1e-7}},
	}
	names := []string{"a", "b", "c:d"}
	ids := map[string]int32{"a": 0, "b": 1, "c:d": 2}
	for _, tc := range []struct {
		name      string
		names     []string
		header    bool
		threshold float64
		want      string
	}{
		{name: "ids", want: "2:0.900000 0:0.500000 1:0.250000\n\n1:0.123457\n0:1.000000 2:0.000000\n"},
		{name: "ids, header", header: true, want: "4 3\n2:0.900000 0:0.500000 1:0.250000\n\n1:0.123457\n0:1.000000 2:0.000000\n"},
		{name: "names", names: names, want: "c:d:0.900000 a:0.500000 b:0.250000\n\nb:0.123457\na:1.000000 c:d:0.000000\n"},
		{name: "threshold", threshold: 0.5, want: "2:0.900000 0:0.500000\n\n\n0:1.000000\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			pw := NewPredWriter(&buf, tc.names, tc.threshold)
			if tc.header {
				if err := pw.Header(len(rows), 3); err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range rows {
				if err := pw.Write(r.labels, r.scores); err != nil {
					t.Fatal(err)
				}
			}
			if err := pw.Flush(); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tc.want {
				t.Fatalf("wrote\n%q\nwant\n%q", buf.String(), tc.want)
			}
			var pr *PredReader
			if tc.names != nil {
				pr = NewPredReaderNames(bytes.NewReader(buf.Bytes()), "pred.txt", ids)
			} else {
				var err error
				if pr, err = NewPredReader(bytes.NewReader(buf.Bytes()), "pred.txt"); err != nil {
					t.Fatal(err)
				}
			}
			for i, r := range rows {
				labels, scores, err := pr.Next()
				if err != nil {
					t.Fatalf("row %d: %v", i+1, err)
				}
				keep := len(r.labels)
				for keep > 0 && float64(r.scores[keep-1]) < tc.threshold {
					keep--
				}
				if !slices.Equal(labels, r.labels[:keep]) {
					t.Errorf("row %d: labels %v, want %v", i+1, labels, r.labels[:keep])
				}
				for j, s := range scores {
					if !(math.Abs(float64(s-r.scores[j])) <= 5e-7) {
						t.Errorf("row %d: score %d is %v, want %v", i+1, j, s, r.scores[j])
					}
				}
			}
			if _, _, err := pr.Next(); err != io.EOF {
				t.Errorf("after the last row: %v, want io.EOF", err)
			}
			if n, c, ok := pr.Header(); ok != tc.header || (ok && (n != len(rows) || c != 3)) {
				t.Errorf("header %d %d %v", n, c, ok)
			}
		})
	}
}

// A label named twice in a row is an input error naming the file, the line
// and the label, with ids and with names.
func TestPredReaderDuplicate(t *testing.T) {
	named := NewPredReaderNames(strings.NewReader("b:0.5\na:1 c:d:0.7 a:0.5\n"), "pred.txt", map[string]int32{"a": 0, "b": 1, "c:d": 2})
	ided, err := NewPredReader(strings.NewReader("1:0.5\n0:1 2:0.7 0:0.5\n"), "pred.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		pr   *PredReader
		want string
	}{
		{"names", named, `pred.txt:2:1: duplicate id: label "a" is predicted twice in this row`},
		{"ids", ided, `pred.txt:2:1: duplicate id: label 0 is predicted twice in this row`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := tc.pr.Next(); err != nil {
				t.Fatal(err)
			}
			_, _, err := tc.pr.Next()
			if !errors.Is(err, data.ErrDuplicate) || !errors.Is(err, data.ErrInput) || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// Long rows (more than 32 labels, checked with row stamps) find a repeated
// label, small or beyond the stamps' range, and never take a label of an
// earlier row for a repeat, also when the stamps wrap around.
func TestPredReaderDuplicateLongRows(t *testing.T) {
	row := func(ids ...int) string {
		var b strings.Builder
		for i, id := range ids {
			fmt.Fprintf(&b, "%d:%g ", id, 1-float64(i)/100)
		}
		return strings.TrimSpace(b.String()) + "\n"
	}
	seq := func(from, n int) []int {
		ids := make([]int, n)
		for i := range ids {
			ids[i] = from + i
		}
		return ids
	}
	big := 1 << 30
	for _, tc := range []struct {
		name string
		text string
		gen  uint32 // the stamps' generation before reading
		dup  string // "" for no error
	}{
		{"distinct rows sharing labels", row(seq(0, 100)...) + row(seq(50, 100)...) + row(seq(0, 40)...), 0, ""},
		{"a repeat at the end of a long row", row(seq(0, 100)...) + row(append(seq(10, 60), 35)...), 0, "line 2: label 35"},
		{"large ids", row(append(seq(0, 40), big, big+1, 1<<24)...) + row(append(seq(0, 40), big+1, big)...), 0, ""},
		{"a repeated large id", row(append(seq(0, 40), big, 45, big)...), 0, "line 1: label 1073741824"},
		{"stamps wrap around", row(seq(0, 50)...) + row(seq(50, 50)...) + row(seq(0, 50)...), ^uint32(0) - 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pr, err := NewPredReader(strings.NewReader(tc.text), "pred.txt")
			if err != nil {
				t.Fatal(err)
			}
			pr.gen = tc.gen
			for {
				_, _, err = pr.Next()
				if err != nil {
					break
				}
			}
			switch {
			case tc.dup == "" && err != io.EOF:
				t.Errorf("error %v, want none", err)
			case tc.dup != "" && (!errors.Is(err, data.ErrDuplicate) || !strings.Contains(err.Error(), strings.SplitN(tc.dup, ": ", 2)[1]) ||
				!strings.Contains(err.Error(), "pred.txt:"+strings.TrimPrefix(strings.SplitN(tc.dup, ":", 2)[0], "line ")+":")):
				t.Errorf("error %v, want a repeat at %s", err, tc.dup)
			}
		})
	}
}

// A damaged prediction line is described in a prediction file's words,
// labels and scores, not a feature file's.
func TestPredReaderWords(t *testing.T) {
	for line, want := range map[string]string{
		"0:nan\n":     `pred.txt:1:3: bad value: label 0: NaN or Inf is not a valid value: "nan"`,
		"3 1:0.5\n":   "pred.txt:1:2: malformed: expected ':' after label id 3, found a space",
		"1:\n":        "pred.txt:1:3: malformed: missing score after 1:",
		"-1:0.5\n":    "pred.txt:1:1: id out of range: negative label id",
		"x:0.5\n":     `pred.txt:1:1: malformed: expected a label id:score pair, found "x:0.5"`,
		"1:0.5\tz\n":  `pred.txt:1:7: malformed: expected a label id:score pair, found "z"`,
		"1:0.5 1:0\n": "label 1 is predicted twice",
	} {
		pr, err := NewPredReader(strings.NewReader(line), "pred.txt")
		if err == nil {
			_, _, err = pr.Next()
		}
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "feature") {
			t.Errorf("%q: error %v, want one containing %q and no \"feature\"", line, err, want)
		}
	}
}

// Names a prediction file cannot hold are refused with the names file's
// line: an empty name, or one with a space or tab.
func TestCheckPredNames(t *testing.T) {
	if err := CheckPredNames([]string{"a", "b:c", "é"}, "names.txt"); err != nil {
		t.Errorf("good names: %v", err)
	}
	for _, c := range []struct {
		names []string
		want  string
	}{
		{[]string{"a", ""}, `names.txt:2: label name "" is empty or has whitespace`},
		{[]string{"a", "b", "c d"}, `names.txt:3: label name "c d"`},
		{[]string{"a\tb"}, `names.txt:1:`},
	} {
		err := CheckPredNames(c.names, "names.txt")
		if !errors.Is(err, data.ErrInput) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an input error with %q", c.names, err, c.want)
		}
	}
}

// An inverse-propensity file reads one positive value a line; a UTF-8
// byte-order mark before the first is skipped; anything else is an error
// naming the line.
func TestReadInvPropensity(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, body string
		want       []float64
		err        string
	}{
		{"plain", "1.5\n2\n\n3.25\n", []float64{1.5, 2, 3.25}, ""},
		{"bom", "\xef\xbb\xbf1.5\r\n2\r\n", []float64{1.5, 2}, ""},
		{"zero", "1.5\n0\n", nil, "zero:2:1"},
		{"nan", "NaN\n", nil, "nan:1:1"},
		{"empty", "\n\n", nil, "propensity file is empty"},
	} {
		path := filepath.Join(dir, c.name)
		os.WriteFile(path, []byte(c.body), 0o644)
		got, err := ReadInvPropensity(path)
		if c.err == "" && (err != nil || !slices.Equal(got, c.want)) || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: %v %v, want %v %q", c.name, got, err, c.want, c.err)
		}
	}
}

// A names-mode prediction file may start with mhe predict --header's
// "rows cols" line: it is read as the header only on line 1 and only when
// it is two whole numbers without a ':'. Errors point at the column of
// the token, or of the score within it.
func TestPredReaderNamesHeader(t *testing.T) {
	names := map[string]int32{"a": 0, "b": 1, "7": 2, "8": 3, "ab": 4}
	read := func(text string) (rows [][]int32, hdr [3]int, err error) {
		pr := NewPredReaderNames(strings.NewReader(text), "pred.txt", names)
		for {
			var ls []int32
			ls, _, err = pr.Next()
			if err != nil {
				break
			}
			rows = append(rows, slices.Clone(ls))
		}
		r, c, ok := pr.Header()
		if ok {
			hdr = [3]int{r, c, 1}
		}
		if err == io.EOF {
			err = nil
		}
		return rows, hdr, err
	}
	for _, tc := range []struct {
		name, text string
		rows       [][]int32
		hdr        [3]int
	}{
		{"header", "2 4\na:0.9 b:0.1\nb:1\n", [][]int32{{0, 1}, {1}}, [3]int{2, 4, 1}},
		{"no header", "a:0.9 b:0.1\nb:1\n", [][]int32{{0, 1}, {1}}, [3]int{}},
		// Two numbers on a later line are not a header (and not a
		// prediction line either).
		{"pair on line 2", "a:1\n7 8\n", nil, [3]int{}},
		// Two name:score pairs named by numbers are predictions.
		{"numeric names", "7:0.5 8:0.25\n", [][]int32{{2, 3}}, [3]int{}},
		// Three numbers are not a header, nor a number and a word.
		{"three numbers", "2 4 1\n", nil, [3]int{}},
		{"number and word", "2 x\na:1\n", nil, [3]int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, hdr, err := read(tc.text)
			if tc.rows == nil {
				if err == nil {
					t.Errorf("read %v with header %v, want an error", rows, hdr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(rows, tc.rows) || hdr != tc.hdr {
				t.Errorf("rows %v, header %v, error %v; want %v, %v", rows, hdr, err, tc.rows, tc.hdr)
			}
		})
	}
	for text, want := range map[string]string{
		"a:1 :0.5\n":     `pred.txt:1:5: malformed: expected name:score, found ":0.5"`,
		"a:1  zz:0.5\n":  `pred.txt:1:6: id out of range: label name "zz" is not in the names file`,
		"b:1 a:x\n":      `pred.txt:1:7: bad value: bad score "x"`,
		"a:1 b:0.5 a1\n": `pred.txt:1:11: malformed: expected name:score, found "a1"`,
		"ab:1 b:\n":      `pred.txt:1:8: bad value: bad score ""`,
		"ab:1 b\n":       `pred.txt:1:6: malformed: expected name:score, found "b"`,
	} {
		if _, _, err := read(text); err == nil || err.Error() != want {
			t.Errorf("%q: error %v, want %q", text, err, want)
		}
	}
}
