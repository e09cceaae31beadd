package eval

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// evaluators scores two prediction lists against the same truth.
func evaluators(t *testing.T, opt Options, truth [][]int32, a, b [][]int32) (*Evaluator, *Evaluator) {
	t.Helper()
	opt.KeepRows = true
	ea, err := NewEvaluator(opt)
	if err != nil {
		t.Fatal(err)
	}
	eb, _ := NewEvaluator(opt)
	for i := range truth {
		ea.Add(truth[i], a[i])
		eb.Add(truth[i], b[i])
	}
	return ea, eb
}

// coinRows makes n single-label rows (label 0) whose prediction is the
// right label with probability pa for A and pb for B, independently.
func coinRows(n int, pa, pb float64, seed uint64) (truth, a, b [][]int32) {
	rng := rand.New(rand.NewPCG(seed, 0))
	pick := func(p float64) []int32 {
		if rng.Float64() < p {
			return []int32{0, 1}
		}
		return []int32{1, 2}
	}
	for range n {
		truth = append(truth, []int32{0})
		a = append(a, pick(pa))
		b = append(b, pick(pb))
	}
	return
}

func find(t *testing.T, cs []Comparison, name string) Comparison {
	t.Helper()
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %s in %+v", name, cs)
	return Comparison{}
}

func TestCompareIdentical(t *testing.T) {
	truth, a, _ := coinRows(300, 0.6, 0.6, 1)
	ea, eb := evaluators(t, Options{K: []int{1, 3}}, truth, a, a)
	cs, err := Compare(ea, eb, CompareOptions{Resamples: 200, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Diff != 0 || c.Low != 0 || c.High != 0 || c.P != 1 {
			t.Errorf("%s of identical predictions: %+v, want diff 0 in [0, 0] with p = 1", c.Name, c)
		}
	}
}

func TestCompareOppositeSwapsScoreAlike(t *testing.T) {
	// A and B differ on two rows only, each winning one: no difference.
	truth := [][]int32{{0}, {0}, {0}, {0}}
	a := [][]int32{{0}, {1}, {0}, {1}}
	b := [][]int32{{1}, {0}, {0}, {1}}
	ea, eb := evaluators(t, Options{K: []int{1}}, truth, a, b)
	cs, _ := Compare(ea, eb, CompareOptions{Resamples: 500, Seed: 1})
	if c := find(t, cs, "p@1"); c.Diff != 0 || c.P != 1 || c.Low >= 0 || c.High <= 0 {
		t.Errorf("one win each: %+v, want diff 0, p = 1 and an interval around 0", c)
	}
}

// The bootstrap interval of a mean difference over n independent rows has
// half-width about z·sd/√n; A clearly better has the smallest p-value.
func TestCompareIntervalWidthAndPValue(t *testing.T) {
	const n = 2000
	truth, a, b := coinRows(n, 0.6, 0.5, 7)
	ea, eb := evaluators(t, Options{K: []int{1}}, truth, a, b)
	const resamples = 2000
	cs, err := Compare(ea, eb, CompareOptions{Resamples: resamples, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	c := find(t, cs, "p@1")
	var d []float64
	mean := 0.0
	for i := range truth {
		x := 0.0
		if a[i][0] == 0 {
			x++
		}
		if b[i][0] == 0 {
			x--
		}
		d = append(d, x)
		mean += x / n
	}
	if !(math.Abs(mean-c.Diff) <= 1e-12) {
		t.Fatalf("diff %v, want the mean row difference %v", c.Diff, mean)
	}
	v := 0.0
	for _, x := range d {
		v += (x - mean) * (x - mean) / (n - 1)
	}
	half := 1.959964 * math.Sqrt(v/n)
	got := (c.High - c.Low) / 2
	if math.Abs(got-half)/half > 0.1 {
		t.Errorf("95%% interval half-width %.5f, want about z·sd/√n = %.5f", got, half)
	}
	if !(c.Low < c.Diff && c.Diff < c.High) || c.Low <= 0 {
		t.Errorf("interval [%v, %v] should hold diff %v and exclude 0", c.Low, c.High, c.Diff)
	}
	if c.P != 1.0/(resamples+1) {
		t.Errorf("p = %v, want the smallest possible, 1/%d", c.P, resamples+1)
	}
	// No real difference: a p-value far from 0, an interval holding 0.
	truth, a, b = coinRows(n, 0.55, 0.55, 8)
	ea, eb = evaluators(t, Options{K: []int{1}}, truth, a, b)
	cs, _ = Compare(ea, eb, CompareOptions{Resamples: resamples, Seed: 11})
	if c := find(t, cs, "p@1"); c.P < 0.05 || c.Low > 0 || c.High < 0 {
		t.Errorf("equal systems: %+v, want p >= 0.05 and 0 inside the interval", c)
	}
}

func TestCompareDeterministic(t *testing.T) {
	truth, a, b := coinRows(500, 0.6, 0.55, 2)
	w := make([]float64, 3)
	for i := range w {
		w[i] = float64(i + 1)
	}
	ea, eb := evaluators(t, Options{K: []int{1, 2}, InvPropensity: w}, truth, a, b)
	var first []Comparison
	for _, threads := range []int{1, 2, 5} {
		cs, err := Compare(ea, eb, CompareOptions{Resamples: 300, Seed: 9, Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = cs
		} else if !reflect.DeepEqual(cs, first) {
			t.Errorf("threads %d changed the comparison", threads)
		}
	}
	other, _ := Compare(ea, eb, CompareOptions{Resamples: 300, Seed: 10})
	if reflect.DeepEqual(other, first) {
		t.Error("another seed drew the same resamples")
	}
	if len(first) != 10 || first[4].Name != "psp@1" {
		t.Errorf("metrics compared: %+v", first)
	}
}

func TestCompareErrors(t *testing.T) {
	truth, a, b := coinRows(10, 0.5, 0.5, 1)
	ea, eb := evaluators(t, Options{K: []int{1}}, truth, a, b)
	plain, _ := NewEvaluator(Options{K: []int{1}})
	short, _ := evaluators(t, Options{K: []int{1}}, truth[:5], a[:5], b[:5])
	otherK, _ := evaluators(t, Options{K: []int{3}}, truth, a, b)
	cases := []struct {
		a, b *Evaluator
		o    CompareOptions
		msg  string
	}{
		{ea, plain, CompareOptions{}, "KeepRows"},
		{ea, short, CompareOptions{}, "10 and 5 rows"},
		{ea, otherK, CompareOptions{}, "different options"},
		{ea, eb, CompareOptions{Resamples: -1}, "resamples"},
		{ea, eb, CompareOptions{Level: 1}, "level"},
	}
	for _, c := range cases {
		if _, err := Compare(c.a, c.b, c.o); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%+v: %v, want %q", c.o, err, c.msg)
		}
	}
}

// When every row is the same, every bootstrap resample is that row again:
// each metric's interval collapses onto its own difference. A resample
// that read another metric's column (or another metric's draws) would land
// on that metric's difference instead (the truth has four labels and the
// weights differ, so most metrics here differ from each other).
func TestCompareConstantRows(t *testing.T) {
	const n = 37
	var truth, a, b [][]int32
	for range n {
		truth = append(truth, []int32{0, 1, 2, 8})
		a = append(a, []int32{0, 3, 1, 4, 2})
		b = append(b, []int32{3, 8, 5, 6, 7})
	}
	w := []float64{1.5, 2, 3, 1.25, 1, 1, 1, 1, 5}
	ea, eb := evaluators(t, Options{K: []int{1, 3, 5}, InvPropensity: w}, truth, a, b)
	cs, err := Compare(ea, eb, CompareOptions{Resamples: 50, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 15 {
		t.Fatalf("%d metrics compared, want 15: %+v", len(cs), cs)
	}
	distinct := map[float64]bool{}
	for _, c := range cs {
		if !(math.Abs(c.Low-c.Diff) <= 1e-12) || !(math.Abs(c.High-c.Diff) <= 1e-12) {
			t.Errorf("%s: interval [%v, %v], want both ends at the difference %v", c.Name, c.Low, c.High, c.Diff)
		}
		distinct[c.Diff] = true
	}
	if len(distinct) < 10 {
		t.Errorf("only %d distinct differences among %d metrics: the test tells few of them apart", len(distinct), len(cs))
	}
	// Spot values by hand: P@3 = 2/3 - 1/3, R@5 = 3/4 - 1/4.
	if c := find(t, cs, "p@3"); !(math.Abs(c.Diff-1.0/3) <= 1e-12) {
		t.Errorf("p@3 difference %v, want 1/3", c.Diff)
	}
	if c := find(t, cs, "r@5"); !(math.Abs(c.Diff-0.5) <= 1e-12) {
		t.Errorf("r@5 difference %v, want 1/2", c.Diff)
	}
}

// P@1 and nDCG@1 are the same number on every row, so their comparisons
// must agree in every field: the same bootstrap draws give the same
// interval, the same swaps the same p-value.
func TestCompareTwinMetricsAgree(t *testing.T) {
	truth, a, b := coinRows(400, 0.62, 0.55, 5)
	ea, eb := evaluators(t, Options{K: []int{1, 3}}, truth, a, b)
	for _, level := range []float64{0.95, 0.5} {
		cs, err := Compare(ea, eb, CompareOptions{Resamples: 400, Seed: 6, Level: level})
		if err != nil {
			t.Fatal(err)
		}
		p, nd := find(t, cs, "p@1"), find(t, cs, "ndcg@1")
		nd.Name = p.Name
		if p != nd {
			t.Errorf("level %g: p@1 %+v and ndcg@1 %+v differ", level, p, nd)
		}
		if !(p.Low < p.Diff && p.Diff < p.High) || p.P <= 1.0/401 || p.P >= 1 {
			t.Errorf("level %g: p@1 %+v: want the difference inside its interval and a p-value strictly inside (1/401, 1)", level, p)
		}
	}
}

// A single resample is allowed (the interval is that resample's
// difference); the level must lie strictly inside (0, 1).
func TestCompareOneResample(t *testing.T) {
	truth, a, b := coinRows(50, 0.6, 0.4, 3)
	ea, eb := evaluators(t, Options{K: []int{1}}, truth, a, b)
	cs, err := Compare(ea, eb, CompareOptions{Resamples: 1, Seed: 2})
	if err != nil {
		t.Fatalf("one resample: %v", err)
	}
	if c := find(t, cs, "p@1"); c.Low != c.High {
		t.Errorf("one resample: interval [%v, %v], want a single point", c.Low, c.High)
	}
	if _, err := Compare(ea, eb, CompareOptions{Level: 1.5}); err == nil {
		t.Error("level 1.5 accepted")
	}
}

// quantile is type 7 (R's default, NumPy's "linear"): these are
// numpy.quantile's answers.
func TestQuantile(t *testing.T) {
	for _, c := range []struct {
		sorted []float64
		q      float64
		want   float64
	}{
		{[]float64{1, 2, 3, 4}, 0, 1},
		{[]float64{1, 2, 3, 4}, 0.25, 1.75},
		{[]float64{1, 2, 3, 4}, 0.5, 2.5},
		{[]float64{1, 2, 3, 4}, 0.975, 3.925},
		{[]float64{1, 2, 3, 4}, 1, 4},
		{[]float64{0, 10}, 0.025, 0.25},
		{[]float64{-3, -1, 0, 2, 10}, 0.9, 6.8},
		{[]float64{5}, 0.3, 5},
	} {
		if got := quantile(c.sorted, c.q); !(math.Abs(got-c.want) <= 1e-12) {
			t.Errorf("quantile(%v, %v) = %v, want %v", c.sorted, c.q, got, c.want)
		}
	}
}
