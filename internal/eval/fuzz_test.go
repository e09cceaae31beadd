package eval

import (
	"bytes"
	"errors"
	"io"
	"math"
	"testing"

	"github.com/mhe-xlc/mhe/internal/data"
)

func FuzzPredReader(f *testing.F) {
	for _, s := range []string{"2 10\n1:0.5 7:0.9\n\n", "0:1 1:0.5\n2:0.1\n", "1:nan\n", "3:1 3:2\n", "a:1\n", "\n\n\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		pr, err := NewPredReader(bytes.NewReader(in), "fuzz")
		if err != nil {
			if !errors.Is(err, data.ErrInput) {
				t.Fatalf("not an input error: %v", err)
			}
			return
		}
		checkPredReader(t, pr)
	})
}

// FuzzPredReaderNames is FuzzPredReader for files of label names (mhe
// predict --names, read by mhe eval --pred-names).
func FuzzPredReaderNames(f *testing.F) {
	for _, s := range []string{"2 3\nb:0.5 c:d:0.9\n\n", "a:1 b:0.5\nc:d:0.1\n", "a:nan\n", "a:1 a:0.5\n", "z:1\n", ":1\n", "\n\n\n"} {
		f.Add([]byte(s))
	}
	names := map[string]int32{"a": 0, "b": 1, "c:d": 2}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkPredReader(t, NewPredReaderNames(bytes.NewReader(in), "fuzz", names))
	})
}

// checkPredReader reads every row: each must come best first and score in
// an evaluator, or the reader must stop at an input error.
func checkPredReader(t *testing.T, pr *PredReader) {
	t.Helper()
	ev, _ := NewEvaluator(Options{K: []int{1, 3}})
	for {
		labels, scores, err := pr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if !errors.Is(err, data.ErrInput) {
				t.Fatalf("not an input error: %v", err)
			}
			return
		}
		for i := 1; i < len(scores); i++ {
			if scores[i] > scores[i-1] {
				t.Fatalf("scores not descending: %v", scores)
			}
		}
		ev.Add([]int32{0, 1}, labels)
	}
	for _, m := range ev.Result().Metrics {
		if m.Value < 0 || m.Value > 1 {
			t.Fatalf("%s = %v out of [0,1]", m.Name, m.Value)
		}
	}
}

// FuzzCompare checks Compare's invariants on arbitrary small evaluations:
// A and B are each evaluation's own metrics, Diff = A − B, the interval is
// ordered, 0 < p <= 1, and identical predictions compare as equal.
func FuzzCompare(f *testing.F) {
	f.Add([]byte{3, 1, 2, 0, 4, 4, 1, 0, 9}, uint64(1), true)
	f.Add([]byte{0, 0, 0, 0}, uint64(7), false)
	f.Fuzz(func(t *testing.T, in []byte, seed uint64, props bool) {
		if len(in) > 600 {
			in = in[:600]
		}
		const c = 6
		opt := Options{K: []int{1, 2}, Empty: EmptyZero, KeepRows: true}
		if props {
			opt.InvPropensity = []float64{1, 2, 3, 1.5, 1, 4}
		}
		ea, _ := NewEvaluator(opt)
		eb, _ := NewEvaluator(opt)
		same, _ := NewEvaluator(opt)
		for i := 0; i+2 < len(in); i += 3 {
			var truth []int32
			for l := range int32(c) {
				if in[i]>>l&1 == 1 {
					truth = append(truth, l)
				}
			}
			a := []int32{int32(in[i+1] % c), int32((in[i+1] / c) % c)}
			b := []int32{int32(in[i+2] % c)}
			if a[1] == a[0] {
				a = a[:1]
			}
			ea.Add(truth, a)
			eb.Add(truth, b)
			same.Add(truth, a)
		}
		cs, err := Compare(ea, eb, CompareOptions{Resamples: 40, Seed: seed, Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		ra, rb := ea.Result(), eb.Result()
		for i, x := range cs {
			if x.A != ra.Metrics[i].Value || x.B != rb.Metrics[i].Value || x.Diff != x.A-x.B {
				t.Fatalf("%s: %+v; A %v B %v", x.Name, x, ra.Metrics[i].Value, rb.Metrics[i].Value)
			}
			if !(x.Low <= x.High) || !(x.P > 0 && x.P <= 1) || math.IsNaN(x.Low) || math.IsNaN(x.High) {
				t.Fatalf("%s: interval [%v, %v], p %v", x.Name, x.Low, x.High, x.P)
			}
		}
		cs, err = Compare(ea, same, CompareOptions{Resamples: 40, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range cs {
			if x.Diff != 0 || x.Low != 0 || x.High != 0 || x.P != 1 {
				t.Fatalf("identical predictions, %s: %+v", x.Name, x)
			}
		}
	})
}
