package yamlfile

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

type inner struct {
	Name  string `yaml:"name"`
	Count int    `yaml:"count,omitempty"`
}

type shared struct {
	Note string `yaml:"note"`
}

type outer struct {
	Out    string  `yaml:"out"`
	Runs   []inner `yaml:"runs"`
	Plain  bool
	Hidden string `yaml:"-"`
	shared `yaml:",inline"`
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string // substrings of the error; none: it decodes
	}{
		{name: "good", in: "out: x\nruns:\n  - name: a\n    count: 2\nplain: true\nnote: n\n"},
		{name: "unknown top", in: "out: x\nrun: []\n", want: []string{`s.yaml:2: unknown key "run" (the keys there are out, runs, plain, note)`}},
		{name: "unknown nested", in: "out: x\nruns:\n  - name: a\n    cout: 2\n", want: []string{`s.yaml:4: unknown key "cout" (the keys there are name, count)`}},
		{name: "both", in: "outt: x\nruns:\n  - nam: a\n", want: []string{`s.yaml:1: unknown key "outt"`, `s.yaml:3: unknown key "nam"`}},
		{name: "hidden is unknown", in: "hidden: x\n", want: []string{`s.yaml:1: unknown key "hidden"`}},
		{name: "wrong type", in: "runs:\n  - count: many\n", want: []string{"s.yaml:2: `many` is not a whole number"}},
		{name: "scalar for a list", in: "out: x\nruns: 5\n", want: []string{"s.yaml:2: `5` is not a list"}},
		{name: "mapping for a list", in: "out: x\nruns: {a: 1}\n", want: []string{"s.yaml:2: found a mapping (key: value pairs) where a list goes"}},
		{name: "list for text", in: "out: [x]\n", want: []string{"s.yaml:1: found a list where text goes"}},
		{name: "text for a bool", in: "plain: maybe\n", want: []string{"s.yaml:1: `maybe` is not true or false"}},
		// A tab in the indentation (editors hide it) is pointed out,
		// whether the parser stops on its line or on the next.
		{name: "tab", in: "out: x\nruns:\n\t- name: a\n", want: []string{"s.yaml:3: not valid YAML: found character that cannot start any token (line 3 is indented with a tab: YAML indents with spaces only)"}},
		{name: "tab after spaces", in: "out: x\nruns:\n  - name: a\n  \t count: 2\n", want: []string{"s.yaml:3: not valid YAML: found a tab character that violates indentation"}},
		{name: "syntax, a tab inside a value", in: "out: x\nruns: [a\tb\n", want: []string{"s.yaml:2: not valid YAML: did not find expected"}},
		{name: "tab on the line before", in: "out: 'a\n\tb\n", want: []string{"s.yaml:3: not valid YAML: found unexpected end of stream (line 2 is indented with a tab: YAML indents with spaces only)"}},
		{name: "tab on the last line, no newline", in: "out: x\nruns:\n\t- name: a", want: []string{"s.yaml:3: not valid YAML: found character that cannot start any token (line 3 is indented with a tab"}},
		{name: "a tag of the user's own", in: "!0 00000000", want: []string{"s.yaml:1: `00000000` is tagged !0, which mhe does not read: remove the tag"}},
		// The parser gives no line for a problem on line 1.
		{name: "first line", in: "@out: x\n", want: []string{"s.yaml:1: not valid YAML: found character that cannot start any token"}},
		{name: "anchor on line 1", in: "note: *zz\nout: x\n", want: []string{"s.yaml:1: not valid YAML: unknown anchor 'zz' referenced"}},
		// The decoder's own errors give no line either, on any line: the
		// line is the first at which the file, cut there, fails so.
		{name: "anchor on line 2", in: "out: x\nnote: *zz\n", want: []string{"s.yaml:2: not valid YAML: unknown anchor 'zz' referenced (*zz refers to an anchor &zz defined before it; quote the value if the * is text)"}},
		{name: "bad float on line 1", in: "note: !!float abc\nout: x\n", want: []string{"s.yaml:1: not valid YAML: cannot decode !!str `abc` as a !!float"}},
		{name: "bad float on line 3", in: "out: x\nruns:\n  - count: !!float abc\n", want: []string{"s.yaml:3: not valid YAML: cannot decode !!str `abc` as a !!float"}},
		{name: "bad base64 in a block", in: "out: x\nnote: !!binary |\n  aGVsbG8=\n  !!!!\nplain: true\n", want: []string{"s.yaml:4: not valid YAML: !!binary value contains invalid base64 data"}},
		{name: "parser error on line 1, no newline", in: "out: [x", want: []string{"s.yaml:1: not valid YAML: did not find expected ',' or ']'"}},
		{name: "tab on the first line", in: "\tout: x\n", want: []string{"s.yaml:1: not valid YAML: found character that cannot start any token (line 1 is indented with a tab"}},
		// Nor for a character YAML does not allow: it is found by line and column.
		{name: "control character", in: "out: x\nnote: a\x01b\n", want: []string{"s.yaml:2:8: not valid YAML: control characters are not allowed (character U+0001)"}},
		{name: "not UTF-8", in: "out: x\nnote: caf\xe9\n", want: []string{"s.yaml:2:10: not valid YAML: incomplete UTF-8 octet sequence (byte 0xe9 is not UTF-8)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o outer
			err := Decode([]byte(tc.in), "s.yaml", &o)
			if len(tc.want) == 0 {
				if err != nil || o.Out != "x" || len(o.Runs) != 1 || o.Runs[0].Count != 2 || !o.Plain || o.Note != "n" {
					t.Errorf("decoded %+v, %v", o, err)
				}
				return
			}
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v, want it to hold %q", err, w)
				}
			}
			if err != nil && strings.Contains(err.Error(), "yamlfile.") {
				t.Errorf("error %v names a Go type", err)
			}
		})
	}
	var o outer
	if err := Decode(nil, "empty.yaml", &o); !errors.Is(err, io.EOF) {
		t.Errorf("empty file: %v, want io.EOF", err)
	}
	if err := Decode([]byte("out: x\nruns: [\n"), "bad.yaml", &o); err == nil || !strings.HasPrefix(err.Error(), "bad.yaml:") {
		t.Errorf("malformed YAML: %v, want it to start with the file name", err)
	}
}

// SyntaxError, given what yaml.Unmarshal says of a file read into a
// generic mapping (a config), words a key given twice and a file that is a
// list or a scalar by line, in words, not Go types.
func TestSyntaxErrorOfUnmarshal(t *testing.T) {
	for in, want := range map[string]string{
		"train:\n  epochs: 3\ntrain:\n  lr: 1\n": `c.yaml:3: mapping key "train" already defined at line 1`,
		"- a\n- b\n":                             "c.yaml:1: found a list where a mapping (key: value pairs) goes",
		"just text\n":                            "c.yaml:1: `just text` is not a mapping (key: value pairs)",
		"a: [1\n":                                "c.yaml:1: not valid YAML: did not find expected",
		"b: 1\r\na: &x\r\n  - *x\r\n":            "c.yaml:3: not valid YAML: anchor 'x' value contains itself",
	} {
		var tree map[string]any
		err := yaml.Unmarshal([]byte(in), &tree)
		if err == nil {
			t.Fatalf("%q: no error from yaml.Unmarshal", in)
		}
		got := SyntaxError([]byte(in), "c.yaml", err).Error()
		if !strings.HasPrefix(got, want) || strings.Contains(got, "interface") || strings.Contains(got, "unmarshal") {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestBadChar(t *testing.T) {
	for _, tc := range []struct {
		in        string
		line, col int
		what      string // "" = nothing to find
	}{
		{in: "a: b\n\tc: 'd\r\n'\n"},
		{in: "\ufeffnote: café \u0085\u00a0 ✓ \U0001F600 \ufffd\n"},
		{in: "a: \x7f", line: 1, col: 4, what: "character U+007F"},
		{in: "a: b\nc: \x00", line: 2, col: 4, what: "character U+0000"},
		{in: "a: é\n\n  b: \ufffe", line: 3, col: 6, what: "character U+FFFE"},
		{in: "a: \u0080", line: 1, col: 4, what: "character U+0080"},
		{in: "a: \xed\xa0\x80", line: 1, col: 4, what: "byte 0xed is not UTF-8"}, // a surrogate
		{in: "é: \xc3", line: 1, col: 5, what: "byte 0xc3 is not UTF-8"},
		{in: "\xff\xfea\x00"}, // UTF-16: not searched
	} {
		line, col, what, ok := badChar([]byte(tc.in))
		if ok != (tc.what != "") || line != tc.line || col != tc.col || what != tc.what {
			t.Errorf("badChar(%q) = %d, %d, %q, %v; want %d, %d, %q", tc.in, line, col, what, ok, tc.line, tc.col, tc.what)
		}
	}
}

// FuzzDecode: whatever the bytes, Decode does not panic, and an error
// starts with the file's name, names a line of the file (or the one after
// its last, where the parser met its end) and no Go type.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"out: x\nruns:\n  - name: a\n    count: 2\n", "\tout: x\n", "out: 'a\n\tb\n",
		"out: x\nnote: a\x01b\n", "note: caf\xe9\n", "runs: [a, {b: 1}\n", "@x", "out: &a x\nnote: *a\n",
	} {
		f.Add([]byte(s))
	}
	pos := regexp.MustCompile(`^s\.yaml:(\d+)(?::(\d+))?: `)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var o outer
		err := Decode(raw, "s.yaml", &o)
		if err == nil || errors.Is(err, io.EOF) {
			return
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "s.yaml:") {
			t.Fatalf("error does not start with the file name: %q", msg)
		}
		if strings.Contains(msg, "yamlfile.") {
			t.Fatalf("error names a Go type: %q", msg)
		}
		if m := pos.FindStringSubmatch(msg); m != nil {
			// YAML breaks lines at \n, \r\n, \r and (in YAML 1.1) U+0085,
			// U+2028 and U+2029.
			lines := 1 + bytes.Count(raw, []byte("\n")) + bytes.Count(raw, []byte("\r")) - bytes.Count(raw, []byte("\r\n"))
			for _, r := range []string{"\u0085", "\u2028", "\u2029"} {
				lines += bytes.Count(raw, []byte(r))
			}
			if n, _ := strconv.Atoi(m[1]); n < 1 || n > lines+1 {
				t.Fatalf("line %d of a file of %d lines: %q", n, lines, msg)
			}
		}
	})
}

// yaml.v3's parser (not its scanner) gives lines counted from 0, of the
// construct a problem is in rather than of the problem: SyntaxError names
// the problem's own line, and where the construct began.
func TestSyntaxErrorParserLines(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		// The parser says line 2 of each of these.
		{"name: x\ntrain:\n  epochs: 3\n  lr: 2\n  - 5\n", "f.yaml:5: not valid YAML: did not find expected key (in the mapping that begins on line 3; a mapping's lines are key: value pairs, indented alike)"},
		{"a: 1\nb:\n  c: 2\n\n\n  - 3\n", "f.yaml:6: not valid YAML: did not find expected key (in the mapping that begins on line 3; a mapping's lines are key: value pairs, indented alike)"},
		{"a: 1\nb:\n  c: 2\n  # note\n  - 3\n", "f.yaml:5: not valid YAML: did not find expected key (in the mapping that begins on line 3; a mapping's lines are key: value pairs, indented alike)"},
		{"a: 1\nb:\n  - x\n  y: 2\n", "f.yaml:4: not valid YAML: did not find expected '-' indicator (in the list that begins on line 3; a list's items each start with - , indented alike)"},
		{"- a\n- b\nc: d\n", "f.yaml:3: not valid YAML: did not find expected '-' indicator (a list's items each start with - , indented alike)"},
		{"a: 1\nb: &x 1\nc: !foo!bar 2\n", "f.yaml:3: not valid YAML: found undefined tag handle"},
		// A construct left open is named by its last line.
		{"name: x\ntrain:\n  epochs: 3\n  lr: [1, 2\nhead:\n  method: mhc\n", "f.yaml:4: not valid YAML: did not find expected ',' or ']' (a [ ] list's items are separated by commas, and ] ends it)"},
		{"# comment\nname: corpus\ndata: {synth: {labels: 40\ntrain: {epochs: 1}\n", "f.yaml:3: not valid YAML: did not find expected ',' or '}' (a { } mapping's pairs are separated by commas, and } ends it)"},
		{"a: 1\nb: {x: 1,\n  y: 2\nc: 3\n", "f.yaml:3: not valid YAML: did not find expected ',' or '}' (in the { } mapping that begins on line 2; a { } mapping's pairs are separated by commas, and } ends it)"},
		{"a: [1\n", "f.yaml:1: not valid YAML: did not find expected ',' or ']' (a [ ] list's items are separated by commas, and ] ends it)"},
		{"a: [1", "f.yaml:1: not valid YAML: did not find expected ',' or ']' (a [ ] list's items are separated by commas, and ] ends it)"},
		{"a: 1\r\nb:\r\n  c: 2\r\n  - 3\r\n", "f.yaml:4: not valid YAML: did not find expected key (in the mapping that begins on line 3; a mapping's lines are key: value pairs, indented alike)"},
		// A problem far down a long file.
		// (3000 times one key: parsed, not decoded, which would check each
		// key against the others.)
		{"a:\n" + strings.Repeat("  k: 1\n", 3000) + "  - 5\n", "f.yaml:3002: not valid YAML: did not find expected key (in the mapping that begins on line 2; a mapping's lines are key: value pairs, indented alike)"},
		{"a:\n" + strings.Repeat("  - 1\n", 3000) + "  b: *x\n", "f.yaml:3002: not valid YAML: did not find expected '-' indicator (in the list that begins on line 2; a list's items each start with - , indented alike)"},
		{"a: [1,\n  2]\nb:\n" + strings.Repeat("  - 1\n", 3000) + "  - *x\n", "f.yaml:3004: not valid YAML: unknown anchor 'x' referenced (*x refers to an anchor &x defined before it; quote the value if the * is text)"},
		// The scanner's lines were right, and stay as they were.
		{"name: x\ntrain:\n  epochs: 3\n   lr: 2\n", "f.yaml:4: not valid YAML: mapping values are not allowed in this context"},
		{"name: x\ntrain:\n  lr: \"2\nhead: 1\n", "f.yaml:3: not valid YAML: found unexpected end of stream"},
	} {
		var n yaml.Node
		err := yaml.Unmarshal([]byte(c.in), &n)
		if err == nil {
			t.Fatalf("%q: no error from yaml.Unmarshal", c.in)
		}
		if got := SyntaxError([]byte(c.in), "f.yaml", err).Error(); got != c.want {
			t.Errorf("%q (yaml.v3: %v):\n got %s\nwant %s", c.in, err, got, c.want)
		}
	}
}

// lineEnds counts a last line without a '\n' as a line, and a trailing
// '\n' as the end of the line before it, not the start of another.
func TestLineEnds(t *testing.T) {
	for _, c := range []struct {
		raw  string
		want []int
	}{
		{"", []int{0}},
		{"\n", []int{0}},
		{"a: 1", []int{4}},
		{"a: 1\n", []int{4}},
		{"a: 1\nb: 2", []int{4, 9}},
		{"a: 1\n\nb: 2\n", []int{4, 5, 10}},
	} {
		if got := lineEnds([]byte(c.raw)); !slices.Equal(got, c.want) {
			t.Errorf("lineEnds(%q) = %v, want %v", c.raw, got, c.want)
		}
	}
}
