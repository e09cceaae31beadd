package train

import (
	"errors"
	"slices"
	"testing"

	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/nn"
)

// failingRows is a dataset's rows that fail after fail rows (0: never).
type failingRows struct {
	DatasetRows
	fail, read int
}

var errSource = errors.New("source broke")

func (s *failingRows) Next(row *data.Row) error {
	if s.fail > 0 && s.read == s.fail {
		return errSource
	}
	s.read++
	return s.DatasetRows.Next(row)
}

func rowsOf(ds *data.Dataset, fail int) *failingRows {
	return &failingRows{DatasetRows: DatasetRows{DS: ds}, fail: fail}
}

// RankRows gives, row for row in input order, the ranking RankDataset
// gives the same raw rows, across batch boundaries (500 test rows are two
// batches); it stops at the first error of the source or of emit and
// returns it.
func TestRankRows(t *testing.T) {
	m := trainAndLoad(t, synthConfig("mhc", "random"))
	cfg := synthConfig("mhc", "random")
	test, _, err := LoadTest(&cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if test.Rows() <= PredictBatch {
		t.Fatalf("%d test rows: want more than a batch", test.Rows())
	}
	r, err := NewRanker([]*Model{m}, nn.NewPool(2), 5)
	if err != nil {
		t.Fatal(err)
	}
	var want [][]int32
	var wantScores [][]float32
	RankDataset(r, test, func(_ int, labels []int32, scores []float32) {
		want = append(want, slices.Clone(labels))
		wantScores = append(wantScores, slices.Clone(scores))
	})
	var got [][]int32
	n, err := RankRows(r, rowsOf(test, 0), func(labels []int32, scores []float32) error {
		if i := len(got); !slices.Equal(scores, wantScores[i]) {
			t.Errorf("row %d: scores %v, want %v", i, scores, wantScores[i])
		}
		got = append(got, slices.Clone(labels))
		return nil
	})
	if err != nil || n != test.Rows() {
		t.Fatalf("RankRows: %d rows, %v; want %d", n, err, test.Rows())
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("row %d: %v, want %v", i, got[i], want[i])
		}
	}
	if _, err := RankRows(r, rowsOf(test, PredictBatch+7), func([]int32, []float32) error { return nil }); !errors.Is(err, errSource) {
		t.Errorf("a broken source: %v", err)
	}
	stop := errors.New("stop")
	calls := 0
	if _, err := RankRows(r, rowsOf(test, 0), func([]int32, []float32) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("emit failing: %v after %d calls, want stop after 1", err, calls)
	}
}

// EncodeRows preprocesses raw rows as the model's training data was: its
// features are the Encoder's of the preprocessed rows.
func TestEncodeRows(t *testing.T) {
	cfg := synthConfig("mhs", "index")
	cfg.Head.Heads, cfg.Head.Samples = 6, 2
	m := trainAndLoad(t, cfg)
	test, _, err := LoadTest(&cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := NewEncoder(m, nn.NewPool(2))
	if err != nil {
		t.Fatal(err)
	}
	var got [][]float32
	n, err := EncodeRows(enc, rowsOf(test, 0), func(f []float32) error {
		got = append(got, slices.Clone(f))
		return nil
	})
	if err != nil || n != test.Rows() {
		t.Fatalf("EncodeRows: %d rows, %v; want %d", n, err, test.Rows())
	}
	x := m.Prep.Apply(test.X)
	for lo := 0; lo < x.Rows; lo += PredictBatch {
		hi := min(lo+PredictBatch, x.Rows)
		enc.Reset()
		for r := lo; r < hi; r++ {
			enc.Add(x.Row(r))
		}
		enc.Run()
		for r := lo; r < hi; r++ {
			if !slices.Equal(got[r], enc.Row(r-lo)) {
				t.Fatalf("row %d: features differ from the Encoder's of the preprocessed row", r)
			}
		}
	}
}
