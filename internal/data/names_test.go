package data

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadNamesFor(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	crlf := write("crlf.txt", "cat\r\nbig dog\r\n\r\n")
	short := write("short.txt", "a\nb\n")
	cases := []struct {
		path string
		n    int
		want []string
		msg  string
	}{
		{"", 5, nil, ""},
		{crlf, 2, []string{"cat", "big dog"}, ""},
		{crlf, 1, []string{"cat", "big dog"}, ""}, // more names than ids is fine
		{short, 3, nil, "has 2 names but the data has 3 ids"},
		{filepath.Join(dir, "missing.txt"), 1, nil, "missing.txt"},
	}
	for _, c := range cases {
		got, err := ReadNamesFor(c.path, c.n)
		if c.msg != "" {
			if err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("%s, %d ids: error %v, want %q", c.path, c.n, err, c.msg)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s, %d ids: %q, %v; want %q", c.path, c.n, got, err, c.want)
		}
	}
	if _, err := ReadNamesFor(short, 3); !errors.Is(err, ErrMismatch) {
		t.Errorf("a short name file: %v, want ErrMismatch", err)
	}
}
