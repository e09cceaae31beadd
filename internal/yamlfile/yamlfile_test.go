package yamlfile

import (
	"errors"
	"io"
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
		{name: "syntax, a tab inside a value", in: "out: x\nruns: [a\tb\n", want: []string{"s.yaml:1: not valid YAML: did not find expected"}},
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
