package train

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/modelio"
)

// CompareData checks each file the manifest records against the file the
// config names for its role now, in the manifest's order; DataChangedSince
// answers with the first that differs or cannot be read.
func TestCompareData(t *testing.T) {
	man := &modelio.Manifest{TrainingData: []modelio.DataInfo{
		{Role: "train", Path: "/then/train.txt", SHA256: "aa"},
		{Role: "validation", Path: "/then/valid.txt", SHA256: "bb"},
		{Role: "test", Path: "/then/test.txt", SHA256: "cc"},
	}}
	// Paths as cfg.Path joins them (with \ on Windows).
	sums := map[string]string{filepath.Join("/d", "train.txt"): "aa", filepath.Join("/d", "valid.txt"): "bx", "/abs/test.txt": "cc"}
	hash := func(path string) (string, error) {
		if s, ok := sums[path]; ok {
			return s, nil
		}
		return "", &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
	}
	cfg := config.Default()
	cfg.Data.Dir = "/d"
	cfg.Data.Train, cfg.Data.Validation, cfg.Data.Test = "train.txt", "valid.txt", "/abs/test.txt"
	checks := CompareData(man, &cfg, hash)
	got := ""
	for _, c := range checks {
		got += fmt.Sprintf("%s %s %s %v|", c.Key, filepath.ToSlash(c.Path), c.SHA256, c.Same())
	}
	if want := "data.train /d/train.txt aa true|data.validation /d/valid.txt bx false|data.test /abs/test.txt cc true|"; got != want {
		t.Errorf("checks %q, want %q", got, want)
	}
	if path, err := DataChangedSince(man, &cfg, hash); err != nil || filepath.ToSlash(path) != "/d/valid.txt" {
		t.Errorf("DataChangedSince = %q, %v; want the validation file", path, err)
	}

	// A file that cannot be read is an input error naming its key; a
	// role the config names no file for ("-": standard input) is skipped.
	cfg.Data.Train, cfg.Data.Validation = "gone.txt", "-"
	checks = CompareData(man, &cfg, hash)
	if len(checks) != 2 || checks[0].Same() || !errors.Is(checks[0].Err, data.ErrInput) || !errors.Is(checks[0].Err, fs.ErrNotExist) ||
		checks[0].Err.Error() != "data.train: open /d/gone.txt: file does not exist" && filepath.Separator == '/' || checks[1].Key != "data.test" {
		t.Errorf("unreadable train file: %+v", checks)
	}
	if _, err := DataChangedSince(man, &cfg, hash); !errors.Is(err, data.ErrInput) {
		t.Errorf("DataChangedSince on an unreadable file: %v, want an input error", err)
	}

	// Generated data is fixed by the config: nothing to compare.
	cfg.Data.Synth.Labels = 10
	if checks := CompareData(man, &cfg, hash); checks != nil {
		t.Errorf("generated data: %+v, want no checks", checks)
	}
}
