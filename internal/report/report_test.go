package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/testutil"
)

// tricky holds every character some format must escape, a ragged row,
// a cell wider than its header and a non-ASCII one.
var tricky = Grid{
	Header:     []string{"config", "p@1", "note"},
	RightAlign: []bool{false, true, false},
	Rows: [][]string{
		{"bibtex_mhc", "62.70 ± 0.37", "a|b & 5% $x$ #1 {y} ~z ^w \\v"},
		{"delicious × 3", "67.82", "two\nlines"},
		{"short", "1.00"},
	},
}

func TestGridWriteGolden(t *testing.T) {
	for _, f := range []Format{Table, CSV, Markdown, LaTeX} {
		t.Run(string(f), func(t *testing.T) {
			var b bytes.Buffer
			if err := tricky.Write(&b, f); err != nil {
				t.Fatal(err)
			}
			testutil.CheckGolden(t, "tricky."+string(f), b.Bytes())
		})
	}
}

// Every row of a Markdown table is one line with as many unescaped cell
// separators as the header: a pipe or a newline in a cell must not split
// it, and a short row is padded.
func TestMarkdownRowsStayWhole(t *testing.T) {
	var b bytes.Buffer
	if err := tricky.Write(&b, Markdown); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2+len(tricky.Rows) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), 2+len(tricky.Rows), b.String())
	}
	seps := func(l string) int { return strings.Count(l, "|") - strings.Count(l, `\|`) }
	for _, l := range lines[2:] {
		if seps(l) != seps(lines[0]) {
			t.Errorf("row %q has %d separators, the header %d", l, seps(l), seps(lines[0]))
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, c := range []struct {
		in      string
		allowed []Format
		want    Format
		err     string
	}{
		{"table", []Format{Table, JSON}, Table, ""},
		{"JSON", []Format{Table, JSON}, JSON, ""},
		{"md", []Format{Table, Markdown}, Markdown, ""},
		{"csv", []Format{Table, JSON}, "", `unknown format "csv" (want one of table, json)`},
		{"", []Format{Table}, "", `unknown format "" (want one of table)`},
	} {
		got, err := ParseFormat(c.in, c.allowed...)
		if got != c.want || (err == nil) != (c.err == "") || err != nil && err.Error() != c.err {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, %q", c.in, got, err, c.want, c.err)
		}
	}
}

func TestObjectKeepsKeyOrder(t *testing.T) {
	var o Object
	o.Set("z", 1).Set("a", []int{2}).Set("m", nil).Set("z", "again")
	var b bytes.Buffer
	if err := WriteJSON(&b, &o); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"z\": \"again\",\n  \"a\": [\n    2\n  ],\n  \"m\": null\n}\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	// A value JSON cannot hold is an error, not a half-written object.
	o.Set("bad", func() {})
	if _, err := o.MarshalJSON(); err == nil {
		t.Error("a func value marshalled without error")
	}
}

func TestPercent(t *testing.T) {
	for in, want := range map[float64]string{0.6270: "62.70", 1: "100.00", 0: "0.00", 0.123456: "12.35"} {
		if got := Percent(in); got != want {
			t.Errorf("Percent(%v) = %s, want %s", in, got, want)
		}
	}
}

// RightAlign may be shorter than the rows (nil: every column left-aligned):
// the columns it leaves out are left-aligned in every format.
func TestShortRightAlign(t *testing.T) {
	g := Grid{Header: []string{"a", "bb", "c"}, RightAlign: []bool{true}, Rows: [][]string{{"10", "x", "yyy"}, {"2", "zzz", "w"}}}
	want := map[Format]string{
		Table:    " a  bb   c\n10  x    yyy\n 2  zzz  w\n",
		Markdown: "| a | bb | c |\n|---:|---|---|\n| 10 | x | yyy |\n| 2 | zzz | w |\n",
		LaTeX:    "\\begin{tabular}{rll}\n",
		CSV:      "a,bb,c\n10,x,yyy\n2,zzz,w\n",
	}
	for f, w := range want {
		var b bytes.Buffer
		if err := g.Write(&b, f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !strings.HasPrefix(b.String(), w) {
			t.Errorf("%s:\n%q\nwant it to start with\n%q", f, b.String(), w)
		}
	}
}
