package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/testutil"
)

// dynamicKeys are the JSON objects whose keys are data rather than schema:
// a model directory's files by name (their names hold the weights' hash).
var dynamicKeys = map[string]bool{".files": true}

// keyPaths lists the key paths of a JSON value: objects as .key, arrays as
// [] (the first element stands for all), objects of dynamicKeys as .*; each
// path once, sorted.
func keyPaths(v any) []string {
	seen := map[string]bool{}
	var walk func(v any, p string)
	walk = func(v any, p string) {
		switch x := v.(type) {
		case map[string]any:
			if dynamicKeys[p] {
				for _, e := range x {
					walk(e, p+".*")
				}
				return
			}
			for k, e := range x {
				walk(e, p+"."+k)
			}
		case []any:
			if len(x) == 0 {
				seen[p+"[]"] = true
			}
			for _, e := range x[:min(len(x), 1)] {
				walk(e, p+"[]")
			}
		default:
			seen[p] = true
		}
	}
	walk(v, "")
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

func jsonFileKeys(t *testing.T, path string, firstLineOnly bool) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var v any
	if firstLineOnly {
		sc := bufio.NewScanner(f)
		if !sc.Scan() {
			t.Fatalf("%s is empty", path)
		}
		err = json.Unmarshal(sc.Bytes(), &v)
	} else {
		err = json.NewDecoder(f).Decode(&v)
	}
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return keyPaths(v)
}

// The JSON keys of a model directory's files, of an eval record, of mhe
// verify's report and of mhe data export's record are an interface: mhe report, the scripts and users' own tools read them. The
// golden file lists every key path; a key renamed or dropped fails here,
// and a key added needs go test -update (and a line in the README or
// configs/README.md when users should know it).
func TestModelDirectorySchema(t *testing.T) {
	dir, _ := trainTiny(t, "train.validation_fraction=0.1")
	evalRec := filepath.Join(t.TempDir(), "eval.json")
	if code, _, errOut := runMain(t, "", "eval", "--model", dir, "--result", evalRec, "--quiet"); code != 0 {
		t.Fatalf("eval --model: exit %d: %s", code, errOut)
	}
	type file struct {
		name, path string
		line       bool
	}
	files := []file{
		{"manifest.json (mhp)", filepath.Join(dir, "manifest.json"), false},
		{"metrics.jsonl, a line (mhp)", filepath.Join(dir, "metrics.jsonl"), true},
		{"result.json (mhe train)", filepath.Join(dir, "result.json"), false},
		{"eval --result (mhe eval --model)", evalRec, false},
	}
	// The heads with keys of their own (beam, samples, selected_share).
	for _, m := range []string{"mhc", "mhs"} {
		d, _ := trainTiny(t, "head.method="+m)
		files = append(files, file{"manifest.json (" + m + ")", filepath.Join(d, "manifest.json"), false},
			file{"metrics.jsonl, a line (" + m + ")", filepath.Join(d, "metrics.jsonl"), true})
	}
	// mhe verify's report, of a model trained on data files (their keys).
	filesModel, _ := trainTinyFiles(t)
	code, out, errOut := runMain(t, "", "verify", "--data", "--format", "json", filesModel)
	if code != 0 {
		t.Fatalf("verify: exit %d: %s", code, errOut)
	}
	verifyOut := filepath.Join(t.TempDir(), "verify.json")
	os.WriteFile(verifyOut, []byte(out), 0o644)
	files = append(files, file{"mhe verify --data --format json", verifyOut, false})
	// mhe data export's record, with validation rows and a changed file.
	exported := filepath.Join(t.TempDir(), "export")
	os.WriteFile(filepath.Join(filepath.Dir(filesModel), "data", "test.txt"), []byte("1 200 30\n2 5:1\n"), 0o644)
	if code, _, errOut := runMain(t, "", "data", "export", "--model", filesModel, "--set", "train.validation_fraction=0.1", "--out-dir", exported, "--quiet"); code != 0 {
		t.Fatalf("data export: exit %d: %s", code, errOut)
	}
	files = append(files, file{"export.json (mhe data export)", filepath.Join(exported, exportRecordFile), false})
	var b strings.Builder
	for _, f := range files {
		fmt.Fprintf(&b, "# %s\n", f.name)
		for _, p := range jsonFileKeys(t, f.path, f.line) {
			b.WriteString(p + "\n")
		}
	}
	want := testutil.Golden(t, "model_schema.txt", []byte(b.String()))
	gotLines, wantLines := qualified(b.String()), qualified(string(want))
	for _, l := range wantLines {
		if !slices.Contains(gotLines, l) {
			t.Errorf("key dropped or renamed (scripts read it): %s", l)
		}
	}
	for _, l := range gotLines {
		if !slices.Contains(wantLines, l) {
			t.Errorf("new key %s: go test ./cmd/mhe -run TestModelDirectorySchema -update records it", l)
		}
	}
}

// qualified prefixes each key of a schema file with its section's name.
func qualified(schema string) []string {
	var out []string
	section := ""
	for _, l := range strings.Split(strings.TrimSpace(schema), "\n") {
		if name, ok := strings.CutPrefix(l, "# "); ok {
			section = name
			continue
		}
		out = append(out, section+": "+l)
	}
	return out
}

func TestKeyPaths(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{`{"a":1,"b":{"c":"x","d":[1,2]}}`, []string{".a", ".b.c", ".b.d[]"}},
		{`{"a":[],"b":[{"c":1},{"e":2}]}`, []string{".a[]", ".b[].c"}},
		{`{"files":{"w-1.bin":{"bytes":1},"w-2.bin":{"bytes":2,"sha256":"x"}}}`, []string{".files.*.bytes", ".files.*.sha256"}},
		{`{"a":null}`, []string{".a"}},
	} {
		var v any
		if err := json.Unmarshal([]byte(c.in), &v); err != nil {
			t.Fatal(err)
		}
		if got := keyPaths(v); !slices.Equal(got, c.want) {
			t.Errorf("keyPaths(%s) = %v, want %v", c.in, got, c.want)
		}
	}
}
