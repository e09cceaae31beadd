package heads

import (
	"math"
	"math/rand/v2"
	"testing"
)

// gradCheck compares a head's analytic gradient with central differences.
func gradCheck(t *testing.T, h Head, labels []int32) {
	t.Helper()
	gradCheckWorker(t, h.NewWorker(), h.Outputs(), labels)
}

// gradCheckWorker checks a worker's loss gradient over width logits and
// returns the analytic gradient.
func gradCheckWorker(t *testing.T, w Worker, width int, labels []int32) []float32 {
	t.Helper()
	rng := rand.New(rand.NewPCG(9, 9))
	z := make([]float32, width)
	for i := range z {
		z[i] = 2*rng.Float32() - 1
	}
	dz := make([]float32, len(z))
	w.Loss(0, z, dz, labels, 1)
	scratch := make([]float32, len(z))
	for i := range z {
		old := z[i]
		z[i] = old + 1e-3
		up := w.Loss(0, z, scratch, labels, 1)
		z[i] = old - 1e-3
		down := w.Loss(0, z, scratch, labels, 1)
		z[i] = old
		if num := (up - down) / 2e-3; !(math.Abs(float64(num-dz[i])) <= 5e-3) {
			t.Fatalf("d/dz[%d] = %v, numerical %v", i, dz[i], num)
		}
	}
	return dz
}

func TestHeadGradients(t *testing.T) {
	codec, _ := NewCodec(20, []int{5, 4})
	for name, c := range map[string]struct {
		head   Head
		labels []int32
	}{
		"vanilla softmax single": {mustVanilla(20, LossSoftmax), []int32{7}},
		"vanilla softmax multi":  {mustVanilla(20, LossSoftmax), []int32{1, 7, 19}},
		"vanilla bce":            {mustVanilla(20, LossBCE), []int32{1, 7, 19}},
		"vanilla bce empty":      {mustVanilla(20, LossBCE), nil},
		"mhp single":             {mustMHP(codec, LossSoftmax), []int32{13}},
		"mhp multi":              {mustMHP(codec, LossSoftmax), []int32{2, 13, 19}},
		"mhp softmargin":         {mustMHP(codec, LossSoftMargin), []int32{2, 13}},
	} {
		t.Run(name, func(t *testing.T) { gradCheck(t, c.head, c.labels) })
	}
}

func mustVanilla(c int, l Loss) Head {
	h, err := NewVanillaHead(c, l)
	if err != nil {
		panic(err)
	}
	return h
}

func mustMHP(codec *Codec, l Loss) Head {
	h, err := NewMHPHead(codec, l)
	if err != nil {
		panic(err)
	}
	return h
}

func TestHeadPredict(t *testing.T) {
	// Vanilla: top-k by logit, probabilities that sum to 1 over all labels.
	v := mustVanilla(5, LossSoftmax).NewWorker()
	ys, ss := make([]int32, 3), make([]float32, 3)
	n := v.Predict([]float32{0.1, 3, -1, 3, 2}, 3, ys, ss)
	if n != 3 || ys[0] != 1 || ys[1] != 3 || ys[2] != 4 {
		t.Errorf("vanilla top-3 = %v (ties: lower id first)", ys[:n])
	}
	// MHP: the top-1 is the per-head argmax recombined (seed Eq. 11), and a
	// padding code is never returned.
	codec, _ := NewCodec(7, []int{3, 3}) // codes 7, 8 are padding
	m := mustMHP(codec, LossSoftmax).NewWorker()
	z := []float32{0, 0, 5, 0, 0, 5} // argmaxes 2 and 2 -> code 8 (padding)
	n = m.Predict(z, 2, ys, ss)
	for _, y := range ys[:n] {
		if y >= 7 {
			t.Fatalf("padding code %d predicted", y)
		}
	}
	if ys[0] != 6 && ys[0] != 5 && ys[0] != 2 { // three valid codes tie at 5+0
		t.Errorf("best valid code = %d", ys[0])
	}
	z = []float32{0, 4, 0, 0, 0, 4} // argmaxes 1, 2 -> 1*3+2 = 5
	m.Predict(z, 1, ys, ss)
	if ys[0] != 5 {
		t.Errorf("MHP top-1 = %d, want 5", ys[0])
	}
	if _, err := NewVanillaHead(5, LossSoftMargin); err == nil {
		t.Error("vanilla softmargin should be refused")
	}
	if _, err := NewMHPHead(codec, LossBCE); err == nil {
		t.Error("mhp bce should be refused")
	}
}
