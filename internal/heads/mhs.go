package heads

import (
	"fmt"
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
	return &mhsWorker{h: h, full: h.vanilla.NewWorker()}
}

// mhsWorker trains and predicts with the vanilla classifier's worker: a
// training step's logits are the selected labels', so the loss is
// vanilla's over them once the labels are mapped to their positions.
type mhsWorker struct {
	h    *MHSHead
	full Worker
	pos  []int32
}

// Loss sees the blocked layout of the current selection: position
// slot(g)·size + t is label g·size + t. Columns of the short last group
// beyond C are not labels and get no gradient; being the last group, it is
// the last block (IDs are ascending), so they are the row's tail.
func (w *mhsWorker) Loss(row int, z, dz []float32, labels []int32, scale float32) float32 {
	h := w.h
	size := int32(h.size)
	w.pos = w.pos[:0]
	for _, l := range labels {
		w.pos = append(w.pos, h.slot[l/size]*size+l%size)
	}
	if ids := h.blk.IDs; len(ids) > 0 && int(ids[len(ids)-1]) == h.groups-1 {
		n := len(z) - (h.groups*h.size - h.c)
		clear(dz[n:])
		z, dz = z[:n], dz[:n]
	}
	return w.full.Loss(row, z, dz, w.pos, scale)
}

// Predict ranks every label, as the vanilla classifier does.
func (w *mhsWorker) Predict(z []float32, k int, labels []int32, scores []float32) int {
	return w.full.Predict(z, k, labels, scores)
}

func (w *mhsWorker) Score(z []float32, labels []int32, scores []float32) {
	w.full.Score(z, labels, scores)
}
