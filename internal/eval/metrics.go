package eval

import (
	"errors"
	"fmt"
	"slices"

	"github.com/mhe-xlc/mhe/internal/detmath"
)

// EmptyPolicy says how rows without true labels enter the means.
type EmptyPolicy string

const (
	// EmptyZero counts rows without true labels with score 0 in every
	// metric (pyxclib's behaviour, the default).
	EmptyZero EmptyPolicy = "zero"
	// EmptySkip leaves rows without true labels out of every mean.
	EmptySkip EmptyPolicy = "skip"
)

// ParseEmptyPolicy validates a policy name ("" = EmptyZero).
func ParseEmptyPolicy(s string) (EmptyPolicy, error) {
	switch EmptyPolicy(s) {
	case "", EmptyZero:
		return EmptyZero, nil
	case EmptySkip:
		return EmptySkip, nil
	}
	return "", fmt.Errorf("unknown empty-row policy %q (want zero or skip)", s)
}

// Describe is the one-line statement of the policy printed with results.
func (p EmptyPolicy) Describe() string {
	if p == EmptySkip {
		return "rows without true labels are left out of the means"
	}
	return "rows without true labels count as 0 in every metric (pyxclib)"
}

// MaxCutoff is the largest k an Evaluator takes. Published tables stop at
// k = 100 at most.
const MaxCutoff = 100000

// DefaultK is the k list every table in the field reports.
var DefaultK = []int{1, 3, 5}

// Options configure an Evaluator. The zero value evaluates P@k, nDCG@k and
// R@k at k = 1, 3, 5 with empty rows counted as 0.
type Options struct {
	// K lists the cut-offs, each >= 1.
	K []int
	// InvPropensity holds one inverse propensity per label (see
	// InvPropensity); nil leaves out PSP@k and PSnDCG@k. A label id beyond
	// it has no weight: it adds nothing to PSP@k and PSnDCG@k, predicted or
	// true (mhe eval refuses such files before they get here).
	InvPropensity []float64
	// Empty is the empty-row policy.
	Empty EmptyPolicy
	// SingleLabel adds top-k accuracy (acc@k), the single-label metric.
	SingleLabel bool
	// KeepRows keeps every counted row's contributions (a few floats per
	// cut-off), which Compare resamples; memory grows with the rows.
	KeepRows bool
}

// ErrOptions reports invalid evaluator options.
var ErrOptions = errors.New("eval: invalid options")

// Evaluator accumulates metrics one prediction row at a time, so any number
// of rows evaluates in constant memory. Sums are float64 in row order:
// results are deterministic.
type Evaluator struct {
	opt   Options
	ks    []int
	maxK  int
	disc  []float64 // 1/log2(r+2)
	cdisc []float64 // cumulative disc: the ideal DCG of r+1 relevant labels

	rows, empty int
	sum         []float64 // the sums of every counted row's stats
	row         []float64 // this row's stats: stat s of cut-off i at s*len(ks)+i
	keptCols    []int     // the entries of row the metrics use
	kept        []float64 // with KeepRows: every counted row's keptCols, in order
	wbuf        []float64
}

// The per-row statistics whose sums give the metrics: means over rows of
// the first five, ratios of means of the propensity-scored pairs.
const (
	statP = iota
	statNDCG
	statRec
	statAcc
	statPSNum
	statPSDen
	statPSnNum
	statPSnDen
	numStats
)

// NewEvaluator validates opt and returns an empty evaluator.
func NewEvaluator(opt Options) (*Evaluator, error) {
	ks := slices.Clone(opt.K)
	if len(ks) == 0 {
		ks = slices.Clone(DefaultK)
	}
	slices.Sort(ks)
	ks = slices.Compact(ks)
	if ks[0] < 1 {
		return nil, fmt.Errorf("%w: k must be >= 1, got %d", ErrOptions, ks[0])
	}
	if last := ks[len(ks)-1]; last > MaxCutoff {
		return nil, fmt.Errorf("%w: k = %d is beyond %d, the largest cut-off (an evaluator keeps a discount per rank and walks every rank up to k for each row)", ErrOptions, last, MaxCutoff)
	}
	if opt.Empty == "" {
		opt.Empty = EmptyZero
	}
	if _, err := ParseEmptyPolicy(string(opt.Empty)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrOptions, err)
	}
	maxK := ks[len(ks)-1]
	e := &Evaluator{opt: opt, ks: ks, maxK: maxK}
	e.disc = make([]float64, maxK)
	e.cdisc = make([]float64, maxK)
	s := 0.0
	for r := range maxK {
		e.disc[r] = 1 / detmath.Log2(float64(r)+2)
		s += e.disc[r]
		e.cdisc[r] = s
	}
	e.sum = make([]float64, numStats*len(ks))
	e.row = make([]float64, numStats*len(ks))
	for stat := range numStats {
		switch {
		case stat == statAcc && !opt.SingleLabel:
		case stat >= statPSNum && opt.InvPropensity == nil:
		default:
			for ki := range ks {
				e.keptCols = append(e.keptCols, stat*len(ks)+ki)
			}
		}
	}
	return e, nil
}

// Options returns the options e evaluates with: an evaluator made from
// them scores rows the same way (for comparing two systems).
func (e *Evaluator) Options() Options { return e.opt }

// MaxK is the largest cut-off: predictions beyond it are never looked at.
func (e *Evaluator) MaxK() int { return e.maxK }

// Add scores one row. truth must be sorted ascending (as data readers return
// it); ranked lists predicted labels best first and may be shorter than k
// (missing predictions are misses) or longer (ignored beyond MaxK).
func (e *Evaluator) Add(truth, ranked []int32) {
	clear(e.row)
	if len(truth) == 0 {
		e.empty++
		if e.opt.Empty == EmptySkip {
			return
		}
	} else {
		e.score(truth, ranked)
	}
	e.rows++
	for i, v := range e.row {
		e.sum[i] += v
	}
	if e.opt.KeepRows {
		for _, c := range e.keptCols {
			e.kept = append(e.kept, e.row[c])
		}
	}
}

// score fills e.row with the stats of a row with true labels.
func (e *Evaluator) score(truth, ranked []int32) {
	ny := len(truth)
	nk := len(e.ks)
	st := func(stat, ki int) *float64 { return &e.row[stat*nk+ki] }
	w := e.opt.InvPropensity
	hits, dcg, psw, psdcg := 0, 0.0, 0.0, 0.0
	ki := 0
	for r := 0; r < e.maxK; r++ {
		if r < len(ranked) {
			l := ranked[r]
			if _, ok := slices.BinarySearch(truth, l); ok {
				hits++
				dcg += e.disc[r]
				if int(l) < len(w) { // labels beyond the weights score 0, as in the ideal ranking below
					psw += w[l]
					psdcg += float64(w[l] * e.disc[r])
				}
			}
		}
		if r+1 == e.ks[ki] {
			k := float64(r + 1)
			norm := e.cdisc[min(ny, r+1)-1]
			*st(statP, ki) = float64(hits) / k
			*st(statNDCG, ki) = dcg / norm
			*st(statRec, ki) = float64(hits) / float64(ny)
			if hits > 0 {
				*st(statAcc, ki) = 1
			}
			if w != nil {
				*st(statPSNum, ki) = psw / k
				*st(statPSnNum, ki) = psdcg / norm
			}
			ki++
		}
	}
	if w == nil {
		return
	}
	// The ideal ranking for the propensity-scored denominators: the row's
	// true labels by decreasing inverse propensity.
	ws := e.wbuf[:0]
	for _, l := range truth {
		if int(l) < len(w) {
			ws = append(ws, w[l])
		}
	}
	slices.Sort(ws)
	slices.Reverse(ws)
	e.wbuf = ws
	ideal, idcg := 0.0, 0.0
	ki = 0
	for r := 0; r < e.maxK; r++ {
		if r < len(ws) {
			ideal += ws[r]
			idcg += float64(ws[r] * e.disc[r])
		}
		if r+1 == e.ks[ki] {
			norm := e.cdisc[min(ny, r+1)-1]
			*st(statPSDen, ki) = ideal / float64(r+1)
			*st(statPSnDen, ki) = idcg / norm
			ki++
		}
	}
}

// Metric is one named figure, a fraction in [0, 1].
type Metric struct {
	Name  string  // "p@1", "ndcg@3", ...
	Value float64 // fraction
}

// Result is the outcome of an evaluation.
type Result struct {
	Rows        int
	EmptyRows   int
	EmptyPolicy EmptyPolicy
	K           []int
	Metrics     []Metric
}

// Families lists the metric families in report order, with their table names.
var Families = []struct{ Key, Title string }{
	{"p", "P"}, {"ndcg", "nDCG"}, {"psp", "PSP"}, {"psndcg", "PSnDCG"}, {"r", "R"}, {"acc", "Acc"},
}

// Result returns the metrics of the rows added so far: means over the
// counted rows; PSP@k and PSnDCG@k are ratios of means (pyxclib, napkinXC).
func (e *Evaluator) Result() Result {
	return e.result(e.sum, e.rows)
}

// result computes the metrics from the stat sums of rows counted rows.
func (e *Evaluator) result(sum []float64, rows int) Result {
	res := Result{Rows: rows, EmptyRows: e.empty, EmptyPolicy: e.opt.Empty, K: slices.Clone(e.ks)}
	nk := len(e.ks)
	at := func(stat, i int) float64 { return sum[stat*nk+i] }
	mean := func(s float64) float64 {
		if rows == 0 {
			return 0
		}
		return s / float64(rows)
	}
	ratio := func(num, den float64) float64 {
		if den == 0 {
			return 0
		}
		return num / den
	}
	add := func(fam string, f func(i int) float64) {
		for i, k := range e.ks {
			res.Metrics = append(res.Metrics, Metric{Name: fmt.Sprintf("%s@%d", fam, k), Value: f(i)})
		}
	}
	add("p", func(i int) float64 { return mean(at(statP, i)) })
	add("ndcg", func(i int) float64 { return mean(at(statNDCG, i)) })
	if e.opt.InvPropensity != nil {
		add("psp", func(i int) float64 { return ratio(at(statPSNum, i), at(statPSDen, i)) })
		add("psndcg", func(i int) float64 { return ratio(at(statPSnNum, i), at(statPSnDen, i)) })
	}
	add("r", func(i int) float64 { return mean(at(statRec, i)) })
	if e.opt.SingleLabel {
		add("acc", func(i int) float64 { return mean(at(statAcc, i)) })
	}
	return res
}

// Get returns a metric by name.
func (r Result) Get(name string) (float64, bool) {
	for _, m := range r.Metrics {
		if m.Name == name {
			return m.Value, true
		}
	}
	return 0, false
}
