package heads

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/mhe-xlc/mhe/internal/nn"
)

// SampledHead is a head that trains each step on a selection of its
// outputs (MHS). The trainer calls Select before the forward pass, the net
// computes only the selected blocks, and the workers' Loss sees that
// blocked layout; prediction uses every output.
type SampledHead interface {
	Head
	// Select chooses the blocks of a batch from its rows' labels; keys
	// identify the rows (their dataset positions) and stream the step, so
	// the sample depends on the seed, step and rows only.
	Select(labels [][]int32, keys []int, stream uint64) *nn.Blocks
}

// MHSHead is multi-head sampling (SPEC §8): the full C-way classifier cut
// into contiguous groups ("heads") of ⌈C/H⌉ labels. A training step
// computes only the union of the groups that hold the batch's labels plus
// negative groups drawn uniformly so that every row sees S groups (MHS-S);
// prediction uses the whole classifier.
type MHSHead struct {
	c, groups, size int
	samples         int
	loss            Loss
	seed            uint64
	vanilla         *VanillaHead

	// Training state (Select), allocated on first use: prediction needs none.
	blk  nn.Blocks
	slot []int32 // group -> position in blk.IDs, -1 when not selected
	own  []int32 // one row's groups
	pcg  *rand.PCG
	rng  *rand.Rand
}

// NewMHSHead returns the MHS head for codec (lengths [groups, size]) with S
// = samples groups per row, trained with loss (softmax or bce).
func NewMHSHead(codec *Codec, samples int, loss Loss, seed uint64) (*MHSHead, error) {
	if codec.Heads() != 2 {
		return nil, fmt.Errorf("%w: mhs lengths are [groups, group size]", ErrPlan)
	}
	if loss != LossSoftmax && loss != LossBCE {
		return nil, fmt.Errorf("%w: the mhs head is trained with softmax or bce, not %q", ErrPlan, loss)
	}
	c := codec.NumLabels()
	van, err := NewVanillaHead(c, loss)
	if err != nil {
		return nil, err
	}
	h := &MHSHead{c: c, groups: int(codec.LevelSize(0)), size: codec.Length(1), samples: max(samples, 1), loss: loss, seed: seed, vanilla: van}
	h.blk = nn.Blocks{Size: h.size, Total: c}
	return h, nil
}

func (h *MHSHead) Outputs() int   { return h.c }
func (h *MHSHead) NumLabels() int { return h.c }

// Groups is the number of groups H and their size.
func (h *MHSHead) Groups() (groups, size int) { return h.groups, h.size }

// Select draws the step's groups: every row's positive groups, then
// uniformly drawn other groups until the row has S (a stream seeded by the
// run seed, the step and the row's key).
func (h *MHSHead) Select(labels [][]int32, keys []int, stream uint64) *nn.Blocks {
	if h.slot == nil {
		h.slot = make([]int32, h.groups)
		for i := range h.slot {
			h.slot[i] = -1
		}
		h.pcg = rand.NewPCG(0, 0)
		h.rng = rand.New(h.pcg)
	}
	for _, g := range h.blk.IDs {
		h.slot[g] = -1
	}
	h.blk.IDs = h.blk.IDs[:0]
	add := func(g int32) { // slot 0 marks "selected" until the positions are set
		if h.slot[g] < 0 {
			h.slot[g] = 0
			h.blk.IDs = append(h.blk.IDs, g)
		}
	}
	own := h.own
	for i, ls := range labels {
		own = own[:0]
		for _, l := range ls {
			g := l / int32(h.size)
			if !slices.Contains(own, g) {
				own = append(own, g)
			}
			add(g)
		}
		need := h.samples - len(own)
		if need <= 0 {
			continue
		}
		need = min(need, h.groups-len(own))
		h.pcg.Seed(h.seed^stream*0x9e3779b97f4a7c15, uint64(keys[i]))
		for need > 0 {
			g := int32(h.rng.IntN(h.groups))
			if slices.Contains(own, g) {
				continue
			}
			own = append(own, g)
			add(g)
			need--
		}
	}
	h.own = own
	// Ascending group order: the layout does not depend on row order.
	slices.Sort(h.blk.IDs)
	for i, g := range h.blk.IDs {
		h.slot[g] = int32(i)
	}
	return &h.blk
}

func (h *MHSHead) NewWorker() Worker {
	return &mhsWorker{h: h, pred: h.vanilla.NewWorker()}
}

type mhsWorker struct {
	h    *MHSHead
	pred Worker
}

// Loss sees the blocked layout of the current selection: position
// slot(g)·size + t is label g·size + t. Columns of the short last group
// beyond C are not labels and get no gradient; being the last group, it is
// the last block (IDs are ascending), so they are the row's tail.
func (w *mhsWorker) Loss(_ int, z, dz []float32, labels []int32, scale float32) float32 {
	h := w.h
	size := h.size
	pos := func(l int32) int { return int(h.slot[l/int32(size)])*size + int(l)%size }
	clear(dz)
	if ids := h.blk.IDs; len(ids) > 0 && int(ids[len(ids)-1]) == h.groups-1 {
		n := len(z) - (h.groups*size - h.c)
		z, dz = z[:n], dz[:n]
	}
	if h.loss == LossBCE {
		var loss float64
		for p, v := range z {
			s, sp := sigmoidSoftplus(v)
			dz[p] = scale * s
			loss += sp
		}
		for _, l := range labels {
			p := pos(l)
			dz[p] -= scale
			loss -= float64(z[p])
		}
		return float32(loss)
	}
	if len(labels) == 0 {
		return 0
	}
	// Softmax over the selected labels (uniform target over the row's).
	m := float32(math.Inf(-1))
	for _, v := range z {
		m = max(m, v)
	}
	var sum float64
	for p, v := range z {
		e := math.Exp(float64(v - m))
		dz[p] = float32(e)
		sum += e
	}
	inv := float32(1 / sum)
	lse := float64(m) + math.Log(sum)
	t := 1 / float32(len(labels))
	var loss float64
	for p := range dz {
		dz[p] *= inv
	}
	for _, l := range labels {
		p := pos(l)
		dz[p] -= t
		loss -= float64(t) * (float64(z[p]) - lse)
	}
	for p := range dz {
		dz[p] *= scale
	}
	return float32(loss)
}

// Predict ranks every label, as the vanilla classifier does.
func (w *mhsWorker) Predict(z []float32, k int, labels []int32, scores []float32) int {
	return w.pred.Predict(z, k, labels, scores)
}
