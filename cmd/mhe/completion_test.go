package main

import (
	"slices"
	"strings"
	"testing"
)

// Every completion entry names a real flag whose help text lists the
// values offered, so the table cannot drift from the commands unnoticed.
func TestCompletionTableMatchesFlags(t *testing.T) {
	root := newRootCmd(&streams{}, &profiler{})
	for path, flags := range flagValues {
		cmd, _, err := root.Find(strings.Fields(path))
		if err != nil || cmd.CommandPath() != "mhe "+path {
			t.Errorf("completion table: no command %q", path)
			continue
		}
		for name, values := range flags {
			f := cmd.Flags().Lookup(name)
			if f == nil {
				t.Errorf("completion table: %s has no --%s", path, name)
				continue
			}
			for _, v := range values {
				if !strings.Contains(f.Usage, v) && f.DefValue != v {
					t.Errorf("%s --%s offers %q, which its help (%q) does not mention", path, name, v, f.Usage)
				}
			}
		}
	}
}

func TestCompletion(t *testing.T) {
	cases := []struct {
		args []string
		want []string
		dir  string // the directive line
	}{
		{[]string{"plan", "--method", "m"}, []string{"mhp", "mhc", "mhs"}, ":4"},
		{[]string{"eval", "--format", ""}, []string{"table", "json", "csv", "markdown"}, ":4"},
		{[]string{"data", "convert", "in.txt", "out.txt", "--to", "xc"}, []string{"xc", "xc-matrix"}, ":4"},
		{[]string{"train", "--set", "train.ep"}, []string{"train.epochs="}, ":6"},
		{[]string{"train", "--set", "train.epochs=3"}, nil, ":4"},
		{[]string{"predict", "--model", ""}, nil, ":16"},
		{[]string{"report", ""}, nil, ":16"},
		{[]string{"train", "--config", ""}, []string{"yaml", "yml", "json"}, ":8"},
	}
	for _, c := range cases {
		code, out, errOut := runMain(t, "", append([]string{"__complete"}, c.args...)...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != 0 || len(lines) == 0 || lines[len(lines)-1] != c.dir {
			t.Errorf("complete %v: exit %d, %q (stderr %q), want directive %s", c.args, code, out, errOut, c.dir)
			continue
		}
		if got := lines[:len(lines)-1]; !slices.Equal(got, c.want) && !(len(got) == 0 && c.want == nil) {
			t.Errorf("complete %v = %q, want %q", c.args, got, c.want)
		}
	}
}
