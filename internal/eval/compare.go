package eval

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"github.com/mhe-xlc/mhe/internal/report"
)

// CompareOptions configure a paired comparison. The zero value draws 1000
// resamples with seed 0 at the 95 % level.
type CompareOptions struct {
	// Resamples is the number of bootstrap resamples and of random
	// swaps (1000 when 0).
	Resamples int
	// Seed makes the resamples reproducible; the result does not depend on
	// Threads.
	Seed uint64
	// Level is the confidence level of the interval (0.95 when 0).
	Level float64
	// Threads bounds the goroutines (all CPUs when 0).
	Threads int
}

// Comparison is one metric of system A against system B on the same rows.
type Comparison struct {
	Name string
	A, B float64
	// Diff is A − B; [Low, High] its paired-bootstrap percentile interval.
	Diff, Low, High float64
	// P is the two-sided p-value of "A and B score alike" by approximate
	// randomization: the share of random per-row swaps of A's and B's
	// predictions whose |A − B| is at least the observed one (with the
	// observed split counted, so P > 0).
	P float64
}

// Compare compares two evaluations of the same truth rows, row by row: a
// paired bootstrap interval of the difference of every metric and an
// approximate-randomization p-value (Riezler and Maxwell 2005). Both
// evaluators need KeepRows and the same options.
func Compare(a, b *Evaluator, o CompareOptions) ([]Comparison, error) {
	switch {
	case !a.opt.KeepRows || !b.opt.KeepRows:
		return nil, fmt.Errorf("%w: Compare needs evaluators made with KeepRows", ErrOptions)
	case a.rows != b.rows || a.empty != b.empty:
		return nil, fmt.Errorf("%w: the evaluations cover %d and %d rows; compare predictions of the same rows", ErrOptions, a.rows, b.rows)
	case !slices.Equal(a.ks, b.ks) || a.opt.Empty != b.opt.Empty || a.opt.SingleLabel != b.opt.SingleLabel ||
		!slices.Equal(a.opt.InvPropensity, b.opt.InvPropensity):
		return nil, fmt.Errorf("%w: the evaluations were made with different options", ErrOptions)
	}
	if o.Resamples == 0 {
		o.Resamples = 1000
	}
	if o.Level == 0 {
		o.Level = 0.95
	}
	if o.Resamples < 1 || !(o.Level > 0 && o.Level < 1) {
		return nil, fmt.Errorf("%w: %d resamples at level %g: want >= 1 resamples and a level in (0, 1)", ErrOptions, o.Resamples, o.Level)
	}
	ra, rb := a.Result(), b.Result()
	out := make([]Comparison, len(ra.Metrics))
	for i, m := range ra.Metrics {
		out[i] = Comparison{Name: m.Name, A: m.Value, B: rb.Metrics[i].Value, Diff: m.Value - rb.Metrics[i].Value}
	}
	if a.rows == 0 {
		for i := range out {
			out[i].P = 1
		}
		return out, nil
	}
	boot := a.resample(b, o, bootstrapDraw, 1)
	swap := a.resample(b, o, swapDraw, 2)
	nm := len(out)
	lo, hi := (1-o.Level)/2, 1-float64((1-o.Level)/2)
	diffs := make([]float64, o.Resamples)
	for i := range out {
		for r := range o.Resamples {
			diffs[r] = boot[r*nm+i]
		}
		slices.Sort(diffs)
		out[i].Low, out[i].High = quantile(diffs, lo), quantile(diffs, hi)
		extreme := 0
		obs := math.Abs(out[i].Diff)
		for r := range o.Resamples {
			// A relative tolerance keeps ties (an exchange that changes
			// nothing) from depending on the order of a float sum.
			if math.Abs(swap[r*nm+i]) >= obs-float64(1e-12*math.Max(1, obs)) {
				extreme++
			}
		}
		out[i].P = float64(extreme+1) / float64(o.Resamples+1)
	}
	return out, nil
}

// A draw fills the stat sums of one resample of a and b from the kept rows;
// counts is scratch space of one entry per row.
type draw func(rng *rand.Rand, a, b []float64, stride int, sumA, sumB []float64, counts []int32)

// bootstrapDraw sums n rows drawn with replacement, the same rows for both:
// it counts how often each row is drawn, then adds the rows in order (the
// stats stay in cache order; the draw is the same multiset).
func bootstrapDraw(rng *rand.Rand, a, b []float64, stride int, sumA, sumB []float64, counts []int32) {
	n := len(counts)
	clear(counts)
	for range n {
		counts[rng.IntN(n)]++
	}
	for i, m := range counts {
		if m == 0 {
			continue
		}
		w := float64(m)
		ra, rb := a[i*stride:(i+1)*stride], b[i*stride:(i+1)*stride]
		for s := range stride {
			sumA[s] += float64(w * ra[s])
			sumB[s] += float64(w * rb[s])
		}
	}
}

// swapDraw exchanges each row's A and B stats with probability 1/2.
func swapDraw(rng *rand.Rand, a, b []float64, stride int, sumA, sumB []float64, _ []int32) {
	n := len(a) / stride
	var bits uint64
	for i := range n {
		if i%64 == 0 {
			bits = rng.Uint64()
		}
		ra, rb := a[i*stride:(i+1)*stride], b[i*stride:(i+1)*stride]
		if bits&1 == 1 {
			ra, rb = rb, ra
		}
		bits >>= 1
		addTo(sumA, ra)
		addTo(sumB, rb)
	}
}

func addTo(dst, src []float64) {
	for i, v := range src {
		dst[i] += v
	}
}

// resample runs o.Resamples draws and returns the metric differences A − B
// of draw r at r*len(metrics). Draw r uses its own random stream (seed, r,
// kind), so the result does not depend on the number of goroutines.
func (e *Evaluator) resample(b *Evaluator, o CompareOptions, d draw, kind uint64) []float64 {
	stride := len(e.keptCols)
	nm := len(e.Result().Metrics)
	out := make([]float64, o.Resamples*nm)
	threads := o.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	threads = min(threads, o.Resamples)
	var wg sync.WaitGroup
	for t := range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sumA, sumB := make([]float64, stride), make([]float64, stride)
			fullA, fullB := make([]float64, len(e.sum)), make([]float64, len(e.sum))
			counts := make([]int32, e.rows)
			for r := t; r < o.Resamples; r += threads {
				clear(sumA)
				clear(sumB)
				rng := rand.New(rand.NewPCG(o.Seed, uint64(r)<<2|kind))
				d(rng, e.kept, b.kept, stride, sumA, sumB, counts)
				for i, col := range e.keptCols {
					fullA[col], fullB[col] = sumA[i], sumB[i]
				}
				ma, mb := e.result(fullA, e.rows).Metrics, e.result(fullB, e.rows).Metrics
				for i := range ma {
					out[r*nm+i] = ma[i].Value - mb[i].Value
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// quantile is the q-quantile of sorted values, interpolating linearly
// between order statistics (R's and NumPy's default, type 7).
func quantile(sorted []float64, q float64) float64 {
	pos := float64(q * float64(len(sorted)-1))
	i := int(pos)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return sorted[i] + float64(f*(sorted[i+1]-sorted[i]))
}

// ComparisonGrid lays comparisons out as a table: metric, A, B, A − B and
// its interval in percent, and the p-value.
func ComparisonGrid(cs []Comparison, level float64) *report.Grid {
	if level == 0 {
		level = 0.95
	}
	g := &report.Grid{
		Header:     []string{"metric", "A", "B", "A-B", fmt.Sprintf("%g%% interval", 100*level), "p"},
		RightAlign: []bool{false, true, true, true, true, true},
	}
	for _, c := range cs {
		g.Rows = append(g.Rows, []string{Title(c.Name), report.Percent(c.A), report.Percent(c.B), report.Percent(c.Diff),
			"[" + report.Percent(c.Low) + ", " + report.Percent(c.High) + "]", strconv.FormatFloat(c.P, 'f', 4, 64)})
	}
	return g
}

// ComparisonJSON is the comparisons as JSON objects (fractions).
func ComparisonJSON(cs []Comparison) []*report.Object {
	out := make([]*report.Object, len(cs))
	for i, c := range cs {
		out[i] = (&report.Object{}).Set("metric", c.Name).Set("a", c.A).Set("b", c.B).Set("diff", c.Diff).
			Set("low", c.Low).Set("high", c.High).Set("p", c.P)
	}
	return out
}
