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
	if math.Abs(mean-c.Diff) > 1e-12 {
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
