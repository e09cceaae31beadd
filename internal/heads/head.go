package heads

import (
	"fmt"
	"math"

	"github.com/mhe-xlc/mhe/internal/detmath"
)

// Loss names the training objective of a head.
type Loss string

const (
	// LossSoftmax is softmax cross-entropy: for a single label its one-hot
	// target; for several labels the uniform distribution over them (vanilla),
	// or per head the distribution of the labels' digits (MHP, SPEC §5).
	LossSoftmax Loss = "softmax"
	// LossBCE is one-vs-all binary cross-entropy on sigmoid outputs (vanilla).
	LossBCE Loss = "bce"
	// LossSoftMargin is BCE over the concatenated one-hot digits of all heads,
	// the multilabel soft margin of the authors' CIFAR code (MHP).
	LossSoftMargin Loss = "softmargin"
)

// Head turns the logits of one example, computed by a shared linear layer,
// into a loss with its gradient and into ranked predictions. Label ids are
// internal (after the label permutation).
type Head interface {
	// Outputs is the number of logits per example.
	Outputs() int
	// NumLabels is C.
	NumLabels() int
	// NewWorker returns per-goroutine state; workers are not shared.
	NewWorker() Worker
}

// Worker evaluates one example at a time.
type Worker interface {
	// Loss writes dlogits = scale·∂loss/∂logits and returns the loss of one
	// example with the given sorted labels; row is the example's position in
	// the batch (heads with parameters of their own record their gradients
	// by row).
	Loss(row int, logits, dlogits []float32, labels []int32, scale float32) float32
	// Predict writes the k best labels (fewer if C < k) with their scores
	// (probabilities), best first, and returns how many.
	Predict(logits []float32, k int, labels []int32, scores []float32) int
	// Score writes the score Predict gives each of the given labels (valid
	// internal ids), whether or not they would rank among the top k:
	// ensembles average their members' scores of the same candidates.
	// Scores may differ from Predict's in the last bits (another
	// summation order).
	Score(logits []float32, labels []int32, scores []float32)
}

// ---- vanilla ----

// VanillaHead is the full C-way classifier (SPEC §9).
type VanillaHead struct {
	c    int
	loss Loss
}

// NewVanillaHead returns a C-way head trained with loss (softmax or bce).
func NewVanillaHead(c int, loss Loss) (*VanillaHead, error) {
	if loss != LossSoftmax && loss != LossBCE {
		return nil, fmt.Errorf("%w: the vanilla head is trained with softmax or bce, not %q", ErrPlan, loss)
	}
	return &VanillaHead{c: c, loss: loss}, nil
}

func (h *VanillaHead) Outputs() int      { return h.c }
func (h *VanillaHead) NumLabels() int    { return h.c }
func (h *VanillaHead) NewWorker() Worker { return &vanillaWorker{h: h} }

type vanillaWorker struct {
	h    *VanillaHead
	heap topHeap
}

func (w *vanillaWorker) Loss(_ int, z, dz []float32, labels []int32, scale float32) float32 {
	if w.h.loss == LossBCE {
		return bce(z, dz, labels, scale)
	}
	if len(labels) == 0 {
		clear(dz)
		return 0
	}
	lse := softmaxInto(z, dz) // dz = p
	t := 1 / float32(len(labels))
	var loss float64
	for _, l := range labels {
		dz[l] -= t
		loss -= float64(float64(t) * (float64(z[l]) - lse))
	}
	for i := range dz {
		dz[i] *= scale
	}
	return float32(loss)
}

func (w *vanillaWorker) Predict(z []float32, k int, labels []int32, scores []float32) int {
	n := w.heap.topK(z, k, labels, scores)
	if w.h.loss == LossBCE {
		for i := range n {
			scores[i] = sigmoid(scores[i])
		}
		return n
	}
	lse := logSumExp(z)
	for i := range n {
		scores[i] = float32(detmath.Exp(float64(scores[i]) - lse))
	}
	return n
}

func (w *vanillaWorker) Score(z []float32, labels []int32, scores []float32) {
	if w.h.loss == LossBCE {
		for i, l := range labels {
			scores[i] = sigmoid(z[l])
		}
		return
	}
	lse := logSumExp(z)
	for i, l := range labels {
		scores[i] = float32(detmath.Exp(float64(z[l]) - lse))
	}
}

// bce is Σ_c softplus(z_c) − y_c·z_c with gradient σ(z) − y; one
// exponential per output.
func bce(z, dz []float32, labels []int32, scale float32) float32 {
	var loss float64
	for i, v := range z {
		x := float64(v)
		e := detmath.Exp(-math.Abs(x)) // in (0, 1]
		s := 1 / (1 + e)
		if x < 0 {
			s = e * s
		}
		dz[i] = scale * float32(s)
		loss += max(x, 0) + log1pSmall(e)
	}
	for _, l := range labels {
		dz[l] -= scale
		loss -= float64(z[l])
	}
	return float32(loss)
}

// ---- MHP ----

// MHPHead is the multi-head product (SPEC §5): H heads of lengths L_h over
// one linear layer of Σ L_h outputs; label y trains head h on its digit y^h;
// prediction is the exact top-K of the product of the head distributions.
type MHPHead struct {
	codec   *Codec
	loss    Loss
	offsets []int
	outputs int
}

// NewMHPHead returns the MHP head for codec, trained with loss (softmax or
// softmargin).
func NewMHPHead(codec *Codec, loss Loss) (*MHPHead, error) {
	if loss != LossSoftmax && loss != LossSoftMargin {
		return nil, fmt.Errorf("%w: the mhp head is trained with softmax (per-head cross-entropy) or softmargin, not %q", ErrPlan, loss)
	}
	h := &MHPHead{codec: codec, loss: loss}
	for _, l := range codec.Lengths() {
		h.offsets = append(h.offsets, h.outputs)
		h.outputs += l
	}
	return h, nil
}

func (h *MHPHead) Outputs() int   { return h.outputs }
func (h *MHPHead) NumLabels() int { return h.codec.NumLabels() }

// Codec returns the label codec.
func (h *MHPHead) Codec() *Codec { return h.codec }

func (h *MHPHead) NewWorker() Worker {
	w := &mhpWorker{h: h, dec: NewProductDecoder(h.codec), digits: make([]int32, h.codec.Heads()),
		target: make([]float32, h.outputs), logp: make([]float32, h.outputs), segs: make([][]float32, h.codec.Heads())}
	return w
}

type mhpWorker struct {
	h      *MHPHead
	dec    *ProductDecoder
	digits []int32
	target []float32
	logp   []float32
	segs   [][]float32
}

// targets writes, per head, the distribution of the labels' digits
// (one-hot for a single label) into w.target.
func (w *mhpWorker) targets(labels []int32) {
	clear(w.target)
	t := 1 / float32(len(labels))
	for _, l := range labels {
		w.h.codec.Encode(int(l), w.digits)
		for hd, d := range w.digits {
			w.target[w.h.offsets[hd]+int(d)] += t
		}
	}
}

func (w *mhpWorker) Loss(_ int, z, dz []float32, labels []int32, scale float32) float32 {
	if len(labels) == 0 {
		if w.h.loss == LossSoftMargin {
			return bceTarget(z, dz, w.target[:0], scale)
		}
		clear(dz)
		return 0
	}
	w.targets(labels)
	if w.h.loss == LossSoftMargin {
		// Targets are the digits' presence (multi-hot), not their shares.
		for i, v := range w.target {
			if v > 0 {
				w.target[i] = 1
			}
		}
		return bceTarget(z, dz, w.target, scale)
	}
	var loss float64
	for hd, off := range w.h.offsets {
		l := w.h.codec.Length(hd)
		seg, dseg, tseg := z[off:off+l], dz[off:off+l], w.target[off:off+l]
		lse := softmaxInto(seg, dseg)
		for i, t := range tseg {
			if t != 0 {
				loss -= float64(float64(t) * (float64(seg[i]) - lse))
			}
			dseg[i] = scale * (dseg[i] - t)
		}
	}
	return float32(loss)
}

// bceTarget is BCE with dense targets (nil or empty target = all zero).
func bceTarget(z, dz, target []float32, scale float32) float32 {
	var loss float64
	for i, v := range z {
		y := float32(0)
		if i < len(target) {
			y = target[i]
		}
		dz[i] = scale * (sigmoid(v) - y)
		loss += softplus(v) - float64(float64(y)*float64(v))
	}
	return float32(loss)
}

func (w *mhpWorker) Predict(z []float32, k int, labels []int32, scores []float32) int {
	w.logProbs(z)
	n := w.dec.TopK(w.segs, k, labels, scores)
	for i := range n {
		scores[i] = float32(detmath.Exp(float64(scores[i])))
	}
	return n
}

// logProbs writes each head's log-probabilities of its digits into w.segs.
func (w *mhpWorker) logProbs(z []float32) {
	for hd, off := range w.h.offsets {
		l := w.h.codec.Length(hd)
		seg, lp := z[off:off+l], w.logp[off:off+l]
		if w.h.loss == LossSoftMargin {
			// Independent sigmoids: log σ(z) as the per-digit score.
			for i, v := range seg {
				lp[i] = float32(-softplus(-v))
			}
		} else {
			lse := logSumExp(seg)
			for i, v := range seg {
				lp[i] = float32(float64(v) - lse)
			}
		}
		w.segs[hd] = lp
	}
}

// Score multiplies the probabilities of each label's digits.
func (w *mhpWorker) Score(z []float32, labels []int32, scores []float32) {
	w.logProbs(z)
	for i, l := range labels {
		w.h.codec.Encode(int(l), w.digits)
		var lp float32
		for hd, d := range w.digits {
			lp += w.segs[hd][d]
		}
		scores[i] = float32(detmath.Exp(float64(lp)))
	}
}

// ---- numerics ----

func sigmoid(v float32) float32 {
	return float32(1 / (1 + detmath.Exp(-float64(v))))
}

// log1pSmall is log(1+e) for e in [0, 1] by the series
// log(1+e) = 2·atanh(t) = 2(t + t³/3 + … + t¹¹/11), t = e/(2+e) <= 1/3,
// accurate to 1e-7 absolute — it only feeds the reported loss.
func log1pSmall(e float64) float64 {
	if e < 1e-4 {
		return e - float64(float64(e*e)/2)
	}
	t := e / (2 + e)
	t2 := t * t
	q := float64(t2*(1.0/11)) + 1.0/9
	for _, c := range [...]float64{1.0 / 7, 1.0 / 5, 1.0 / 3, 1} {
		q = float64(t2*q) + c
	}
	return float64(2 * t * q)
}

// softplus is log(1 + e^v), stable for large |v|.
func softplus(v float32) float64 {
	x := float64(v)
	if x > 0 {
		return x + detmath.Log1p(detmath.Exp(-x))
	}
	return detmath.Log1p(detmath.Exp(x))
}

func logSumExp(z []float32) float64 {
	m := z[0]
	for _, v := range z[1:] {
		m = max(m, v)
	}
	var s float64
	for _, v := range z {
		s += detmath.Exp(float64(v - m))
	}
	return float64(m) + detmath.Log(s)
}

// softmaxInto writes softmax(z) into p and returns log Σ exp(z).
func softmaxInto(z, p []float32) float64 {
	m := z[0]
	for _, v := range z[1:] {
		m = max(m, v)
	}
	var s float64
	for i, v := range z {
		e := detmath.Exp(float64(v - m))
		p[i] = float32(e)
		s += e
	}
	inv := float32(1 / s)
	for i := range p[:len(z)] {
		p[i] *= inv
	}
	return float64(m) + detmath.Log(s)
}

// insertTopK writes the k largest values of z (ties: smaller index first)
// and their indices to vals and ids, best first, and returns how many
// (min(k, len(z))): the result of topHeap.topK, by insertion into the
// sorted list of the best so far. Most values lose to the list's last with
// one comparison, so for n up to about 64k it takes half the heap's time
// (BenchmarkTopKSmall); the heap wins beyond.
func insertTopK(z []float32, k int, ids []int32, vals []float32) int {
	k = min(k, len(z))
	if k <= 0 {
		return 0
	}
	ids, vals = ids[:k], vals[:k]
	n := 0
	for i, v := range z {
		if n == k {
			if !(v > vals[k-1]) { // a tie keeps the smaller index already held
				continue
			}
			n--
		}
		j := n
		for j > 0 && v > vals[j-1] {
			ids[j], vals[j] = ids[j-1], vals[j-1]
			j--
		}
		ids[j], vals[j] = int32(i), v
		n++
	}
	return n
}

// topHeap selects the k largest values (ties: smaller index first) with a
// min-heap, in O(n log k).
type topHeap struct {
	ids  []int32
	vals []float32
}

func (h *topHeap) less(i, j int) bool { // i is "worse" than j
	if h.vals[i] != h.vals[j] {
		return h.vals[i] < h.vals[j]
	}
	return h.ids[i] > h.ids[j]
}

func (h *topHeap) down(i int) {
	n := len(h.ids)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && h.less(r, l) {
			c = r
		}
		if !h.less(c, i) {
			return
		}
		h.ids[i], h.ids[c] = h.ids[c], h.ids[i]
		h.vals[i], h.vals[c] = h.vals[c], h.vals[i]
		i = c
	}
}

func (h *topHeap) topK(z []float32, k int, labels []int32, scores []float32) int {
	k = min(k, len(z))
	if k <= 0 {
		return 0
	}
	h.ids, h.vals = h.ids[:0], h.vals[:0]
	for i := range k {
		h.ids = append(h.ids, int32(i))
		h.vals = append(h.vals, z[i])
	}
	for i := k/2 - 1; i >= 0; i-- {
		h.down(i)
	}
	for i := k; i < len(z); i++ {
		v := z[i]
		if v > h.vals[0] { // ties keep the smaller index already held
			h.ids[0], h.vals[0] = int32(i), v
			h.down(0)
		}
	}
	// Pop worst-first into the output from the back.
	for n := k; n > 0; n-- {
		labels[n-1], scores[n-1] = h.ids[0], h.vals[0]
		last := len(h.ids) - 1
		h.ids[0], h.vals[0] = h.ids[last], h.vals[last]
		h.ids, h.vals = h.ids[:last], h.vals[:last]
		h.down(0)
	}
	return k
}
