package eval

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/mhe-xlc/mhe/internal/data"
)

// benchInput builds n rows of truth (3 labels of 10,000) and a prediction
// file of 5 ranked label:score pairs per row.
func benchInput(n int) (*data.CSR, []byte) { return benchInputTop(n, 5) }

// benchInputTop is benchInput with top ranked pairs per row (at most 5,000).
func benchInputTop(n, top int) (*data.CSR, []byte) {
	rng := rand.New(rand.NewPCG(1, 2))
	const c = 10000
	truth := data.NewCSR(c, n, int64(3*n), true)
	var buf bytes.Buffer
	buf.Grow(n * 12 * top)
	for i := 0; i < n; i++ {
		a := int32(rng.IntN(c - 2))
		truth.AppendRow([]int32{a, a + 1, a + 2}, nil)
		b := buf.AvailableBuffer()
		for r := 0; r < top; r++ {
			if r > 0 {
				b = append(b, ' ')
			}
			b = strconv.AppendInt(b, int64((a+int32(2*r))%c), 10)
			b = append(b, ':')
			b = strconv.AppendFloat(b, 0.9-0.9*float64(r)/float64(top), 'f', 4, 32)
		}
		b = append(b, '\n')
		buf.Write(b)
	}
	return truth, buf.Bytes()
}

// BenchmarkEval1M parses and evaluates 10^6 prediction rows (P, nDCG, PSP,
// PSnDCG, R at 1, 3, 5) from memory.
func BenchmarkEval1M(b *testing.B) {
	truth, pred := benchInput(1_000_000)
	w, _ := InvPropensity(truth.ColumnCounts(), truth.Rows, PropensityDefault)
	b.SetBytes(int64(len(pred)))
	b.ReportAllocs()
	for b.Loop() {
		ev, _ := NewEvaluator(Options{InvPropensity: w})
		pr, err := NewPredReader(bytes.NewReader(pred), "bench")
		if err != nil {
			b.Fatal(err)
		}
		if err := Run(pr, truth, ev, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvalTop100 parses and evaluates 10^5 rows of 100 predictions
// each (mhe predict --k 100 for PSP@100-style tables): the rows are long
// enough for the reader's repeat check to use its row stamps.
func BenchmarkEvalTop100(b *testing.B) {
	truth, pred := benchInputTop(100_000, 100)
	b.SetBytes(int64(len(pred)))
	b.ReportAllocs()
	for b.Loop() {
		ev, _ := NewEvaluator(Options{K: []int{1, 3, 5, 10, 100}})
		pr, err := NewPredReader(bytes.NewReader(pred), "bench")
		if err != nil {
			b.Fatal(err)
		}
		if err := Run(pr, truth, ev, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompare times eval --against's statistics on n rows (P, nDCG, R
// at 1, 3, 5; 1000 bootstrap resamples and 1000 random swaps), with the
// rows' statistics already kept: resampled rows per second is the figure.
func BenchmarkCompare(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(3, 4))
			ea, _ := NewEvaluator(Options{KeepRows: true})
			eb, _ := NewEvaluator(Options{KeepRows: true})
			for range n {
				truth := []int32{int32(rng.IntN(100))}
				ea.Add(truth, []int32{int32(rng.IntN(100)), truth[0]})
				eb.Add(truth, []int32{truth[0], int32(rng.IntN(100))})
			}
			const resamples = 1000
			for b.Loop() {
				if _, err := Compare(ea, eb, CompareOptions{Resamples: resamples, Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(2*resamples*n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
