package train

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/heads"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/nn"
)

// ensembleMembers trains three small MHC models on the synthetic task: two
// seeds in index order and one in a random label order (so the members'
// internal ids differ), and returns them loaded, with the raw test rows.
func ensembleMembers(t *testing.T) ([]*Model, *data.Dataset) {
	t.Helper()
	var ms []*Model
	var cfg config.Config
	for i, order := range []string{"index", "index", "random"} {
		cfg = synthConfig("mhc", order)
		cfg.Head.BottleneckDim, cfg.Head.Beam = 16, 2
		cfg.Train.Seed = uint64(i + 1)
		ms = append(ms, trainAndLoad(t, cfg))
	}
	test, _, err := LoadTest(&cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ms, test
}

// scoresOf returns every label's score by model m for every row of the raw
// dataset ds, in the data's ids (a full ranking: C predictions per row,
// with a prediction beam that keeps every node).
func scoresOf(t *testing.T, m *Model, ds *data.Dataset) [][]float32 {
	if err := m.SetPredictBeam(m.Labels); err != nil {
		t.Fatal(err)
	}
	defer func() { m.Head.(*heads.MHCHead).PredictBeam = 0 }()
	r, _ := NewRanker([]*Model{m}, nn.NewPool(1), m.Labels)
	out := make([][]float32, ds.Rows())
	RankDataset(r, ds, func(row int, labels []int32, scores []float32) {
		out[row] = make([]float32, m.Labels)
		for i, l := range labels {
			out[row][l] = scores[i]
		}
	})
	return out
}

// An ensemble's score of a label is the mean of its members' scores of it
// (each computed by the member's full ranking), its ranking is sorted and
// holds the best label in mean score among the members' own top K, and
// its output does not depend on the pool's size.
func TestEnsembleAveragesMembers(t *testing.T) {
	ms, test := ensembleMembers(t)
	const k = 5
	full := make([][][]float32, len(ms))
	tops := make([][][]int32, len(ms))
	for i, m := range ms {
		full[i] = scoresOf(t, m, test)
		r, _ := NewRanker(ms[i:i+1], nn.NewPool(1), k)
		RankDataset(r, test, func(row int, labels []int32, _ []float32) {
			tops[i] = append(tops[i], slices.Clone(labels))
		})
	}
	type ranking struct {
		labels []int32
		scores []float32
	}
	run := func(threads int) []ranking {
		e, err := NewEnsemble(ms, nn.NewPool(threads), k)
		if err != nil {
			t.Fatal(err)
		}
		var out []ranking
		RankDataset(e, test, func(_ int, labels []int32, scores []float32) {
			out = append(out, ranking{slices.Clone(labels), slices.Clone(scores)})
		})
		return out
	}
	one, three := run(1), run(3)
	if len(one) != test.Rows() {
		t.Fatalf("%d rankings for %d rows", len(one), test.Rows())
	}
	changed := 0
	for row, got := range one {
		if !slices.Equal(got.labels, three[row].labels) || !slices.Equal(got.scores, three[row].scores) {
			t.Fatalf("row %d: 1 thread %v, 3 threads %v", row, got, three[row])
		}
		if len(got.labels) != k {
			t.Fatalf("row %d: %d labels, want %d", row, len(got.labels), k)
		}
		mean := func(l int32) float64 {
			var s float64
			for i := range ms {
				s += float64(full[i][row][l])
			}
			return s / float64(len(ms))
		}
		for j, l := range got.labels {
			if d := math.Abs(float64(got.scores[j]) - mean(l)); d > 1e-6 {
				t.Fatalf("row %d label %d: ensemble score %v, members' mean %v", row, l, got.scores[j], mean(l))
			}
			if j > 0 && got.scores[j] > got.scores[j-1] {
				t.Fatalf("row %d: not sorted: %v", row, got.scores)
			}
		}
		best, bestScore := int32(-1), -1.0
		for i := range ms {
			for _, l := range tops[i][row] {
				if s := mean(l); s > bestScore+1e-6 {
					best, bestScore = l, s
				}
			}
		}
		if !(math.Abs(mean(got.labels[0])-bestScore) <= 1e-6) {
			t.Fatalf("row %d: top label %d (mean %v), but member candidate %d has mean %v", row, got.labels[0], mean(got.labels[0]), best, bestScore)
		}
		if !slices.Equal(got.labels, tops[0][row]) {
			changed++
		}
	}
	if changed == 0 {
		t.Error("the ensemble ranks as member 1 on every row: the other members had no say")
	}
}

// An ensemble of one model with itself ranks as the model does.
func TestEnsembleOfOneModelTwice(t *testing.T) {
	ms, test := ensembleMembers(t)
	m := ms[2] // random label order: ids are mapped both ways
	single, _ := NewRanker([]*Model{m}, nn.NewPool(2), 4)
	var want [][]int32
	RankDataset(single, test, func(_ int, labels []int32, _ []float32) { want = append(want, slices.Clone(labels)) })
	twin, err := NewRanker([]*Model{m, m}, nn.NewPool(2), 4)
	if err != nil {
		t.Fatal(err)
	}
	RankDataset(twin, test, func(row int, labels []int32, _ []float32) {
		if !slices.Equal(labels, want[row]) {
			t.Fatalf("row %d: ensemble of the model twice %v, the model %v", row, labels, want[row])
		}
	})
}

// Members must share the label space and the input features; the error
// names the member (counted from 1, as given) that differs from the first.
func TestEnsembleRefusesMismatchedMembers(t *testing.T) {
	ms, _ := ensembleMembers(t)
	other := *ms[1]
	other.Labels++
	if _, err := NewEnsemble([]*Model{ms[0], ms[1], &other}, nn.NewPool(1), 5); !errors.Is(err, modelio.ErrIncompatible) ||
		!strings.Contains(err.Error(), fmt.Sprintf("ensemble member 3 has %d labels, member 1 has %d", other.Labels, ms[0].Labels)) {
		t.Errorf("different label counts: %v, want ErrIncompatible naming member 3", err)
	}
	other = *ms[1]
	other.Prep.InputFeatures++
	if _, err := NewEnsemble([]*Model{ms[0], &other}, nn.NewPool(1), 5); !errors.Is(err, modelio.ErrIncompatible) ||
		!strings.Contains(err.Error(), fmt.Sprintf("ensemble member 2 reads %d input features, member 1 reads %d", other.Prep.Features(), ms[0].Prep.Features())) {
		t.Errorf("different input features: %v, want ErrIncompatible naming member 2", err)
	}
	// Hashed into the same buckets, members may have read files of
	// different widths.
	a, b := *ms[0], *ms[1]
	a.Prep.Hash, b.Prep.Hash = 64, 64
	b.Prep.InputFeatures++
	if _, err := NewEnsemble([]*Model{&a, &b}, nn.NewPool(1), 5); err != nil && strings.Contains(err.Error(), "input features") {
		t.Errorf("hashed members of different input widths: %v", err)
	}
	if _, err := NewEnsemble(ms[:1], nn.NewPool(1), 5); err == nil {
		t.Error("an ensemble of one model was accepted")
	}
}
