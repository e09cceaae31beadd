package eval_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/eval"
	"github.com/mhe-xlc/mhe/internal/report"
)

// Evaluate ranked predictions row by row.
func ExampleEvaluator() {
	ev, _ := eval.NewEvaluator(eval.Options{K: []int{1, 3}})
	ev.Add([]int32{0, 2}, []int32{2, 1, 0}) // true labels {0,2}; predicted 2, 1, 0
	ev.Add([]int32{1}, []int32{3, 1})       // a hit at rank 2
	res := ev.Result()
	for _, m := range res.Metrics {
		fmt.Printf("%s %.4f\n", m.Name, m.Value)
	}
	// Output:
	// p@1 0.5000
	// p@3 0.5000
	// ndcg@1 0.5000
	// ndcg@3 0.7753
	// r@1 0.2500
	// r@3 1.0000
}

// Inverse propensities from training label counts (Jain et al. 2016).
func ExampleInvPropensity() {
	w, _ := eval.InvPropensity([]int64{1, 10, 1000}, 15539, eval.PropensityDefault)
	fmt.Printf("%.4f %.4f %.4f\n", w[0], w[1], w[2])
	// Output: 9.6511 4.7373 1.3203
}

// Evaluate a prediction file against a truth file, as mhe eval does.
func ExampleRun() {
	truth, _ := data.Read(strings.NewReader("2 4 3\n0,2 0:1\n1 3:1\n"), "truth.txt", data.ReadOptions{})
	pr, _ := eval.NewPredReader(strings.NewReader("2:0.9 1:0.5\n0:0.8 1:0.7\n"), "pred.txt")
	ev, _ := eval.NewEvaluator(eval.Options{K: []int{1, 2}})
	if err := eval.Run(pr, truth.Y, ev, nil); err != nil {
		fmt.Println(err)
		return
	}
	res := ev.Result()
	fmt.Println(res.Summary())
	res.Grid().Write(os.Stdout, report.Table)
	// Output:
	// rows: 2 evaluated; 0 without true labels: rows without true labels count as 0 in every metric (pyxclib)
	// metric     @1     @2
	// P       50.00  50.00
	// nDCG    50.00  62.20
	// R       25.00  75.00
}

// Write predictions as mhe predict does, with a pyxclib header, keeping the
// labels that score at least 0.5.
func ExamplePredWriter() {
	pw := eval.NewPredWriter(os.Stdout, nil, 0.5)
	pw.Header(2, 3)
	pw.Write([]int32{2, 1, 0}, []float32{0.9, 0.5, 0.125})
	pw.Write([]int32{0, 1}, []float32{0.75, 0.25})
	pw.Flush()
	// Output:
	// 2 3
	// 2:0.900000 1:0.500000
	// 0:0.750000
}
