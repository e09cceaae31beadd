package heads

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Score gives every label the score Predict gives it when it ranks all
// labels (up to float rounding: another summation order), for each head
// and loss; with a narrow MHC beam, labels Predict never reaches are scored
// too. Ensembles add their members' Score of one candidate list.
func TestScoreMatchesPredict(t *testing.T) {
	codec, _ := NewCodec(19, []int{5, 4})
	codec3, _ := NewCodec(23, []int{4, 3, 2})
	last := mustMHC(t, codec, 0, 6, 5)
	last.LastOnly = true
	for name, c := range map[string]struct {
		head Head
	}{
		"vanilla softmax":   {head: mustVanilla(19, LossSoftmax)},
		"vanilla bce":       {head: mustVanilla(19, LossBCE)},
		"mhp softmax":       {head: mustMHP(codec, LossSoftmax)},
		"mhp softmargin":    {head: mustMHP(codec, LossSoftMargin)},
		"mhs bce":           {head: newTestMHS(t, 19, 5, 2, LossBCE)},
		"mhs softmax":       {head: newTestMHS(t, 19, 5, 2, LossSoftmax)},
		"mhc bottleneck":    {head: newTestMHC(t, 19, []int{5, 4}, 6, 5)},
		"mhc passthrough":   {head: mustMHC(t, codec, 0, 6, 5)},
		"mhc last only":     {head: last},
		"mhc three levels":  {head: mustMHC(t, codec3, 5, 0, 4)},
		"mhc three, beam 2": {head: mustMHC(t, codec3, 5, 0, 2)},
	} {
		t.Run(name, func(t *testing.T) {
			n := c.head.NumLabels()
			rng := rand.New(rand.NewPCG(9, 9))
			z := make([]float32, c.head.Outputs())
			for i := range z {
				z[i] = 4*rng.Float32() - 2
			}
			w := c.head.NewWorker()
			ys, ss := make([]int32, n), make([]float32, n)
			got := w.Predict(z, n, ys, ss)
			if got == 0 {
				t.Fatal("Predict returned no labels")
			}
			scores := make([]float32, got)
			w.Score(z, ys[:got], scores)
			for i := range got {
				if d := math.Abs(float64(scores[i] - ss[i])); d > 1e-6*math.Max(1, float64(ss[i])) {
					t.Errorf("label %d: Score %v, Predict %v", ys[i], scores[i], ss[i])
				}
			}
			// Every label has a score in [0, 1], reached or not.
			all := make([]int32, n)
			for i := range all {
				all[i] = int32(i)
			}
			every := make([]float32, n)
			w.Score(z, all, every)
			for l, s := range every {
				if !(s >= 0 && s <= 1) {
					t.Errorf("label %d: score %v outside [0, 1]", l, s)
				}
			}
		})
	}
}

// mustMHC is a cascade over codec with bottleneck dh (0: none, encoder
// width d) and the given beam.
func mustMHC(t *testing.T, codec *Codec, dh, d, beam int) *MHCHead {
	t.Helper()
	h, err := NewMHCHead(codec, dh, d, beam, true, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
