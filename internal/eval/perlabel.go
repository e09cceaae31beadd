package eval

import (
	"fmt"
	"io"
	"strconv"

	"github.com/mhe-xlc/mhe/internal/report"
)

// PerLabel counts, for every label, how often it is predicted, how often it
// is true, and how often both — the per-label precision, recall and F1 that
// users of every peer tool ask for. The predicted set of a row is its first
// K predictions (all of them when K is 0, e.g. after thresholding), and of
// those, with a threshold set (SetThreshold), the ones scoring at least it.
type PerLabel struct {
	K                 int
	TP, Pred, Support []int64
	threshold         *float64
}

// SetThreshold keeps in a row's predicted set only the predictions whose
// score is at least t (as mhe predict --threshold does).
func (pl *PerLabel) SetThreshold(t float64) { pl.threshold = &t }

// NewPerLabel counts over numLabels labels.
func NewPerLabel(numLabels, k int) *PerLabel {
	return &PerLabel{K: k, TP: make([]int64, numLabels), Pred: make([]int64, numLabels), Support: make([]int64, numLabels)}
}

// Add counts one row; truth is sorted, ranked is best first, scores are
// ranked's scores (needed only with a threshold). Predicted ids beyond the
// label count are ignored.
func (pl *PerLabel) Add(truth, ranked []int32, scores []float32) {
	n := len(pl.Support)
	for _, l := range truth {
		if int(l) < n {
			pl.Support[l]++
		}
	}
	if pl.K > 0 && len(ranked) > pl.K {
		ranked = ranked[:pl.K]
	}
	for i, l := range ranked {
		if int(l) >= n || (pl.threshold != nil && !(float64(scores[i]) >= *pl.threshold)) {
			continue
		}
		pl.Pred[l]++
		if contains(truth, l) {
			pl.TP[l]++
		}
	}
}

func contains(sorted []int32, x int32) bool {
	lo, hi := 0, len(sorted)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if sorted[m] < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(sorted) && sorted[lo] == x
}

// Scores returns precision, recall and F1 of label l (0 when undefined).
func (pl *PerLabel) Scores(l int) (precision, recall, f1 float64) {
	if pl.Pred[l] > 0 {
		precision = float64(pl.TP[l]) / float64(pl.Pred[l])
	}
	if pl.Support[l] > 0 {
		recall = float64(pl.TP[l]) / float64(pl.Support[l])
	}
	if precision+recall > 0 {
		f1 = 2 * precision * recall / (precision + recall)
	}
	return
}

// Macro returns precision, recall and F1 averaged over the labels that are
// true or predicted at least once.
func (pl *PerLabel) Macro() (precision, recall, f1 float64, labels int) {
	for l := range pl.Support {
		if pl.Support[l] == 0 && pl.Pred[l] == 0 {
			continue
		}
		p, r, f := pl.Scores(l)
		precision += p
		recall += r
		f1 += f
		labels++
	}
	if labels > 0 {
		precision /= float64(labels)
		recall /= float64(labels)
		f1 /= float64(labels)
	}
	return
}

// Micro returns precision, recall and F1 over all the predictions at once:
// true positives over predictions, over true labels, and their harmonic
// mean (0 when undefined).
func (pl *PerLabel) Micro() (precision, recall, f1 float64) {
	var tp, pred, support int64
	for l := range pl.Support {
		tp += pl.TP[l]
		pred += pl.Pred[l]
		support += pl.Support[l]
	}
	if pred > 0 {
		precision = float64(tp) / float64(pred)
	}
	if support > 0 {
		recall = float64(tp) / float64(support)
	}
	if precision+recall > 0 {
		f1 = 2 * precision * recall / (precision + recall)
	}
	return
}

// PRF is a precision, recall and F1 triple (fractions).
type PRF struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// PerLabelSummary condenses the per-label counts into the two averages
// papers report beside them; its JSON is eval's "per_label" object.
type PerLabelSummary struct {
	K         int      `json:"predicted_set_k"`                   // the predicted set: a row's first K predictions (0 = all)
	Threshold *float64 `json:"predicted_set_threshold,omitempty"` // and of those, the ones scoring at least this
	Labels    int      `json:"n_labels"`                          // labels true or predicted at least once (the macro average's labels)
	Macro     PRF      `json:"macro"`                             // the mean over those labels of each label's precision, recall and F1
	Micro     PRF      `json:"micro"`                             // over all predictions at once
}

// Summary returns the macro and micro averages.
func (pl *PerLabel) Summary() PerLabelSummary {
	s := PerLabelSummary{K: pl.K, Threshold: pl.threshold}
	s.Macro.Precision, s.Macro.Recall, s.Macro.F1, s.Labels = pl.Macro()
	s.Micro.Precision, s.Micro.Recall, s.Micro.F1 = pl.Micro()
	return s
}

// Line is the summary as one table line, in percent with 2 decimals.
func (s PerLabelSummary) Line() string {
	return fmt.Sprintf("per-label: macro P %s R %s F1 %s over the %d labels true or predicted; micro P %s R %s F1 %s (predicted set: %s)",
		report.Percent(s.Macro.Precision), report.Percent(s.Macro.Recall), report.Percent(s.Macro.F1), s.Labels,
		report.Percent(s.Micro.Precision), report.Percent(s.Micro.Recall), report.Percent(s.Micro.F1), s.set())
}

// set names the predicted set of a row.
func (s PerLabelSummary) set() string {
	set := "every prediction of a row"
	switch {
	case s.K == 1:
		set = "the first prediction of a row"
	case s.K > 1:
		set = fmt.Sprintf("the first %d predictions of a row", s.K)
	}
	if s.Threshold != nil {
		set += fmt.Sprintf(" scoring at least %g", *s.Threshold)
	}
	return set
}

// Caption says what Grid's averages are over, as one sentence.
func (s PerLabelSummary) Caption() string {
	return fmt.Sprintf("Per-label averages, in percent: macro over the %d labels true or predicted, micro over all predictions (predicted set: %s).", s.Labels, s.set())
}

// Grid is the summary as a table of two rows (macro, micro) and the
// columns P, R and F1, in percent with 2 decimals.
func (s PerLabelSummary) Grid() *report.Grid {
	row := func(name string, v PRF) []string {
		return []string{name, report.Percent(v.Precision), report.Percent(v.Recall), report.Percent(v.F1)}
	}
	return &report.Grid{Header: []string{"average", "P", "R", "F1"}, RightAlign: []bool{false, true, true, true},
		Rows: [][]string{row("macro", s.Macro), row("micro", s.Micro)}}
}

// Write writes one CSV line per label: label,name,support,predicted,
// true_positives,precision,recall,f1 (fractions with 6 decimals). names may
// be nil; otherwise it must cover every label.
func (pl *PerLabel) Write(w io.Writer, names []string) error {
	g := &report.Grid{Header: []string{"label", "name", "support", "predicted", "true_positives", "precision", "recall", "f1"}}
	for l := range pl.Support {
		name := ""
		if l < len(names) {
			name = names[l]
		}
		p, r, f := pl.Scores(l)
		g.Rows = append(g.Rows, []string{
			strconv.Itoa(l), name,
			strconv.FormatInt(pl.Support[l], 10), strconv.FormatInt(pl.Pred[l], 10), strconv.FormatInt(pl.TP[l], 10),
			fmt.Sprintf("%.6f", p), fmt.Sprintf("%.6f", r), fmt.Sprintf("%.6f", f),
		})
	}
	return g.Write(w, report.CSV)
}
