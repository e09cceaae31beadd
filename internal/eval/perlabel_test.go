package eval

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// TestPerLabelSummary: macro and micro averages by hand, for a full and a
// cut predicted set, with a label neither true nor predicted (left out of
// the macro mean) and a predicted id beyond the label count (ignored).
func TestPerLabelSummary(t *testing.T) {
	rows := []struct{ truth, ranked []int32 }{
		{[]int32{0, 1}, []int32{0, 2, 1}},
		{[]int32{1}, []int32{2, 1, 9}},
		{[]int32{0}, []int32{0}},
		{nil, []int32{1}},
	}
	for _, tc := range []struct {
		k            int
		labels       int
		macro, micro PRF
	}{
		// Every prediction. Label 0: 2 predicted, 2 true, 2 hits (1, 1, 1).
		// Label 1: 3 predicted, 2 true, 2 hits (2/3, 1, 4/5). Label 2: 2
		// predicted, 0 true (0, 0, 0). Label 3: never, left out. Micro: 4
		// hits, 7 predictions, 4 true labels.
		{0, 3, PRF{(1 + 2.0/3) / 3, 2.0 / 3, (1 + 0.8) / 3}, PRF{4.0 / 7, 1, 2 * (4.0 / 7) / (4.0/7 + 1)}},
		// First prediction: 0, 2, 0, 1. Label 0: (1, 1, 1). Label 1: 1
		// predicted, 2 true, no hit (0, 0, 0). Label 2: (0, 0, 0). Micro: 2
		// hits, 4 predictions, 4 true labels.
		{1, 3, PRF{1.0 / 3, 1.0 / 3, 1.0 / 3}, PRF{0.5, 0.5, 0.5}},
	} {
		pl := NewPerLabel(4, tc.k)
		for _, r := range rows {
			pl.Add(r.truth, r.ranked, nil)
		}
		s := pl.Summary()
		if s.K != tc.k || s.Labels != tc.labels {
			t.Errorf("k=%d: K %d, labels %d; want %d, %d", tc.k, s.K, s.Labels, tc.k, tc.labels)
		}
		for _, c := range []struct {
			name      string
			got, want PRF
		}{{"macro", s.Macro, tc.macro}, {"micro", s.Micro, tc.micro}} {
			if !near(c.got.Precision, c.want.Precision) || !near(c.got.Recall, c.want.Recall) || !near(c.got.F1, c.want.F1) {
				t.Errorf("k=%d %s: %+v, want %+v", tc.k, c.name, c.got, c.want)
			}
		}
	}
	// Nothing counted: every average is 0, not NaN.
	if s := NewPerLabel(3, 0).Summary(); s != (PerLabelSummary{}) {
		t.Errorf("empty: %+v", s)
	}
}

// With a threshold, a row's predicted set keeps only the predictions
// scoring at least it (of the first K), and the summary says so.
func TestPerLabelThresholdSet(t *testing.T) {
	pl := NewPerLabel(3, 2)
	pl.SetThreshold(0.5)
	pl.Add([]int32{0, 1}, []int32{0, 1, 2}, []float32{0.9, 0.5, 0.7}) // 0 and 1 (2 is beyond K)
	pl.Add([]int32{2}, []int32{1, 2}, []float32{0.49, 0.2})           // none
	pl.Add([]int32{2}, []int32{2}, []float32{0.6})                    // 2
	if want := []int64{1, 1, 1}; !slices.Equal(pl.Pred, want) {
		t.Errorf("predicted counts %v, want %v", pl.Pred, want)
	}
	if want := []int64{1, 1, 1}; !slices.Equal(pl.TP, want) {
		t.Errorf("true positives %v, want %v", pl.TP, want)
	}
	s := pl.Summary()
	if s.Threshold == nil || *s.Threshold != 0.5 || !strings.HasSuffix(s.Line(), "(predicted set: the first 2 predictions of a row scoring at least 0.5)") {
		t.Errorf("summary %+v: %s", s, s.Line())
	}
	if s.Micro.Precision != 1 || s.Micro.Recall != 0.75 {
		t.Errorf("micro %+v, want precision 1, recall 3/4", s.Micro)
	}
}

// Scores by hand, one label per case: F1 is the harmonic mean even where
// neither precision nor recall is 1, and a label never predicted (or never
// true) scores 0 there, not NaN. Ids at the label count itself, true or
// predicted, are left out; a score equal to the threshold is kept.
func TestPerLabelScores(t *testing.T) {
	pl := NewPerLabel(4, 0)
	pl.SetThreshold(0.5)
	rows := []struct {
		truth, ranked []int32
		scores        []float32
	}{
		// Label 0: true 4 times, predicted 3 times, 2 hits.
		{[]int32{0}, []int32{0}, []float32{0.5}},
		{[]int32{0}, []int32{0, 2}, []float32{0.9, 0.6}},
		{[]int32{0}, []int32{3}, []float32{0.7}},
		{[]int32{0, 4}, []int32{4, 2}, []float32{0.9, 0.4}},
		{nil, []int32{0}, []float32{0.8}},
		// Label 1: true, never predicted. Label 2: predicted (0.6), never
		// true. Label 3: predicted (0.7), never true.
		{[]int32{1}, []int32{4}, []float32{0.95}},
	}
	for _, r := range rows {
		pl.Add(r.truth, r.ranked, r.scores)
	}
	for _, c := range []struct {
		label   int
		p, r, f float64
	}{
		{0, 2.0 / 3, 0.5, 4.0 / 7},
		{1, 0, 0, 0},
		{2, 0, 0, 0},
		{3, 0, 0, 0},
	} {
		p, r, f := pl.Scores(c.label)
		if !near(p, c.p) || !near(r, c.r) || !near(f, c.f) {
			t.Errorf("label %d: precision %v, recall %v, F1 %v; want %v, %v, %v", c.label, p, r, f, c.p, c.r, c.f)
		}
	}
	if want := []int64{4, 1, 0, 0}; !slices.Equal(pl.Support, want) {
		t.Errorf("support %v, want %v", pl.Support, want)
	}
	if want := []int64{3, 0, 1, 1}; !slices.Equal(pl.Pred, want) {
		t.Errorf("predicted %v, want %v", pl.Pred, want)
	}
	// Micro: 2 hits of 5 predictions and 5 true labels.
	if p, r, f := pl.Micro(); !near(p, 0.4) || !near(r, 0.4) || !near(f, 0.4) {
		t.Errorf("micro %v, %v, %v; want 0.4 each", p, r, f)
	}
}

// near reports whether got is within 1e-12 of want; NaN is near nothing
// (a check written as |got - want| > tol lets NaN through).
func near(got, want float64) bool { return math.Abs(got-want) <= 1e-12 }
