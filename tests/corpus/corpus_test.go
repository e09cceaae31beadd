// Package corpus runs the bad-input corpus (testdata/corpus/cases.txt)
// through the real mhe binary: every case must exit with its documented
// code, print a message naming the file and the fix, never panic, and
// leave no output behind.
package corpus

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

type corpusCase struct {
	line   int
	name   string
	exit   int
	args   string
	expect []string
}

func readCases(t *testing.T, path string) []corpusCase {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []corpusCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, " | ")
		if len(parts) != 4 {
			t.Fatalf("%s:%d: want 4 fields separated by \" | \", got %d", path, n, len(parts))
		}
		code, err := strconv.Atoi(strings.TrimSpace(parts[1]))
		if err != nil {
			t.Fatalf("%s:%d: exit code %q", path, n, parts[1])
		}
		c := corpusCase{line: n, name: strings.TrimSpace(parts[0]), exit: code, args: strings.TrimSpace(parts[2])}
		for _, e := range strings.Split(parts[3], ";;") {
			c.expect = append(c.expect, strings.TrimSpace(e))
		}
		cases = append(cases, c)
	}
	return cases
}

// fixtures builds what the placeholders name: a valid model, its broken
// copies and the file with a 100 MB line.
func fixtures(t *testing.T, corpus string) map[string]string {
	root := t.TempDir()
	model := filepath.Join(root, "model")
	code, _, errOut := testutil.Run(t, "", nil, "train", "--config", filepath.Join(corpus, "synth-base.yaml"), "--out", model, "--quiet")
	if code != 0 {
		t.Fatalf("training the corpus model: exit %d: %s", code, errOut)
	}
	ph := map[string]string{"{model}": model}
	variant := func(name string, breakIt func(dir, weights string)) {
		dir := filepath.Join(root, name)
		copyDir(t, model, dir)
		w, _ := filepath.Glob(filepath.Join(dir, "weights-*.bin"))
		if len(w) != 1 {
			t.Fatalf("model has %d weight files", len(w))
		}
		breakIt(dir, w[0])
		ph["{"+name+"}"] = dir
	}
	variant("model-flipped", func(_, w string) {
		b, _ := os.ReadFile(w)
		b[len(b)/2] ^= 0x40
		os.WriteFile(w, b, 0o644)
	})
	variant("model-no-weights", func(_, w string) { os.Remove(w) })
	variant("model-weights-removed", func(dir, _ string) {
		if err := modelio.Open(dir).RemoveWeights("a corpus case"); err != nil {
			t.Fatal(err)
		}
	})
	variant("model-truncated", func(_, w string) {
		st, _ := os.Stat(w)
		os.Truncate(w, st.Size()/2)
	})
	variant("model-future", func(dir, _ string) {
		p := filepath.Join(dir, "manifest.json")
		b, _ := os.ReadFile(p)
		b = regexp.MustCompile(`"format_version": \d+`).ReplaceAll(b, []byte(`"format_version": 999`))
		os.WriteFile(p, b, 0o644)
	})
	variant("model-config-edited", func(dir, _ string) {
		p := filepath.Join(dir, "config.yaml")
		b, _ := os.ReadFile(p)
		os.WriteFile(p, append(b, "# edited by hand\n"...), 0o644)
	})
	big := filepath.Join(root, "line-100mb.txt")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("1 5 2\n0 ")
	chunk := bytes.Repeat([]byte{'x'}, 1<<20)
	for range 100 {
		w.Write(chunk)
	}
	w.WriteString("\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ph["{big}"] = big
	return ph
}

func copyDir(t *testing.T, from, to string) {
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

func listing(t *testing.T, dir string) []string {
	var names []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil {
			names = append(names, p)
		}
		return nil
	})
	return names
}

func TestCorpus(t *testing.T) {
	root := testutil.RepoRoot(t)
	corpus := filepath.Join(root, "testdata", "corpus")
	cases := readCases(t, filepath.Join(corpus, "cases.txt"))
	if len(cases) < 40 {
		t.Fatalf("the corpus has %d cases; issue 6 asks for at least 40", len(cases))
	}
	ph := fixtures(t, corpus)
	ph["{c}"] = corpus
	ph["{m}"] = filepath.Join(root, "testdata", "malformed")
	before := listing(t, corpus)
	var mu sync.Mutex
	perCode := map[int]int{}
	t.Run("cases", func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				outDir := t.TempDir()
				expand := func(s string) string {
					for k, v := range ph {
						s = strings.ReplaceAll(s, k, v)
					}
					return strings.ReplaceAll(s, "{out}", filepath.Join(outDir, "out"))
				}
				args := strings.Fields(expand(c.args))
				code, _, errOut := testutil.Run(t, "", nil, args...)
				where := "testdata/corpus/cases.txt:" + strconv.Itoa(c.line)
				if code != c.exit {
					t.Errorf("%s: exit %d, want %d; stderr:\n%s", where, code, c.exit, errOut)
				}
				for _, e := range c.expect {
					if e = expand(e); !strings.Contains(errOut, e) {
						t.Errorf("%s: the message lacks %q:\n%s", where, e, errOut)
					}
				}
				if strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "internal error") {
					t.Errorf("%s: mhe crashed:\n%s", where, errOut)
				}
				// Messages are in the user's words, not Go's.
				for _, w := range goWords {
					if strings.Contains(errOut, w) {
						t.Errorf("%s: the message speaks Go (%q):\n%s", where, w, errOut)
					}
				}
				if left := listing(t, outDir); len(left) > 1 {
					t.Errorf("%s: output left behind: %v", where, left[1:])
				}
				mu.Lock()
				perCode[c.exit]++
				mu.Unlock()
			})
		}
	})
	if after := listing(t, corpus); !slices.Equal(before, after) {
		t.Errorf("the corpus directory changed: %d files before, %d after", len(before), len(after))
	}
	codes := make([]int, 0, len(perCode))
	for k := range perCode {
		codes = append(codes, k)
	}
	slices.Sort(codes)
	var parts []string
	for _, k := range codes {
		parts = append(parts, "exit "+strconv.Itoa(k)+": "+strconv.Itoa(perCode[k]))
	}
	t.Logf("%d corpus cases; %s", len(cases), strings.Join(parts, ", "))
	// The README quotes the count; keep it true.
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if want := "(" + strconv.Itoa(len(cases)) + " cases:"; err != nil || !strings.Contains(string(readme), want) {
		t.Errorf("README.md does not say %q of testdata/corpus/cases.txt (%v): update its count", want, err)
	}
}

// goWords are what Go's parsers and decoders say that a message for a user
// must not: types, decoder jargon, YAML tags.
var goWords = []string{"strconv.", "cannot unmarshal", "interface {}", "Go struct", "Go value", "!!str", "!!seq", "!!map", "!!int", "map[string]", "[]string", "json: "}
