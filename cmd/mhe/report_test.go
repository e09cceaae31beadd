package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A directory of links to hand-picked runs reports those runs; a link to a
// run already walked, a link cycle and a file named twice count nothing
// twice.
func TestResultFilesFollowLinks(t *testing.T) {
	root := t.TempDir()
	runs, picks := filepath.Join(root, "runs"), filepath.Join(root, "picks")
	for _, f := range []string{"runs/a/result.json", "runs/b/x.result.json", "runs/b/notes.json"} {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(picks, 0o755); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"a": "../runs/a", "again": "../runs/a", "loop": ".", "up": ".."} {
		if err := os.Symlink(target, filepath.Join(picks, link)); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	real := func(ps []string) []string {
		var out []string
		for _, p := range ps {
			r, err := filepath.EvalSymlinks(p)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		slices.Sort(out)
		return out
	}
	a, _ := filepath.EvalSymlinks(filepath.Join(runs, "a", "result.json"))
	b, _ := filepath.EvalSymlinks(filepath.Join(runs, "b", "x.result.json"))
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{runs}, []string{a, b}},
		{[]string{picks}, []string{a, b}}, // "up" reaches runs/b too
		{[]string{runs, picks}, []string{a, b}},
		{[]string{filepath.Join(picks, "again")}, []string{a}},
		{[]string{a, filepath.Join(picks, "a", "result.json"), runs}, []string{a, b}},
	} {
		got, err := resultFiles(c.args)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if r := real(got); !slices.Equal(r, c.want) {
			t.Errorf("%v: found %v, want %v", c.args, r, c.want)
		}
	}
	if err := os.Symlink("missing", filepath.Join(picks, "broken")); err != nil {
		t.Fatal(err)
	}
	if _, err := resultFiles([]string{picks}); err == nil {
		t.Error("a broken link was passed over silently")
	}
}
