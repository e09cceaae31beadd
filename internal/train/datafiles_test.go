package train

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
		{"data.dir is a file", func(d *config.DataConfig) { d.Dir = filepath.Join(dir, "train.txt") }, false,
			[]string{"data.dir " + filepath.Join(dir, "train.txt") + " is a file, not a directory: point MHE_DATA_DIR (or --set data.dir=DIR) at the folder"}},
		{"data.dir missing", func(d *config.DataConfig) { d.Dir = filepath.Join(dir, "nodir") }, false,
			[]string{"data.train: " + filepath.Join(dir, "nodir", "train.txt"), "relative paths are read under data.dir (" + filepath.Join(dir, "nodir") + ")"}},
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
	if _, _, err := LoadTest(&cfg, nil); err == nil || !strings.Contains(err.Error(), "data.test: "+filepath.Join(dir, "gone.txt")) {
		t.Errorf("LoadTest with its test file missing: %v", err)
	}
}

// Relative paths that are missing under data.dir but name files in the
// current directory (a config written beside its data) get the fix that
// reads them from there; one that is not there gets the usual one.
func TestCheckDataFilesInCurrentDirectory(t *testing.T) {
	here := t.TempDir()
	t.Chdir(here)
	os.WriteFile("tr.txt", []byte("1 3 2\n0 0:1\n"), 0o644)
	os.WriteFile("te.txt", []byte("1 3 2\n0 0:1\n"), 0o644)
	cfg := config.Default()
	cfg.Data.Dir, cfg.Data.Train, cfg.Data.Test = t.TempDir(), "tr.txt", "te.txt"
	err := checkDataFiles(&cfg, dataFiles(&cfg.Data, false))
	if err == nil || !strings.Contains(err.Error(), "not the current directory, where they are: --set data.dir=. ") || !strings.Contains(err.Error(), "MHE_DATA_DIR, when set, overrides the config's data.dir") {
		t.Errorf("files in the current directory: %v", err)
	}
	cfg.Data.Test = "elsewhere.txt"
	err = checkDataFiles(&cfg, dataFiles(&cfg.Data, false))
	if err == nil || strings.Contains(err.Error(), "current directory") || !strings.Contains(err.Error(), "the folder that holds tr.txt") {
		t.Errorf("one file not in the current directory: %v", err)
	}
}

// data.holdout_fold k holds out the rows i % n == k-1, for training
// (LoadSplits) and for predict/eval on a model (LoadTest) alike; 0 is fold
// n. Row i of the file has the single feature i, which names it.
func TestHoldoutFold(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("7 7 2\n")
	for i := range 7 {
		fmt.Fprintf(&b, "%d %d:1\n", i%2, i)
	}
	os.WriteFile(filepath.Join(dir, "d.txt"), []byte(b.String()), 0o644)
	for _, c := range []struct {
		fold        int
		test, train []int
	}{
		{0, []int{2, 5}, []int{0, 1, 3, 4, 6}},
		{3, []int{2, 5}, []int{0, 1, 3, 4, 6}},
		{1, []int{0, 3, 6}, []int{1, 2, 4, 5}},
		{2, []int{1, 4}, []int{0, 2, 3, 5, 6}},
	} {
		cfg := config.Default()
		cfg.Data.Dir, cfg.Data.Train, cfg.Data.HoldoutEvery, cfg.Data.HoldoutFold = dir, "d.txt", 3, c.fold
		s, err := LoadSplits(&cfg, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := featureRows(s.Test); !slices.Equal(got, c.test) {
			t.Errorf("fold %d: test rows %v, want %v", c.fold, got, c.test)
		}
		if got := featureRows(s.Train); !slices.Equal(got, c.train) {
			t.Errorf("fold %d: training rows %v, want %v", c.fold, got, c.train)
		}
		test, _, err := LoadTest(&cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := featureRows(test); !slices.Equal(got, c.test) {
			t.Errorf("fold %d: LoadTest rows %v, want %v", c.fold, got, c.test)
		}
	}
}

// A file shorter than the holdout rule's period can leave a side empty;
// that is a configuration error naming the file, not an empty list that
// reads as every row (which made every training row a test row).
func TestHoldoutLeavesASideEmpty(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "one.txt"), []byte("1 3 2\n0 1:1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "three.txt"), []byte("3 3 2\n0 1:1\n1 2:1\n0 0:1\n"), 0o644)
	for _, c := range []struct {
		file        string
		every, fold int
		want        string
	}{
		{"one.txt", 2, 0, "has none of them (1 rows)"},
		{"one.txt", 2, 1, "leaving none to train on"},
		{"three.txt", 5, 0, "has none of them (3 rows)"},
	} {
		cfg := config.Default()
		cfg.Data.Dir, cfg.Data.Train, cfg.Data.HoldoutEvery, cfg.Data.HoldoutFold = dir, c.file, c.every, c.fold
		_, err := LoadSplits(&cfg, 1, nil)
		if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.file) {
			t.Errorf("%s, every %d, fold %d: %v; want a config error with %q", c.file, c.every, c.fold, err, c.want)
		}
	}
	cfg := config.Default()
	cfg.Data.Dir, cfg.Data.Train, cfg.Data.HoldoutEvery = dir, "three.txt", 3
	if _, err := LoadSplits(&cfg, 1, nil); err != nil {
		t.Errorf("three rows, every 3: %v", err)
	}
}

// LoadSplits and LoadTest report the reading of every data file as "read"
// events naming it, the last with the whole file; a nil callback is none.
func TestLoadReportsReading(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, rows int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "%d 20 4\n", rows)
		for i := range rows {
			fmt.Fprintf(&b, "%d %d:1\n", i%4, i%20)
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(b.String()), 0o644)
		return p
	}
	train, test := write("train.txt", 9000), write("test.txt", 5000)
	cfg := config.Default()
	cfg.Data.Dir, cfg.Data.Train, cfg.Data.Test = dir, "train.txt", "test.txt"
	last := map[string]Event{}
	counts := map[string]int{}
	record := func(ev Event) {
		if ev.Phase != "read" {
			t.Errorf("phase %q while loading", ev.Phase)
		}
		last[ev.File] = ev
		counts[ev.File]++
	}
	if _, err := LoadSplits(&cfg, 1, record); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadTest(&cfg, record); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]int{train: 3, test: 2 * 2} { // every 4096 rows and the end; the test file twice
		st, _ := os.Stat(file)
		if ev := last[file]; counts[file] != want || ev.Bytes != st.Size() || ev.Size != st.Size() {
			t.Errorf("%s: %d events, the last %d of %d bytes; want %d, the last the whole %d", file, counts[file], ev.Bytes, ev.Size, want, st.Size())
		}
	}
}
