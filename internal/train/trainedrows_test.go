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
	"github.com/mhe-xlc/mhe/internal/modelio"
)

// splitFixture writes a data directory: d.txt (7 rows, row i holding
// feature i), same.txt (d.txt's bytes under another name), t.txt (4 rows,
// features 10-13), and split files tr.txt (rows 1-4), te.txt (rows 5-7),
// te2.txt (rows 2-3) and over.txt (rows 4-5), 1-based as XC split files.
func splitFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	rows := func(n, base int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "%d 20 2\n", n)
		for i := range n {
			fmt.Fprintf(&b, "%d %d:1\n", i%2, base+i)
		}
		return b.String()
	}
	for name, text := range map[string]string{
		"d.txt": rows(7, 0), "same.txt": rows(7, 0), "t.txt": rows(4, 10),
		"tr.txt": "1\n2\n3\n4\n", "te.txt": "5\n6\n7\n", "te2.txt": "2\n3\n", "over.txt": "4\n5\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// featureRows lists the first feature id of each row (the fixture's row
// number, or 10 + row for t.txt).
func featureRows(d *data.Dataset) []int {
	if d == nil {
		return nil
	}
	out := []int{}
	for r := range d.Rows() {
		ids, _ := d.X.Row(r)
		out = append(out, int(ids[0]))
	}
	return out
}

// Training (LoadSplits) and predict/eval on a model (LoadTest) take
// the same test rows for every layout of the data keys, and a test split
// that reads the training file may not hold training rows.
func TestSplitLayouts(t *testing.T) {
	dir := splitFixture(t)
	cases := []struct {
		name        string
		set         func(d *config.DataConfig)
		train, test []int
		srcFile     string
		srcRows     []int // nil: every row
		err         error // of LoadSplits
	}{
		{"split files", func(d *config.DataConfig) { d.TrainRows, d.TestRows = "tr.txt", "te.txt" },
			[]int{0, 1, 2, 3}, []int{4, 5, 6}, "d.txt", []int{4, 5, 6}, nil},
		{"test file", func(d *config.DataConfig) { d.Test = "t.txt" },
			[]int{0, 1, 2, 3, 4, 5, 6}, []int{10, 11, 12, 13}, "t.txt", nil, nil},
		// data.test_rows selects rows of data.test; training used to score
		// every row of the file.
		{"rows of the test file", func(d *config.DataConfig) { d.Test, d.TestRows = "t.txt", "te2.txt" },
			[]int{0, 1, 2, 3, 4, 5, 6}, []int{11, 12}, "t.txt", []int{1, 2}, nil},
		{"split files, two files", func(d *config.DataConfig) { d.Test, d.TrainRows, d.TestRows = "t.txt", "tr.txt", "te2.txt" },
			[]int{0, 1, 2, 3}, []int{11, 12}, "t.txt", []int{1, 2}, nil},
		{"holdout", func(d *config.DataConfig) { d.HoldoutEvery, d.HoldoutFold = 3, 2 },
			[]int{0, 2, 3, 5, 6}, []int{1, 4}, "d.txt", []int{1, 4}, nil},
		{"training file as test file, disjoint rows", func(d *config.DataConfig) { d.Test, d.TrainRows, d.TestRows = "same.txt", "tr.txt", "te.txt" },
			[]int{0, 1, 2, 3}, []int{4, 5, 6}, "same.txt", []int{4, 5, 6}, nil},
		{"training file as test file", func(d *config.DataConfig) { d.Test = "same.txt" },
			nil, nil, "same.txt", nil, config.ErrInvalid},
		{"training file as test file, shared rows", func(d *config.DataConfig) { d.Test, d.TrainRows, d.TestRows = "same.txt", "tr.txt", "over.txt" },
			nil, nil, "same.txt", []int{3, 4}, data.ErrSplit},
		{"split files share rows", func(d *config.DataConfig) { d.TrainRows, d.TestRows = "tr.txt", "over.txt" },
			nil, nil, "d.txt", []int{3, 4}, data.ErrSplit},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Data.Dir, cfg.Data.Train = dir, "d.txt"
			c.set(&cfg.Data)
			s, err := LoadSplits(&cfg, 1, nil)
			switch {
			case c.err != nil && !errors.Is(err, c.err):
				t.Fatalf("LoadSplits: error %v, want %v", err, c.err)
			case c.err == nil && err != nil:
				t.Fatal(err)
			case c.err == nil:
				if got := featureRows(s.Train); !slices.Equal(got, c.train) {
					t.Errorf("training rows %v, want %v", got, c.train)
				}
				if got := featureRows(s.Test); !slices.Equal(got, c.test) {
					t.Errorf("test rows %v, want %v", got, c.test)
				}
			}
			test, src, err := LoadTest(&cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.err == nil {
				if got := featureRows(test); !slices.Equal(got, c.test) {
					t.Errorf("LoadTest rows %v, want %v", got, c.test)
				}
			}
			if src.Path != filepath.Join(dir, c.srcFile) || !slices.Equal(src.Rows, c.srcRows) || (src.Rows == nil) != (c.srcRows == nil) {
				t.Errorf("source %s rows %v, want %s rows %v", src.Path, src.Rows, c.srcFile, c.srcRows)
			}
			if src.Len() != test.Rows() {
				t.Errorf("source holds %d rows, the test split %d", src.Len(), test.Rows())
			}
		})
	}
}

// TrainedRows finds the test rows a model trained on, whichever file name
// or split moved the test split onto them.
func TestTrainedRows(t *testing.T) {
	dir := splitFixture(t)
	sum := func(name string) string {
		s, err := modelio.SHA256File(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	d, other := sum("d.txt"), sum("t.txt")
	trainInfo := []modelio.DataInfo{{Role: "train", Path: "d.txt", SHA256: d, Rows: 7}}
	cases := []struct {
		name      string
		model     func(d *config.DataConfig)
		info      []modelio.DataInfo
		src       Source
		n, first  int
		wantError bool
	}{
		{"own fold", func(d *config.DataConfig) { d.HoldoutEvery = 3 }, trainInfo,
			Source{SHA256: d, FileRows: 7, Rows: []int{2, 5}}, 0, -1, false},
		{"another fold", func(d *config.DataConfig) { d.HoldoutEvery = 3 }, trainInfo,
			Source{SHA256: d, FileRows: 7, Rows: []int{0, 3, 6}}, 3, 0, false},
		{"split file rows", func(d *config.DataConfig) { d.TrainRows, d.TestRows = "tr.txt", "te.txt" }, trainInfo,
			Source{SHA256: d, FileRows: 7, Rows: []int{6, 4, 3}}, 1, 3, false},
		{"whole training file", func(d *config.DataConfig) { d.Test = "t.txt" }, trainInfo,
			Source{SHA256: d, FileRows: 7}, 7, 0, false},
		{"another file", func(d *config.DataConfig) { d.Test = "t.txt" }, trainInfo,
			Source{SHA256: other, FileRows: 4}, 0, -1, false},
		{"the validation file", func(d *config.DataConfig) { d.Test = "t.txt" },
			append(slices.Clone(trainInfo), modelio.DataInfo{Role: "validation", Path: "t.txt", SHA256: other, Rows: 4}),
			Source{SHA256: other, FileRows: 4, Rows: []int{2}}, 1, 2, false},
		{"a file of another length", func(d *config.DataConfig) { d.HoldoutEvery = 3 }, trainInfo,
			Source{SHA256: d, FileRows: 8, Rows: []int{0}}, 0, -1, false},
		{"training split file gone", func(d *config.DataConfig) { d.TrainRows, d.TestRows = "gone.txt", "te.txt" }, trainInfo,
			Source{SHA256: d, FileRows: 7, Rows: []int{0}}, 0, -1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Data.Dir, cfg.Data.Train = dir, "d.txt"
			c.model(&cfg.Data)
			n, first, err := TrainedRows(&cfg, c.info, &c.src)
			if (err != nil) != c.wantError {
				t.Fatalf("error %v, want one: %v", err, c.wantError)
			}
			if n != c.n || first != c.first {
				t.Errorf("%d rows, first %d; want %d, first %d", n, first, c.n, c.first)
			}
		})
	}
	if n, _, err := TrainedRows(&config.Config{}, trainInfo, nil); n != 0 || err != nil {
		t.Errorf("no source: %d rows, %v", n, err)
	}
}

// WithRowKeys takes exactly the keys RowKeys names.
func TestWithRowKeys(t *testing.T) {
	a, b := config.Default(), config.Default()
	a.Data.Dir, b.Data.Dir = "here", "there"
	b.Data.Train, b.Data.Test, b.Data.Validation = "tr", "te", "va"
	b.Data.TrainRows, b.Data.TestRows, b.Data.SplitColumn = "r1", "r2", 3
	b.Data.HoldoutEvery, b.Data.HoldoutFold, b.Train.ValidationFraction = 5, 2, 0.2
	b.Train.Epochs = 99
	c := WithRowKeys(&a, &b)
	want, got := RowKeys(&b), RowKeys(c)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if c.Data.Dir != "here" || c.Train.Epochs != a.Train.Epochs {
		t.Errorf("took keys other than the row keys: dir %q, epochs %d", c.Data.Dir, c.Train.Epochs)
	}
	if a.Data.Train != config.Default().Data.Train {
		t.Error("changed its argument")
	}
}

// ChangedData finds the manifest entry naming src's file with other
// contents, and nothing for an unchanged file, another file or no source.
func TestChangedData(t *testing.T) {
	info := []modelio.DataInfo{{Role: "train", Path: "/data/d.txt", SHA256: "aaa", Rows: 7}, {Role: "test", Path: "/data/t.txt", SHA256: "bbb", Rows: 3}}
	for _, c := range []struct {
		name string
		src  *Source
		role string // "" = no change reported
	}{
		{"no source", nil, ""},
		{"unchanged training file", &Source{Path: "/data/d.txt", SHA256: "aaa"}, ""},
		{"changed training file", &Source{Path: "/data/./d.txt", SHA256: "ccc"}, "train"},
		{"changed test file", &Source{Path: "/data/t.txt", SHA256: "ccc"}, "test"},
		{"another file", &Source{Path: "/data/other.txt", SHA256: "ccc"}, ""},
	} {
		di, ok := ChangedData(info, c.src)
		if ok != (c.role != "") || di.Role != c.role {
			t.Errorf("%s: %+v %v, want role %q", c.name, di, ok, c.role)
		}
	}
}
