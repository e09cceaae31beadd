package sweep

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseExpands(t *testing.T) {
	runs, err := Parse([]byte(`out: res
runs:
  - configs: [configs/a.yaml, configs/b.yaml]
    overrides: [[], [head.label_order=random, train.lr=0.1]]
    seeds: [1, 2, 3]
  - configs: [configs/c.yaml]
`), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2*2*3+1 {
		t.Fatalf("%d runs, want 13", len(runs))
	}
	r := runs[4] // a.yaml, second override set, seed 2
	if r.Index != 4 || r.Config != "configs/a.yaml" || r.Seed != 2 || !slices.Equal(r.Sets, []string{"head.label_order=random", "train.lr=0.1"}) {
		t.Errorf("run 4 = %+v", r)
	}
	if r.Dir != filepath.Join("res", "a__head.label_order=random__train.lr=0.1__seed2") {
		t.Errorf("dir %s", r.Dir)
	}
	if last := runs[12]; last.Name != "c__seed1" || last.Sets != nil {
		t.Errorf("defaults: %+v", last)
	}
	args := strings.Join(r.Args(), " ")
	if !strings.Contains(args, "--set train.seed=2 --set head.label_order=random --set train.lr=0.1") {
		t.Errorf("args %s", args)
	}
}

func TestParseErrors(t *testing.T) {
	for name, in := range map[string]string{
		"no out":      "runs: [{configs: [a.yaml]}]\n",
		"no runs":     "out: r\n",
		"no configs":  "out: r\nruns: [{seeds: [1]}]\n",
		"bad set":     "out: r\nruns: [{configs: [a.yaml], overrides: [[lr]]}]\n",
		"unknown key": "out: r\nruns: [{config: [a.yaml]}]\n",
		"duplicate":   "out: r\nruns: [{configs: [a.yaml, x/a.yaml]}]\n",
		"not yaml":    "out: [\n",
		// Config paths that name a directory: the run's name would
		// hold a separator or no config name (FuzzParse).
		"root config":      "out: r\nruns: [{configs: [/]}]\n",
		"directory config": "out: r\nruns: [{configs: [configs/]}]\n",
		"dot config":       "out: r\nruns: [{configs: [.]}]\n",
		"dotdot config":    "out: r\nruns: [{configs: [a/..]}]\n",
		"empty config":     "out: r\nruns: [{configs: [\"\"]}]\n",
	} {
		if _, err := Parse([]byte(in), "s.yaml"); !errors.Is(err, ErrSweep) || !strings.Contains(err.Error(), "s.yaml") {
			t.Errorf("%s: err %v, want ErrSweep naming the file", name, err)
		}
	}
}

// An unknown key names its line and the keys allowed there, not the Go
// type the decoder fills.
func TestParseUnknownKey(t *testing.T) {
	_, err := Parse([]byte("out: r\nruns:\n  - configs: [a.yaml]\n    seed: [1]\n"), "s.yaml")
	want := `s.yaml:4: unknown key "seed" (the keys there are configs, set, overrides, seeds)`
	if !errors.Is(err, ErrSweep) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "sweep.Entry") {
		t.Errorf("err %v, want ErrSweep with %q", err, want)
	}
}

// A list value inside a flow sequence must be quoted; the error says how.
func TestParseListOverrideHint(t *testing.T) {
	_, err := Parse([]byte("out: r\nruns: [{configs: [a.yaml], overrides: [[train.lr=0.1, head.lengths=[40,2,2]]]}]\n"), "s.yaml")
	if !errors.Is(err, ErrSweep) || !strings.Contains(err.Error(), `["head.lengths=[40,2,2]"]`) {
		t.Fatalf("err %v, want ErrSweep with the quoting hint", err)
	}
	runs, err := Parse([]byte("out: r\nruns: [{configs: [a.yaml], overrides: [[train.lr=0.1, \"head.lengths=[40,2,2]\"]]}]\n"), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || !slices.Equal(runs[0].Sets, []string{"train.lr=0.1", "head.lengths=[40,2,2]"}) {
		t.Fatalf("runs %+v", runs)
	}
}

func TestParseKeepWeights(t *testing.T) {
	for in, want := range map[string]bool{"": true, "keep_weights: true\n": true, "keep_weights: false\n": false} {
		runs, err := Parse([]byte("out: r\nruns: [{configs: [a.yaml], seeds: [1, 2]}]\n"+in), "s.yaml")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if r.KeepWeights != want {
				t.Errorf("%q: run %d keeps weights %v, want %v", in, r.Index, r.KeepWeights, want)
			}
		}
	}
	if _, err := Parse([]byte("out: r\nruns: [{configs: [a.yaml]}]\nkeep_weights: maybe\n"), "s.yaml"); !errors.Is(err, ErrSweep) {
		t.Errorf("keep_weights: maybe: %v", err)
	}
}

// Run directories stay within the 255-byte name limit of file systems, and
// distinct runs with a long common prefix keep distinct directories.
func TestLongRunNames(t *testing.T) {
	long := strings.Repeat("x", 300)
	in := "out: r\nruns: [{configs: [a.yaml], overrides: [[encoder.note=" + long + "1], [encoder.note=" + long + "2], [train.lr=0.1]]}]\n"
	runs, err := Parse([]byte(in), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range runs {
		base := filepath.Base(r.Dir)
		if len(base) > 255 || seen[base] {
			t.Errorf("run %d: directory %q (%d bytes, seen %v)", r.Index, base, len(base), seen[base])
		}
		seen[base] = true
	}
	if got := filepath.Base(runs[2].Dir); got != "a__train.lr=0.1__seed1" {
		t.Errorf("a short name changed: %q", got)
	}
	dir := filepath.Join(t.TempDir(), filepath.Base(runs[0].Dir))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Errorf("the file system refuses the name: %v", err)
	}
}

// A block's set applies to each of its runs before the run's override set,
// and is part of the run's name.
func TestParseBlockSet(t *testing.T) {
	runs, err := Parse([]byte("out: r\nruns:\n  - configs: [c/a.yaml]\n    set: [train.validation_fraction=0.2, \"head.lengths=[8,5]\"]\n    overrides: [[], [train.lr=0.1]]\n  - configs: [c/a.yaml]\n    overrides: [[]]\n"), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"train.validation_fraction=0.2", "head.lengths=[8,5]"},
		{"train.validation_fraction=0.2", "head.lengths=[8,5]", "train.lr=0.1"},
		nil,
	}
	if len(runs) != len(want) {
		t.Fatalf("%d runs, want %d", len(runs), len(want))
	}
	for i, r := range runs {
		if !slices.Equal(r.Sets, want[i]) {
			t.Errorf("run %d sets %q, want %q", i, r.Sets, want[i])
		}
	}
	if runs[0].Name != "a__train.validation_fraction=0.2__head.lengths=_8_5___seed1" || runs[2].Name != "a__seed1" {
		t.Errorf("names %q, %q", runs[0].Name, runs[2].Name)
	}
	if _, err := Parse([]byte("out: r\nruns: [{configs: [a.yaml], set: [lr]}]\n"), "s.yaml"); !errors.Is(err, ErrSweep) || !strings.Contains(err.Error(), `"lr" is not key=value`) {
		t.Errorf("bad set: %v", err)
	}
}

// FuzzParse: any sweep file either is refused with ErrSweep or expands into
// runs with distinct directories whose names fit a file system (<= 255
// bytes, no separator), numbered in order, every --set a key=value.
func FuzzParse(f *testing.F) {
	f.Add("out: r\nruns: [{configs: [a.yaml, b.yaml], overrides: [[], [train.lr=0.1]], seeds: [1, 2]}]\n")
	f.Add("out: r\nkeep_weights: false\nruns:\n  - configs: [c/a.yaml]\n    set: [x=1, \"head.lengths=[8,5]\"]\n    overrides: [[y=2]]\n")
	f.Add("out: r\nruns: [{configs: [a.yaml], overrides: [[k=" + strings.Repeat("v", 300) + "]]}]\n")
	f.Add("out: [\n")
	f.Add("out: r\nruns: [{configs: [" + strings.Repeat("é", 140) + ".yaml]}]\n")
	f.Fuzz(func(t *testing.T, in string) {
		runs, err := Parse([]byte(in), "s.yaml")
		if err != nil {
			if !errors.Is(err, ErrSweep) {
				t.Fatalf("error %v is not ErrSweep", err)
			}
			return
		}
		dirs := map[string]bool{}
		for i, r := range runs {
			base := filepath.Base(r.Dir)
			if r.Index != i || len(r.Name) == 0 || len(r.Name) > 255 || base != r.Name || dirs[r.Dir] || utf8.ValidString(in) && !utf8.ValidString(r.Name) {
				t.Fatalf("run %d: index %d, name %q (%d bytes), dir %q", i, r.Index, r.Name, len(r.Name), r.Dir)
			}
			dirs[r.Dir] = true
			for _, s := range r.Sets {
				if k, _, ok := strings.Cut(s, "="); !ok || strings.TrimSpace(k) == "" {
					t.Fatalf("run %d: set %q is not key=value", i, s)
				}
			}
		}
	})
}

// StateOf: a staged config means an unfinished run, even beside a run
// record (a run killed during its commit, which writes result.json just
// before the manifest); a record alone means done.
func TestStateOf(t *testing.T) {
	cases := []struct {
		name  string
		files []string
		want  State
	}{
		{"no directory", nil, Todo},
		{"empty directory", []string{}, Todo},
		{"staged config", []string{"training/config.yaml"}, Partial},
		{"killed after the record", []string{"training/config.yaml", "config.yaml", "result.json"}, Partial},
		{"killed after the manifest", []string{"training/config.yaml", "config.yaml", "result.json", "manifest.json"}, Partial},
		{"finished", []string{"config.yaml", "result.json", "manifest.json"}, Done},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			if c.files != nil {
				os.MkdirAll(filepath.Join(dir, "training"), 0o755)
			}
			for _, f := range c.files {
				os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644)
			}
			if got := StateOf(Run{Dir: dir}); got != c.want {
				t.Errorf("StateOf = %s, want %s", got, c.want)
			}
		})
	}
}

func TestArraySpec(t *testing.T) {
	for _, c := range []struct {
		in   []int
		want string
	}{
		{nil, ""},
		{[]int{5}, "5"},
		{[]int{0, 1, 2, 3}, "0-3"},
		{[]int{0, 1, 2, 3, 7, 9, 10, 11, 12}, "0-3,7,9-12"},
		{[]int{1, 3, 5}, "1,3,5"},
		{[]int{0, 2, 3}, "0,2-3"},
		{[]int{998, 999, 1000}, "998-1000"},
	} {
		if got := ArraySpec(c.in); got != c.want {
			t.Errorf("ArraySpec(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A run directory's name is kept up to 255 bytes (the file-system limit);
// a longer one becomes its head, cut on a UTF-8 boundary, and a hash of
// the whole, so that two long names that share a head stay apart.
func TestDirName(t *testing.T) {
	exact := strings.Repeat("a", 255)
	if got := dirName(exact); got != exact {
		t.Errorf("a 255-byte name became %q", got)
	}
	long1, long2 := exact+"x", exact+"y"
	a, b := dirName(long1), dirName(long2)
	if len(a) > 255 || len(b) > 255 || a == b || !strings.HasPrefix(a, strings.Repeat("a", 200)) {
		t.Errorf("256-byte names: %q (%d bytes) and %q", a, len(a), b)
	}
	// "é" is two bytes; a cut inside one moves back to its start.
	for shift := range 2 {
		name := strings.Repeat("a", shift) + strings.Repeat("é", 200)
		got := dirName(name)
		if len(got) > 255 || !utf8.ValidString(got) || !strings.Contains(got, "__") {
			t.Errorf("shift %d: %q (%d bytes) is not a valid UTF-8 name within 255 bytes", shift, got, len(got))
		}
	}
}
