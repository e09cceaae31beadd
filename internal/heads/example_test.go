package heads_test

import (
	"fmt"

	"github.com/mhe-xlc/mhe/internal/heads"
)

// A worker ranks the top k labels from one row's logits, and scores any
// labels it is given, ranked or not: an ensemble averages its members'
// scores of the labels any member ranked.
func ExampleWorker_Score() {
	h, _ := heads.NewVanillaHead(4, heads.LossBCE)
	w := h.NewWorker()
	logits := []float32{2, -1, 0, 1}
	labels, scores := make([]int32, 2), make([]float32, 2)
	n := w.Predict(logits, 2, labels, scores)
	for i := range n {
		fmt.Printf("top %d: label %d, %.4f\n", i+1, labels[i], scores[i])
	}
	others := []int32{2, 1}
	w.Score(logits, others, scores)
	for i, l := range others {
		fmt.Printf("label %d: %.4f\n", l, scores[i])
	}
	// Output:
	// top 1: label 0, 0.8808
	// top 2: label 3, 0.7311
	// label 2: 0.5000
	// label 1: 0.2689
}
