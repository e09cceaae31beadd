package heads

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// Reference losses in float64, from the definitions (SPEC §5, §9).

func refSoftplus(x float64) float64 { return math.Log1p(math.Exp(-math.Abs(x))) + math.Max(x, 0) }
func refSigmoid(x float64) float64  { return 1 / (1 + math.Exp(-x)) }

// refSoftmaxCE is the cross-entropy of softmax(z) against the uniform
// distribution over labels, and its gradient p - t.
func refSoftmaxCE(z []float32, labels []int32) (float64, []float64) {
	m := math.Inf(-1)
	for _, v := range z {
		m = math.Max(m, float64(v))
	}
	s := 0.0
	for _, v := range z {
		s += math.Exp(float64(v) - m)
	}
	lse := m + math.Log(s)
	grad := make([]float64, len(z))
	for i, v := range z {
		grad[i] = math.Exp(float64(v) - lse)
	}
	loss := 0.0
	for _, l := range labels {
		t := 1 / float64(len(labels))
		loss -= t * (float64(z[l]) - lse)
		grad[l] -= t
	}
	return loss, grad
}

// refBCE is Σ softplus(z_i) - y_i·z_i with targets y, and σ(z) - y.
func refBCE(z []float32, y []float64) (float64, []float64) {
	loss, grad := 0.0, make([]float64, len(z))
	for i, v := range z {
		x := float64(v)
		loss += refSoftplus(x) - y[i]*x
		grad[i] = refSigmoid(x) - y[i]
	}
	return loss, grad
}

// Each head's loss and gradient against the definitions, for one label,
// several, and none: which loss a head trains with changes both, and a
// gradient check alone cannot tell the losses apart.
func TestLossValues(t *testing.T) {
	codec, err := NewCodec(12, []int{4, 3})
	if err != nil {
		t.Fatal(err)
	}
	z := []float32{0.7, -1.2, 2.5, 0.1, -0.4, 1.9, -2.2, 0.3, 0.05, -0.9, 1.1, -0.6}
	mhpZ := z[:7] // 4 + 3 digit logits
	// digitTargets: per head, the share of the labels with each digit
	// (softmax), or 1 where any label has it (softmargin).
	digitTargets := func(labels []int32, share bool) []float64 {
		y := make([]float64, 7)
		d := make([]int32, 2)
		for _, l := range labels {
			codec.Encode(int(l), d)
			for hd, off := range []int{0, 4} {
				if share {
					y[off+int(d[hd])] += 1 / float64(len(labels))
				} else {
					y[off+int(d[hd])] = 1
				}
			}
		}
		return y
	}
	for _, labels := range [][]int32{{5}, {2, 5, 11}, {}} {
		for _, tc := range []struct {
			name string
			head Head
			z    []float32
			want func() (float64, []float64)
		}{
			{"vanilla softmax", mustVanilla(12, LossSoftmax), z, func() (float64, []float64) {
				if len(labels) == 0 {
					return 0, make([]float64, len(z))
				}
				return refSoftmaxCE(z, labels)
			}},
			{"vanilla bce", mustVanilla(12, LossBCE), z, func() (float64, []float64) {
				y := make([]float64, len(z))
				for _, l := range labels {
					y[l] = 1
				}
				return refBCE(z, y)
			}},
			{"mhp softmax", mustMHP(codec, LossSoftmax), mhpZ, func() (float64, []float64) {
				if len(labels) == 0 {
					return 0, make([]float64, len(mhpZ))
				}
				// Per head: the cross-entropy of its softmax against the
				// digits' shares, gradient p - y.
				y := digitTargets(labels, true)
				loss, grad := 0.0, []float64{}
				for _, seg := range [][2]int{{0, 4}, {4, 7}} {
					_, p := refSoftmaxCE(mhpZ[seg[0]:seg[1]], nil)
					for i := range p {
						loss -= y[seg[0]+i] * math.Log(p[i])
						grad = append(grad, p[i]-y[seg[0]+i])
					}
				}
				return loss, grad
			}},
			{"mhp softmargin", mustMHP(codec, LossSoftMargin), mhpZ, func() (float64, []float64) {
				return refBCE(mhpZ, digitTargets(labels, false))
			}},
		} {
			t.Run(fmt.Sprintf("%s %v", tc.name, labels), func(t *testing.T) {
				const scale = 0.5
				dz := make([]float32, len(tc.z))
				for i := range dz {
					dz[i] = 99 // every entry must be written
				}
				loss := tc.head.NewWorker().Loss(0, tc.z, dz, labels, scale)
				wantLoss, wantGrad := tc.want()
				if !(math.Abs(float64(loss)-wantLoss) <= 1e-5*(1+wantLoss)) {
					t.Errorf("loss %v, want %v", loss, wantLoss)
				}
				for i := range dz {
					if !(math.Abs(float64(dz[i])-scale*wantGrad[i]) <= 1e-6) {
						t.Errorf("gradient %d: %v, want %v", i, dz[i], scale*wantGrad[i])
					}
				}
			})
		}
	}
}

// Predicted scores are the model's probabilities: a softmax head's over
// all labels sum to 1 (an MHP product of per-head softmaxes too, on a
// codec without padding); a sigmoid head's are σ of the logits (MHP
// softmargin: the product over the label's digits), best first.
func TestPredictScores(t *testing.T) {
	codec, err := NewCodec(12, []int{4, 3})
	if err != nil {
		t.Fatal(err)
	}
	z := []float32{0.7, -1.2, 2.5, 0.1, -0.4, 1.9, -2.2, 0.3, 0.05, -0.9, 1.1, -0.6}
	mhpZ := z[:7]
	d := make([]int32, 2)
	for _, tc := range []struct {
		name  string
		head  Head
		z     []float32
		prob  func(l int) float64 // the label's probability, nil: sums to 1
		sumTo bool
	}{
		{"vanilla softmax", mustVanilla(12, LossSoftmax), z, nil, true},
		{"vanilla bce", mustVanilla(12, LossBCE), z, func(l int) float64 { return refSigmoid(float64(z[l])) }, false},
		{"mhp softmax", mustMHP(codec, LossSoftmax), mhpZ, nil, true},
		{"mhp softmargin", mustMHP(codec, LossSoftMargin), mhpZ, func(l int) float64 {
			codec.Encode(l, d)
			return refSigmoid(float64(mhpZ[d[0]])) * refSigmoid(float64(mhpZ[4+d[1]]))
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.head.NewWorker()
			labels, scores := make([]int32, 12), make([]float32, 12)
			n := w.Predict(tc.z, 12, labels, scores)
			if n != 12 {
				t.Fatalf("%d predictions, want 12", n)
			}
			sum := 0.0
			for i := range n {
				sum += float64(scores[i])
				if i > 0 && scores[i] > scores[i-1] {
					t.Errorf("rank %d scores %v above rank %d's %v", i, scores[i], i-1, scores[i-1])
				}
				if tc.prob != nil {
					if want := tc.prob(int(labels[i])); !(math.Abs(float64(scores[i])-want) <= 1e-6) {
						t.Errorf("label %d scores %v, want %v", labels[i], scores[i], want)
					}
				}
			}
			if tc.sumTo && !(math.Abs(sum-1) <= 1e-5) {
				t.Errorf("scores sum to %v, want 1", sum)
			}
			// Score gives the same numbers for the same labels.
			again := make([]float32, n)
			w.Score(tc.z, labels[:n], again)
			for i := range n {
				if !(math.Abs(float64(again[i]-scores[i])) <= 1e-6) {
					t.Errorf("Score of label %d: %v, Predict's %v", labels[i], again[i], scores[i])
				}
			}
			if sorted := slices.Sorted(slices.Values(labels[:n])); sorted[0] != 0 || sorted[11] != 11 || len(slices.Compact(sorted)) != 12 {
				t.Errorf("labels %v are not the 12 labels, each once", labels[:n])
			}
		})
	}
}
