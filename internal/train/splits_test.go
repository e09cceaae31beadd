package train

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
)

// train.validation_fraction takes int(fraction · rows) training rows for
// validation: one row is enough, none is refused with the counts.
func TestValidationFractionEdges(t *testing.T) {
	cfg := synthConfig("vanilla", "index")
	cfg.Data.Synth.Examples = 100
	cfg.Train.ValidationFraction = 0.01
	s, err := LoadSplits(&cfg, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Validation.Rows() != 1 || s.Train.Rows()+s.Validation.Rows() != 100-s.Dropped || !s.ValidationFromTrain {
		t.Errorf("fraction 0.01 of 100 rows: %d validation, %d training, %d dropped", s.Validation.Rows(), s.Train.Rows(), s.Dropped)
	}
	cfg.Train.ValidationFraction = 0.009
	if _, err := LoadSplits(&cfg, 1, nil); !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), "leaves 0 validation rows of 100") {
		t.Errorf("fraction 0.009 of 100 rows: %v", err)
	}
}

// Synthetic data without test_examples has no test split, and records the
// training data only.
func TestSynthWithoutTest(t *testing.T) {
	cfg := synthConfig("vanilla", "index")
	cfg.Data.Synth.Examples, cfg.Data.Synth.TestExamples = 50, 0
	s, err := LoadSplits(&cfg, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Test != nil || len(s.Info) != 1 || s.Info[0].Role != "train" {
		t.Errorf("test %v, recorded %+v", s.Test, s.Info)
	}
}

// The checksum recorded for generated data is the sha256 of each matrix's
// rows and columns (uint64) and its arrays (int64 offsets, int32 ids,
// float32 values), little-endian, X then Y: spelled out here, so that a
// record's checksum means the same under a later mhe.
func TestHashDatasetLayout(t *testing.T) {
	x := data.NewCSR(5, 2, 3, false)
	x.AppendRow([]int32{0, 4}, []float32{0.5, -2})
	x.AppendRow([]int32{3}, []float32{1})
	y := data.NewCSR(3, 2, 2, true)
	y.AppendRow([]int32{2}, nil)
	y.AppendRow([]int32{0}, nil)
	d := &data.Dataset{X: x, Y: y}
	var b []byte
	for _, m := range []*data.CSR{x, y} {
		b = binary.LittleEndian.AppendUint64(b, uint64(m.Rows))
		b = binary.LittleEndian.AppendUint64(b, uint64(m.Cols))
		for _, v := range m.Indptr {
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
		for _, v := range m.Indices {
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		}
		for _, v := range m.Values {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	}
	sum := sha256.Sum256(b)
	if got, want := hashDataset(d), hex.EncodeToString(sum[:]); got != want {
		t.Errorf("hashDataset = %s, want %s", got, want)
	}
}

// A holdout rule that leaves no test rows, or no training rows, names the
// rows it holds out as the rule is written (i % every == fold - 1).
func TestCheckHoldoutMessages(t *testing.T) {
	cfg := config.Default()
	cfg.Data.Train = "tiny.txt"
	cfg.Data.HoldoutEvery = 5
	for _, c := range []struct {
		fold, n, test int
		want          string // "" = accepted
	}{
		{0, 3, 0, "holds out the rows i % 5 == 4, and "},
		{0, 3, 0, "tiny.txt has none of them (3 rows)"},
		{2, 1, 0, "holds out the rows i % 5 == 1"},
		{1, 1, 1, "tiny.txt (1 rows), leaving none to train on"},
		{1, 10, 2, ""},
	} {
		cfg.Data.HoldoutFold = c.fold
		err := checkHoldout(&cfg, c.n, c.test)
		if c.want == "" {
			if err != nil {
				t.Errorf("fold %d, %d of %d rows: %v", c.fold, c.test, c.n, err)
			}
			continue
		}
		if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("fold %d, %d of %d rows: %v, want %q", c.fold, c.test, c.n, err, c.want)
		}
	}
}

// Train and test rows of one file must not overlap: Overlap counts the
// shared rows and finds the first, whatever order the test rows come in,
// and disjoint words the refusal for split files (an input error naming
// the first row, 1-based, and how many more) and for a data.test that is
// the training file (a configuration error).
func TestOverlapAndDisjoint(t *testing.T) {
	src := func(rows []int) *Source { return &Source{Path: "d.txt", SHA256: "ab", FileRows: 10, Rows: rows} }
	for _, c := range []struct {
		a, b     []int
		n, first int
	}{
		{[]int{0, 1, 2}, []int{3, 4}, 0, -1},
		{[]int{0, 5, 7}, []int{9, 7, 5}, 2, 5},
		{nil, []int{8, 2}, 2, 2},
		{[]int{4}, nil, 1, 4},
	} {
		if n, first := Overlap(src(c.a), src(c.b)); n != c.n || first != c.first {
			t.Errorf("Overlap(%v, %v) = %d, %d; want %d, %d", c.a, c.b, n, first, c.n, c.first)
		}
	}
	other := src(nil)
	other.SHA256 = "cd"
	if n, first := Overlap(src(nil), other); n != 0 || first != -1 {
		t.Errorf("another file: %d, %d", n, first)
	}

	cfg := config.Default()
	cfg.Data.TrainRows, cfg.Data.TestRows = "tr.txt", "te.txt"
	err := disjoint(&cfg, src([]int{0, 5, 7}), src([]int{9, 7, 5}))
	if !errors.Is(err, data.ErrSplit) || !strings.Contains(err.Error(), "row 6 is in both") || !strings.Contains(err.Error(), "(and 1 more); train and test must not overlap") {
		t.Errorf("two shared rows: %v", err)
	}
	err = disjoint(&cfg, src([]int{0, 5}), src([]int{5}))
	if err == nil || strings.Contains(err.Error(), "more)") || strings.Contains(err.Error(), "data.test") {
		t.Errorf("one shared row: %v", err)
	}
	cfg.Data.Test = "d.txt"
	if err := disjoint(&cfg, src([]int{0, 5}), src([]int{5})); err == nil || !strings.Contains(err.Error(), ", and data.test d.txt is the training file (same sha256)") {
		t.Errorf("split files and data.test: %v", err)
	}
	cfg.Data.TrainRows, cfg.Data.TestRows = "", ""
	err = disjoint(&cfg, src(nil), src([]int{3, 1, 2}))
	if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), "3 of its 3 test rows are training rows (row 2 first)") {
		t.Errorf("data.test is the training file: %v", err)
	}
	if err := disjoint(&cfg, src([]int{0}), src([]int{1})); err != nil {
		t.Errorf("disjoint rows: %v", err)
	}
}

// A config's data.synth.noise: 0 and exponent: 0 reach the generator as
// zeros (it used to read them as its defaults, 0.3 and 1): noise-free rows
// draw features from their labels' signatures only, at most 8 a label.
func TestSynthConfigZeros(t *testing.T) {
	cfg := synthConfig("vanilla", "index")
	cfg.Data.Synth.Noise, cfg.Data.Synth.Exponent = 0, 0
	s, err := LoadSplits(&cfg, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int32]bool{}
	for _, id := range s.Train.X.Indices {
		seen[id] = true
	}
	if n, most := len(seen), 8*cfg.Data.Synth.Labels; n > most {
		t.Errorf("noise 0: %d distinct features, at most %d come from signatures", n, most)
	}
	// 50 rows a label: a uniform law stays within a few standard
	// deviations (about 7); exponent 1 would put 60 times the last label's
	// rows on the first.
	c := s.Train.Y.ColumnCounts()
	if lo, hi := slices.Min(c), slices.Max(c); float64(hi) > 2.5*float64(lo) {
		t.Errorf("exponent 0: label counts %d to %d, want a uniform law", lo, hi)
	}
}
