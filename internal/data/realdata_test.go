package data

import (
	"math"
	"testing"

	"github.com/mhe-xlc/mhe/internal/testutil"
)

// The counts below are the "Verified counts" of ../shared/data/README.md.
func TestRealDataCounts(t *testing.T) {
	dir := testutil.DataDir(t)
	cases := []struct {
		file                     string
		opt                      ReadOptions
		rows, features, labels   int
		nnz                      int64
		assignments              int64 // 0 = not checked
		labelsUsed, featuresUsed int   // 0 = not checked
		noLabels, noFeatures     int   // -1 = not checked
	}{
		{"Bibtex/Bibtex_data.txt.gz", ReadOptions{Format: FormatXC}, 7395, 1836, 159, 507746, 17762, 159, 1836, 0, 0},
		{"Delicious/delicious_train.txt", ReadOptions{Format: FormatXC}, 12920, 500, 983, 239549, 246088, 983, 0, 10, -1},
		{"Delicious/delicious_test.txt", ReadOptions{Format: FormatXC}, 3185, 500, 983, 55065, 60229, 982, 0, 4, -1},
		{"Corel5k/corel5k_train.txt", ReadOptions{Format: FormatXC}, 4500, 499, 374, 36794, 0, 371, 0, -1, -1},
		{"Corel5k/corel5k_test.txt", ReadOptions{Format: FormatXC}, 500, 499, 374, 4557, 0, 263, 0, -1, -1},
		{"StackEx-Cooking/stackex_cooking_data.txt", ReadOptions{Format: FormatXC}, 10491, 577, 400, 167973, 23340, 400, 577, 134, 3},
		{"StackEx-CS/stackex_cs_data.txt", ReadOptions{Format: FormatXC}, 9270, 635, 274, 185769, 23696, 0, 0, 36, 3},
		{"RCV1-Sub1/rcv1sub1_data.txt.gz", ReadOptions{Format: FormatXC}, 6000, 47236, 101, 463400, 0, 101, 19550, -1, -1},
		{"Yeast/yeast_train.txt", ReadOptions{Format: FormatLibSVM, LabelBase: 0, FeatureBase: 1}, 1500, 103, 14, 1500 * 103, 0, 14, 103, 0, 0},
		{"Yeast/yeast_test.txt", ReadOptions{Format: FormatLibSVM, LabelBase: 0, FeatureBase: 1}, 917, 103, 14, 917 * 103, 0, 0, 103, 0, 0},
		{"Sector-subset/sector.heldout.txt", ReadOptions{Format: FormatLibSVM, LabelBase: 1, FeatureBase: 1, NumFeatures: 55197, SingleLabel: true}, 865, 55197, 105, 141292, 865, 105, 0, 0, -1},
		{"Sector-subset/sector.test.txt", ReadOptions{Format: FormatLibSVM, LabelBase: 1, FeatureBase: 1, NumFeatures: 55197, SingleLabel: true}, 961, 55197, 105, 151395, 961, 105, 0, 0, -1},
		{"Letter/letter.scale.libsvm.txt", ReadOptions{Format: FormatLibSVM, LabelBase: 1, FeatureBase: 1, SingleLabel: true}, 20000, 16, 26, 320000, 20000, 26, 16, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			ds, err := ReadFile(dir+"/"+c.file, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if err := ds.X.Validate(); err != nil {
				t.Fatal(err)
			}
			if err := ds.Y.Validate(); err != nil {
				t.Fatal(err)
			}
			if ds.Rows() != c.rows || ds.NumFeatures() != c.features || ds.NumLabels() != c.labels {
				t.Errorf("rows/features/labels = %d/%d/%d, want %d/%d/%d", ds.Rows(), ds.NumFeatures(), ds.NumLabels(), c.rows, c.features, c.labels)
			}
			if ds.X.NNZ() != c.nnz {
				t.Errorf("nnz = %d, want %d", ds.X.NNZ(), c.nnz)
			}
			if c.assignments > 0 && ds.Y.NNZ() != c.assignments {
				t.Errorf("label assignments = %d, want %d", ds.Y.NNZ(), c.assignments)
			}
			if c.labelsUsed > 0 {
				if got := used(ds.Y.ColumnCounts()); got != c.labelsUsed {
					t.Errorf("labels used = %d, want %d", got, c.labelsUsed)
				}
			}
			if c.featuresUsed > 0 {
				if got := used(ds.X.ColumnCounts()); got != c.featuresUsed {
					t.Errorf("features used = %d, want %d", got, c.featuresUsed)
				}
			}
			e := CountEmpty(ds)
			if c.noLabels >= 0 && e.NoLabels != c.noLabels {
				t.Errorf("rows without labels = %d, want %d", e.NoLabels, c.noLabels)
			}
			if c.noFeatures >= 0 && e.NoFeatures != c.noFeatures {
				t.Errorf("rows without features = %d, want %d", e.NoFeatures, c.noFeatures)
			}
		})
	}
}

func used(counts []int64) int {
	n := 0
	for _, c := range counts {
		if c > 0 {
			n++
		}
	}
	return n
}

func TestRealDataQuirks(t *testing.T) {
	dir := testutil.DataDir(t)
	// StackEx-Cooking line 24 (header = line 1) is a single space: row 22.
	ds, err := ReadFile(dir+"/StackEx-Cooking/stackex_cooking_data.txt", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Rows() != 10491 {
		t.Fatalf("rows = %d, want 10491 (the single-space row is a real example)", ds.Rows())
	}
	if ds.X.RowLen(22) != 0 || ds.Y.RowLen(22) != 0 {
		t.Errorf("row 22 should be empty, has %d features and %d labels", ds.X.RowLen(22), ds.Y.RowLen(22))
	}
	if e := CountEmpty(ds); e.Neither != 1 {
		t.Errorf("rows with neither labels nor features = %d, want 1", e.Neither)
	}
	// StackEx values are integer counts 1..33.
	lo, hi := minMax(ds.X.Values)
	if lo != 1 || hi != 33 {
		t.Errorf("StackEx-Cooking values span %v..%v, want 1..33", lo, hi)
	}
	// RCV1 values run from 0.007242 to 1.0.
	rcv, err := ReadFile(dir+"/RCV1-Sub1/rcv1sub1_data.txt.gz", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lo, hi = minMax(rcv.X.Values)
	if lo != float32(0.007242) || hi != 1 {
		t.Errorf("RCV1 values span %v..%v, want 0.007242..1", lo, hi)
	}
	if used(rcv.X.ColumnCounts()) != 19550 || rcv.X.ColumnCounts()[0] != 0 {
		t.Errorf("RCV1 should use 19,550 feature ids and never id 0")
	}
	// Sector: the largest feature id, 55,188 (1-based), is in the test file.
	sec, err := ReadFile(dir+"/Sector-subset/sector.test.txt", ReadOptions{Format: FormatLibSVM, LabelBase: 1, FeatureBase: 1})
	if err != nil {
		t.Fatal(err)
	}
	if sec.NumFeatures() != 55188 {
		t.Errorf("inferred Sector features = %d, want 55188 (max id)", sec.NumFeatures())
	}
}

func minMax(v []float32) (float32, float32) {
	lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

func TestRealBibtexSplit(t *testing.T) {
	dir := testutil.DataDir(t)
	ds, err := ReadFile(dir+"/Bibtex/Bibtex_data.txt.gz", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := ReadSplit(dir+"/Bibtex/bibtex_trSplit.txt", 1, ds.Rows())
	if err != nil {
		t.Fatal(err)
	}
	te, err := ReadSplit(dir+"/Bibtex/bibtex_tstSplit.txt", 1, ds.Rows())
	if err != nil {
		t.Fatal(err)
	}
	train, test := ds.Subset(tr), ds.Subset(te)
	if train.Rows() != 4880 || test.Rows() != 2515 {
		t.Fatalf("split 1 = %d/%d rows, want 4880/2515", train.Rows(), test.Rows())
	}
	if train.X.NNZ() != 335439 || test.X.NNZ() != 172307 {
		t.Errorf("split 1 nnz = %d/%d, want 335439/172307", train.X.NNZ(), test.X.NNZ())
	}
	if used(train.Y.ColumnCounts()) != 159 || used(test.Y.ColumnCounts()) != 159 {
		t.Error("all 159 labels should appear in both halves of split 1")
	}
	for col := 1; col <= 10; col++ {
		tr, err := ReadSplit(dir+"/Bibtex/bibtex_trSplit.txt", col, ds.Rows())
		if err != nil {
			t.Fatal(err)
		}
		te, err := ReadSplit(dir+"/Bibtex/bibtex_tstSplit.txt", col, ds.Rows())
		if err != nil {
			t.Fatal(err)
		}
		seen := make([]bool, ds.Rows())
		for _, r := range append(tr, te...) {
			if seen[r] {
				t.Fatalf("split %d: row %d in train and test", col, r+1)
			}
			seen[r] = true
		}
		if len(tr)+len(te) != ds.Rows() {
			t.Fatalf("split %d covers %d rows", col, len(tr)+len(te))
		}
	}
	if _, err := ReadSplit(dir+"/Bibtex/bibtex_trSplit.txt", 11, ds.Rows()); err == nil {
		t.Error("column 11 of a 10-column split file should fail")
	}
}
