package train

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
)

// A missing dataset is one input error that names every missing file by
// its config key and resolved path, the directory relative paths were read
// under and how to change it; LoadTest (predict and eval on a model) checks
// only the files the test rows come from.
func TestCheckDataFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "train.txt"), []byte("1 3 2\n0 0:1\n"), 0o644)
	abs := filepath.Join(dir, "gone", "test.txt")
	cases := []struct {
		name     string
		set      func(d *config.DataConfig)
		testOnly bool
		want     []string // substrings; nil: no error
	}{
		{"all there", func(d *config.DataConfig) {}, false, nil},
		{"test missing", func(d *config.DataConfig) { d.Test = "Set/test.txt" }, false,
			[]string{"data file not found:\n  data.test: " + filepath.Join(dir, "Set", "test.txt") + "\n",
				"relative paths are read under data.dir (" + dir + ")", "MHE_DATA_DIR", "the folder that holds Set/"}},
		{"every missing file named", func(d *config.DataConfig) {
			d.Train, d.TrainRows, d.TestRows = "X/a.txt", "X/tr.txt", "X/te.txt"
		}, false, []string{"data files not found:\n  data.train: " + filepath.Join(dir, "X", "a.txt") + "\n  data.train_rows: ", "data.test_rows: ", "holds X/"}},
		{"absolute path", func(d *config.DataConfig) { d.Test = abs }, false,
			[]string{"data.test: " + abs, "fix the paths in the config"}},
		{"test only ignores a missing validation file", func(d *config.DataConfig) {
			d.Validation, d.Test = "nope.txt", "train.txt"
		}, true, nil},
		{"test only: holdout rows come from the train file", func(d *config.DataConfig) {
			d.Train, d.HoldoutEvery = "moved.txt", 5
		}, true, []string{"data.train: " + filepath.Join(dir, "moved.txt"), "the folder that holds moved.txt"}},
		{"test only: a test file does not need the train file", func(d *config.DataConfig) {
			d.Train, d.Test = "moved.txt", "train.txt"
		}, true, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Data.Dir, cfg.Data.Train = dir, "train.txt"
			c.set(&cfg.Data)
			err := checkDataFiles(&cfg, dataFiles(&cfg.Data, c.testOnly))
			if c.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !errors.Is(err, data.ErrInput) {
				t.Fatalf("error %v, want an input error (exit 3)", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message lacks %q:\n%v", w, err)
				}
			}
		})
	}
	cfg := config.Default()
	cfg.Data.Dir, cfg.Data.Train, cfg.Data.Test = dir, "train.txt", "gone.txt"
	if _, err := LoadTest(&cfg); err == nil || !strings.Contains(err.Error(), "data.test: "+filepath.Join(dir, "gone.txt")) {
		t.Errorf("LoadTest with its test file missing: %v", err)
	}
}
