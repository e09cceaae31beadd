package eval

import (
	"bytes"
	"errors"
	"io"
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
	})
}
