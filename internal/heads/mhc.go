package heads

import (
	"fmt"
	"slices"

	"github.com/mhe-xlc/mhe/internal/nn"
)

// How MHC ranks the candidates of its last level.
const (
	// PathProduct is the product of the sigmoids along the path (the
	// paper's σ(label)·σ(group)).
	PathProduct = "product"
	// PathLast is the last level's sigmoid alone: the beam only proposes
	// candidates. With teacher-forced training the last level has learnt
	// to tell the labels of beam nodes apart, so multiplying by the group
	// probability counts the group twice; on small label sets this ranks
	// better (see configs/bibtex-mhc.yaml).
	PathLast = "last"
)

// TrainableHead is a head with parameters of its own, updated from the
// gradients its workers record during a batch (MHC's node embeddings).
type TrainableHead interface {
	Head
	// Params lists the head's tensors.
	Params() []*nn.Param
	// BeginBatch prepares the gradient records of a batch of n rows.
	BeginBatch(n int)
	// Update applies one optimiser step from the records; logits are the
	// batch's logits (n × Outputs), as the workers saw them.
	Update(pool *nn.Pool, opt *nn.Optimizer, logits []float32, lr float32)
}

// MHCHead is the multi-head cascade (SPEC §6). The shared linear layer
// produces, per example, L_1 level-1 logits followed by one query vector
// g_h = P_h f of width d_h for every further level. Level h scores the
// children of the beam kept at level h−1 as ⟨E_h[n], g_h⟩ + b_h[n], with one
// embedding row per level-h node. A path scores the product of its
// sigmoids; training uses teacher forcing (the true nodes enter the beam
// first, then the hardest others) and BCE on every scored node.
type MHCHead struct {
	codec *Codec
	// q is the width of the query vectors: the bottleneck d_h, or the
	// encoder width d when there is no projection (passthrough).
	q           int
	passthrough bool
	beam        int
	// LastOnly ranks the final candidates by the last level's sigmoid alone
	// instead of the product along the path (PathLast).
	LastOnly bool
	// PredictBeam is the beam width prediction keeps at every level but
	// the last; 0 keeps the training beam. A wider beam scores more
	// candidates: slower, and closer to the exact top-K of the path scores
	// (exact once it holds every node of every level but the last).
	PredictBeam int
	outputs     int
	// E[i] and B[i] belong to level i+1 (0-based levels; level 0 is the
	// linear layer's): LevelSize × d_h embeddings and LevelSize × 1 biases.
	E, B []*nn.Param

	rows  [][]nodeGrad // gradient records per row of the current batch
	all   [][]nodeGrad // their buffers, kept between batches
	upd   []levelUpdate
	gbufs [][]float32
	// denseLimit is denseGradFloats (tests lower it to take the sparse
	// path on small tables).
	denseLimit int
}

type nodeGrad struct {
	level int32
	node  int32
	coef  float32
}

type levelUpdate struct {
	slot    []int32 // node -> position in nodes, -1 when absent
	nodes   []int32
	starts  []int
	entries []nn.RowCoef
	cursor  []int
	parts   []nodeRange
	bounds  [][2]int32 // per row and range: its records of the level
	// A small table's gradient (updateDense): rows × width, a bias per
	// row, and which rows the batch touched.
	grad    []float32
	bias    []float32
	touched []bool
}

// nodeRange is one of Update's node ranges: its nodes in ascending order,
// their record counts, and where its nodes start in levelUpdate.nodes.
type nodeRange struct {
	nodes  []int32
	counts []int
	first  int
	seen   []int // counts in the order the nodes were first seen (scratch)
}

// sortNodes puts the range's nodes, first seen in the order of the batch's
// records, in ascending order (nn.SortIDs), carrying their counts and
// slots along, so that the optimizer's steps walk the tables' rows forwards
// through memory: on Amazon-3M's last level a batch reaches about 1.6
// million of 2.8 million rows. Each node keeps its records, so the bits are
// the same.
func (pt *nodeRange) sortNodes(slot []int32, lo, hi int) {
	pt.seen = append(pt.seen[:0], pt.counts...)
	pt.nodes = nn.SortIDs(pt.nodes, slot, lo, hi)
	for i, node := range pt.nodes {
		pt.counts[i] = pt.seen[slot[node]]
		slot[node] = int32(i)
	}
}

// NewMHCHead returns the cascade for codec (H >= 2) with bottleneck width
// dh and beam width beam. dh = 0 means no projection: levels >= 2 score the
// encoder output f (width d) itself, ⟨E_h[n], f⟩ + b_h[n], and the net
// passes f through (see Passthrough). With alloc the embeddings are
// allocated and initialised from seed; otherwise only shaped (bound to a
// loaded file).
func NewMHCHead(codec *Codec, dh, d, beam int, alloc bool, seed uint64, pool *nn.Pool) (*MHCHead, error) {
	if codec.Heads() < 2 {
		return nil, fmt.Errorf("%w: a cascade needs at least two heads", ErrPlan)
	}
	if dh < 0 || beam < 1 || (dh == 0 && d < 1) {
		return nil, fmt.Errorf("%w: bottleneck width %d and beam %d must be >= 1 (or bottleneck 0: no projection)", ErrPlan, dh, beam)
	}
	q := dh
	if dh == 0 {
		q = d
	}
	h := &MHCHead{codec: codec, q: q, passthrough: dh == 0, beam: beam, outputs: codec.Length(0) + (codec.Heads()-1)*q,
		denseLimit: denseGradFloats}
	for lv := 1; lv < codec.Heads(); lv++ {
		n := int(codec.LevelSize(lv))
		e := nn.NewParamShape(fmt.Sprintf("mhc.%d.emb", lv), n, q, true, alloc)
		b := nn.NewParamShape(fmt.Sprintf("mhc.%d.bias", lv), n, 1, false, alloc)
		if alloc {
			e.InitUniform(pool, seed, q, q, 1)
		}
		h.E = append(h.E, e)
		h.B = append(h.B, b)
	}
	return h, nil
}

func (h *MHCHead) Outputs() int { return h.outputs }

// Tables lists the label tables of levels 2 and up: each level's
// embeddings, then its biases. They are updated a row at a time, so their
// optimizer state may be kept by rows (nn.Param.RowState).
func (h *MHCHead) Tables() []*nn.Param {
	var ps []*nn.Param
	for lv := range h.E {
		ps = append(ps, h.E[lv], h.B[lv])
	}
	return ps
}

// Passthrough reports how many copies of the encoder output f (of width
// width) end each row of logits instead of learned projections: H−1 without
// a bottleneck, else 0.
func (h *MHCHead) Passthrough() (copies, width int) {
	if !h.passthrough {
		return 0, 0
	}
	return h.codec.Heads() - 1, h.q
}

func (h *MHCHead) NumLabels() int { return h.codec.NumLabels() }

// Codec returns the label codec.
func (h *MHCHead) Codec() *Codec { return h.codec }

// Params lists the embeddings and biases, level by level.
func (h *MHCHead) Params() []*nn.Param {
	var ps []*nn.Param
	for i := range h.E {
		ps = append(ps, h.E[i], h.B[i])
	}
	return ps
}

func (h *MHCHead) NewWorker() Worker {
	return &mhcWorker{h: h, truth: make([][]int32, h.codec.Heads())}
}

// BeginBatch clears the gradient records of n rows.
func (h *MHCHead) BeginBatch(n int) {
	for len(h.all) < n {
		h.all = append(h.all, nil)
	}
	h.rows = h.all[:n]
	for i := range h.rows {
		h.rows[i] = h.rows[i][:0]
	}
}

// Update applies the recorded gradients: for every node scored in the batch,
// ∂E[n] = Σ_rows coef·g_row and ∂b[n] = Σ_rows coef, summed in row order,
// then one lazy optimiser update of that row.
//
// A small level table is summed in a dense buffer (updateDense). For a
// large one the records are grouped by node in parallel: the level's nodes
// are cut into one range per worker, and the task of a range finds its
// records in every row (sorted by node there, see appendByNode) by binary
// search, counts them, then files them in row order. Each node's sum runs
// in row order however the nodes are cut, so the result does not depend on
// the worker count. The optimizer steps a run of consecutive nodes (up to
// maxRun) in one call: on Amazon-670K's shape a batch reaches most of the
// last level's rows, and a call per row cost 13% of the step.
func (h *MHCHead) Update(pool *nn.Pool, opt *nn.Optimizer, logits []float32, lr float32) {
	levels := h.codec.Heads() - 1
	if len(h.upd) < levels {
		h.upd = make([]levelUpdate, levels)
	}
	for len(h.gbufs) < pool.Workers() {
		h.gbufs = append(h.gbufs, make([]float32, maxRun*(h.q+1)))
	}
	nparts, rows := pool.Workers(), len(h.rows)
	l1 := h.codec.Length(0)
	for lv := range levels {
		u := &h.upd[lv]
		e, b := h.E[lv], h.B[lv]
		if e.Rows*e.Cols <= h.denseLimit {
			h.updateDense(pool, opt, lv, logits, lr)
			continue
		}
		if len(u.slot) < e.Rows {
			u.slot = make([]int32, e.Rows)
			for i := range u.slot {
				u.slot[i] = -1
			}
		}
		for len(u.parts) < nparts {
			u.parts = append(u.parts, nodeRange{})
		}
		parts := u.parts[:nparts]
		u.bounds = slices.Grow(u.bounds[:0], rows*nparts)[:rows*nparts]
		per := int32((e.Rows + nparts - 1) / nparts)
		// Count: each range's nodes and their records, the nodes then sorted.
		pool.For(nparts, 1, func(_, p, _ int) {
			pt := &parts[p]
			pt.nodes, pt.counts = pt.nodes[:0], pt.counts[:0]
			for r, recs := range h.rows {
				a, z := recordRange(recs, int32(lv), int32(p)*per, int32(p+1)*per)
				u.bounds[r*nparts+p] = [2]int32{int32(a), int32(z)}
				for _, g := range recs[a:z] {
					sl := u.slot[g.node]
					if sl < 0 {
						sl = int32(len(pt.nodes))
						u.slot[g.node] = sl
						pt.nodes = append(pt.nodes, g.node)
						pt.counts = append(pt.counts, 0)
					}
					pt.counts[sl]++
				}
			}
			pt.sortNodes(u.slot, p*int(per), min((p+1)*int(per), e.Rows))
		})
		// Lay the ranges' nodes out one after another.
		u.nodes, u.starts = u.nodes[:0], u.starts[:0]
		total := 0
		for p := range parts {
			pt := &parts[p]
			pt.first = len(u.nodes)
			u.nodes = append(u.nodes, pt.nodes...)
			for _, c := range pt.counts {
				u.starts = append(u.starts, total)
				total += c
			}
		}
		u.starts = append(u.starts, total)
		if cap(u.entries) < total {
			u.entries = make([]nn.RowCoef, total)
		}
		u.entries = u.entries[:total]
		u.cursor = append(u.cursor[:0], u.starts[:len(u.nodes)]...)
		// File: rows in order, so each node's entries are in row order.
		pool.For(nparts, 1, func(_, p, _ int) {
			first := parts[p].first
			for r, recs := range h.rows {
				bd := u.bounds[r*nparts+p]
				for _, g := range recs[bd[0]:bd[1]] {
					i := first + int(u.slot[g.node])
					u.entries[u.cursor[i]] = nn.RowCoef{Row: int32(r), Coef: g.coef}
					u.cursor[i]++
				}
			}
		})
		off := l1 + lv*h.q
		stride := h.outputs
		pool.For(len(u.nodes), 16, func(w, lo, hi int) {
			buf := h.gbufs[w]
			grad, bias := buf[:maxRun*h.q], buf[maxRun*h.q:]
			// Runs of consecutive nodes (a beam node's children are
			// consecutive) take one optimizer call, their gradients side
			// by side.
			for i := lo; i < hi; {
				first := int(u.nodes[i])
				k := 0
				for ; i < hi && k < maxRun && int(u.nodes[i]) == first+k; i, k = i+1, k+1 {
					gb := grad[k*h.q : (k+1)*h.q]
					clear(gb)
					bias[k] = 0
					ents := u.entries[u.starts[i]:u.starts[i+1]]
					nn.AxpyRows(gb, ents, logits[off:], stride)
					for _, rc := range ents {
						bias[k] += rc.Coef
					}
					u.slot[first+k] = -1
				}
				opt.UpdateRows(e, first, first+k, grad[:k*h.q], lr)
				opt.UpdateRows(b, first, first+k, bias[:k], lr)
			}
		})
	}
}

// denseGradFloats is the largest level table (rows × width) whose
// gradient Update sums in a dense buffer of the table's shape, row by row,
// instead of regrouping the records by node first. Every node still sums
// its records in row order, so the two ways give the same bits; the dense
// one saves the regrouping, and scans its table's rows once a batch, which
// this bound keeps small (4 MiB of buffer).
const denseGradFloats = 1 << 20

// updateDense is Update for a small level table (denseGradFloats): the
// table's rows are cut into one range per worker, and each range's task
// walks the batch's rows in order, adding each record of its nodes, coef ×
// the row's query, to the node's gradient row, then steps the optimizer on
// the rows it touched, in ascending order (an untouched row keeps its
// optimizer state, as in the sparse path).
func (h *MHCHead) updateDense(pool *nn.Pool, opt *nn.Optimizer, lv int, logits []float32, lr float32) {
	u := &h.upd[lv]
	e, b := h.E[lv], h.B[lv]
	if len(u.grad) < e.Rows*e.Cols {
		u.grad = make([]float32, e.Rows*e.Cols)
		u.bias = make([]float32, e.Rows)
		u.touched = make([]bool, e.Rows)
	}
	q, off, stride := e.Cols, h.codec.Length(0)+lv*h.q, h.outputs
	nparts := pool.Workers()
	per := (e.Rows + nparts - 1) / nparts
	pool.For(nparts, 1, func(_, p, _ int) {
		lo, hi := min(p*per, e.Rows), min((p+1)*per, e.Rows)
		grad, bias, touched := u.grad, u.bias, u.touched
		for r, recs := range h.rows {
			a, z := recordRange(recs, int32(lv), int32(lo), int32(hi))
			query := logits[r*stride+off : r*stride+off+q]
			for _, g := range recs[a:z] {
				n := int(g.node)
				row := grad[n*q : (n+1)*q]
				if !touched[n] {
					touched[n] = true
					clear(row)
					bias[n] = 0
				}
				nn.Axpy(g.coef, query, row)
				bias[n] += g.coef
			}
		}
		// One optimizer call per run of touched rows (on small tables a
		// batch touches most of them).
		for n := lo; n < hi; {
			if !touched[n] {
				n++
				continue
			}
			m := n
			for m < hi && touched[m] {
				touched[m] = false
				m++
			}
			opt.UpdateRows(e, n, m, grad[n*q:m*q], lr)
			opt.UpdateRows(b, n, m, bias[n:m], lr)
			n = m
		}
	})
}

// maxRun is the most consecutive nodes Update steps the optimizer on in one
// call.
const maxRun = 64

// recordRange returns the span of recs (one row's records: by level, then
// by node) holding level lv and nodes [lo, hi).
func recordRange(recs []nodeGrad, lv, lo, hi int32) (int, int) {
	a := lowerBound(recs, lv, lo)
	return a, a + lowerBound(recs[a:], lv, hi)
}

// lowerBound is the first position of recs (sorted by level, then node)
// whose record is not before (lv, n): slices.BinarySearchFunc's position,
// without its comparison function's calls (Update makes two searches per
// row, range and level, every step).
func lowerBound(recs []nodeGrad, lv, n int32) int {
	i, j := 0, len(recs)
	for i < j {
		h := int(uint(i+j) >> 1)
		if g := recs[h]; g.level < lv || g.level == lv && g.node < n {
			i = h + 1
		} else {
			j = h
		}
	}
	return i
}

type mhcWorker struct {
	h      *MHCHead
	truth  [][]int32 // per level: sorted node ids holding a positive label
	beam   []int32
	bpath  []float32 // path score of each beam node (prediction)
	cand   []int32
	cscore []float32 // raw logit of each candidate
	cy     []float32 // 1 for a candidate holding a true label, else 0 (training)
	cpath  []float32
	adj    []float32
	sel    []int32
	sels   []float32
	heap   topHeap
	sig    []float32    // σ of the scored nodes (training)
	soft   []float32    // their log(1 + e^s)
	dgrad  []nn.RowCoef // each candidate's embedding row and gradient (training)
	gstart []int32      // where each beam node's children start among the candidates, then their end
	order  []int32      // beam positions by node id
}

// appendByNode appends the level's records (w.dgrad) to recs in increasing
// node order: the children of each beam node are consecutive nodes, so it
// is enough to take the beam's groups (w.gstart) by parent id. Update finds
// a node range's records of a row by binary search.
func (w *mhcWorker) appendByNode(recs []nodeGrad, lv int) []nodeGrad {
	// Beam positions by node id (the ids are distinct, so the order is
	// unique), by insertion sort: a beam is short, and even a wide one
	// costs little next to scoring its children.
	w.order = w.order[:0]
	for i, node := range w.beam {
		j := len(w.order)
		w.order = append(w.order, int32(i))
		for j > 0 && w.beam[w.order[j-1]] > node {
			w.order[j] = w.order[j-1]
			j--
		}
		w.order[j] = int32(i)
	}
	for _, gi := range w.order {
		for _, rc := range w.dgrad[w.gstart[gi]:w.gstart[gi+1]] {
			recs = append(recs, nodeGrad{level: int32(lv - 1), node: rc.Row, coef: rc.Coef})
		}
	}
	return recs
}

// truthNodes fills w.truth with the nodes of every level that hold one of
// the (sorted) labels.
func (w *mhcWorker) truthNodes(labels []int32) {
	c := w.h.codec
	for lv := range c.Heads() {
		t := w.truth[lv][:0]
		r := c.Radix(lv)
		for _, l := range labels {
			n := int32(int64(l) / r)
			if len(t) == 0 || t[len(t)-1] != n {
				t = append(t, n)
			}
		}
		w.truth[lv] = t
	}
}

// selectBeam keeps the k best candidates by adj (highest first, ties by
// position) and returns their positions in w.sel.
func (w *mhcWorker) selectBeam(adj []float32, k int) []int32 {
	k = min(k, len(adj))
	if cap(w.sel) < k {
		w.sel = make([]int32, k)
		w.sels = make([]float32, k)
	}
	w.sel, w.sels = w.sel[:k], w.sels[:k]
	var n int
	if len(adj) <= 64*k {
		n = insertTopK(adj, k, w.sel, w.sels)
	} else {
		n = w.heap.topK(adj, k, w.sel, w.sels)
	}
	return w.sel[:n]
}

func (w *mhcWorker) Loss(row int, z, dz []float32, labels []int32, scale float32) float32 {
	h, c := w.h, w.h.codec
	clear(dz)
	w.truthNodes(labels)
	var loss float64
	// Level 1: BCE over every valid node.
	n1 := int(c.LevelSize(0))
	w.adj = w.adj[:0]
	t0 := w.truth[0]
	sig, soft := w.sigmoids(z[:n1])
	for i, v := range z[:n1] {
		y := float32(0)
		if len(t0) > 0 && t0[0] == int32(i) { // truth is sorted: walk it
			y, t0 = 1, t0[1:]
		}
		s := sig[i]
		dz[i] = scale * (s - y)
		loss += float64(soft[i]) - float64(float64(y)*float64(v))
		w.adj = append(w.adj, s+y) // teacher forcing: true nodes first
	}
	w.beam = append(w.beam[:0], w.selectBeam(w.adj, h.beam)...)
	recs := h.rows[row]
	for lv := 1; lv < c.Heads(); lv++ {
		off := c.Length(0) + (lv-1)*h.q
		g, dg := z[off:off+h.q], dz[off:off+h.q]
		e, b := h.E[lv-1], h.B[lv-1]
		w.cand, w.adj, w.cscore, w.cy = w.cand[:0], w.adj[:0], w.cscore[:0], w.cy[:0]
		truth := w.truth[lv]
		w.gstart = w.gstart[:0]
		// At most a full group of children per beam node: the buffers are
		// sized once and written by index.
		most := len(w.beam) * c.Length(lv)
		w.cscore = slices.Grow(w.cscore, most)[:most]
		w.cand = slices.Grow(w.cand, most)[:most]
		w.cy = slices.Grow(w.cy, most)[:most]
		at := 0
		for _, parent := range w.beam {
			lo, hi := c.Children(int64(parent), lv)
			w.gstart = append(w.gstart, int32(at))
			m := int(hi - lo)
			scores, cand, cy := w.cscore[at:at+m], w.cand[at:at+m], w.cy[at:at+m]
			nn.DotRows(e.W[int(lo)*e.Cols:], e.Cols, g, scores) // the children's rows are consecutive
			bias := b.W[lo:hi]
			// The children are consecutive and truth is sorted: one search,
			// then a walk.
			t, _ := slices.BinarySearch(truth, int32(lo))
			for i := range scores {
				n := int32(lo) + int32(i)
				cand[i] = n
				scores[i] += bias[i]
				y := float32(0)
				if t < len(truth) && truth[t] == n {
					y, t = 1, t+1
				}
				cy[i] = y
			}
			at += m
		}
		w.cscore, w.cand, w.cy = w.cscore[:at], w.cand[:at], w.cy[:at]
		w.gstart = append(w.gstart, int32(at)) // the end of the last group
		sig, soft := w.sigmoids(w.cscore)
		w.dgrad = slices.Grow(w.dgrad[:0], at)[:at]
		w.adj = slices.Grow(w.adj, at)[:at]
		dgrad, adj, cy, cscore := w.dgrad, w.adj, w.cy, w.cscore
		for j, n := range w.cand {
			s, y := cscore[j], cy[j]
			p := sig[j]
			d := scale * (p - y)
			loss += float64(soft[j]) - float64(float64(y)*float64(s))
			dgrad[j] = nn.RowCoef{Row: n, Coef: d}
			adj[j] = p + y
		}
		nn.AxpyRows(dg, w.dgrad, e.W, e.Cols) // dg += Σ d·E[n], candidates in order
		recs = w.appendByNode(recs, lv)
		if lv < c.Heads()-1 {
			sel := w.selectBeam(w.adj, h.beam)
			w.beam = w.beam[:0]
			for _, p := range sel {
				w.beam = append(w.beam, w.cand[p])
			}
		}
	}
	h.rows[row] = recs
	h.all[row] = recs
	return float32(loss)
}

// sigmoids returns σ and softplus of every logit in z, in the worker's
// buffers (valid until the next call).
func (w *mhcWorker) sigmoids(z []float32) (sig, soft []float32) {
	w.sig = slices.Grow(w.sig[:0], len(z))[:len(z)]
	w.soft = slices.Grow(w.soft[:0], len(z))[:len(z)]
	sigmoidSoftplusSlice(z, w.sig, w.soft)
	return w.sig, w.soft
}

func (w *mhcWorker) Predict(z []float32, k int, labels []int32, scores []float32) int {
	h, c := w.h, w.h.codec
	n1 := int(c.LevelSize(0))
	w.adj = w.adj[:0]
	for _, v := range z[:n1] {
		w.adj = append(w.adj, sigmoid(v))
	}
	beam := h.beam
	if h.PredictBeam > 0 {
		beam = h.PredictBeam
	}
	sel := w.selectBeam(w.adj, beam)
	w.beam, w.bpath = w.beam[:0], w.bpath[:0]
	for i, p := range sel {
		w.beam = append(w.beam, p)
		w.bpath = append(w.bpath, w.sels[i])
	}
	for lv := 1; lv < c.Heads(); lv++ {
		off := c.Length(0) + (lv-1)*h.q
		g := z[off : off+h.q]
		e, b := h.E[lv-1], h.B[lv-1]
		w.cand, w.cpath = w.cand[:0], w.cpath[:0]
		for i, parent := range w.beam {
			lo, hi := c.Children(int64(parent), lv)
			w.cscore = slices.Grow(w.cscore[:0], int(hi-lo))[:hi-lo]
			nn.DotRows(e.W[int(lo)*e.Cols:], e.Cols, g, w.cscore)
			for n := lo; n < hi; n++ {
				s := w.cscore[n-lo] + b.W[n]
				w.cand = append(w.cand, int32(n))
				if h.LastOnly && lv == c.Heads()-1 {
					w.cpath = append(w.cpath, sigmoid(s))
				} else {
					w.cpath = append(w.cpath, w.bpath[i]*sigmoid(s))
				}
			}
		}
		width := beam
		if lv == c.Heads()-1 {
			width = k
		}
		sel := w.selectBeam(w.cpath, width)
		w.beam, w.bpath = w.beam[:0], w.bpath[:0]
		for i, p := range sel {
			w.beam = append(w.beam, w.cand[p])
			w.bpath = append(w.bpath, w.sels[i])
		}
	}
	n := min(k, len(w.beam))
	copy(labels, w.beam[:n])
	copy(scores, w.bpath[:n])
	return n
}

// Score follows each label's path: σ of its level-1 node's logit times, per
// further level, σ(⟨E_h[n], g_h⟩ + b_h[n]) of its node there (the last
// level's alone with LastOnly), as Predict scores the paths in its beam.
func (w *mhcWorker) Score(z []float32, labels []int32, scores []float32) {
	h, c := w.h, w.h.codec
	var dot [1]float32
	for i, l := range labels {
		path := sigmoid(z[c.Node(int(l), 0)])
		for lv := 1; lv < c.Heads(); lv++ {
			off := c.Length(0) + (lv-1)*h.q
			e, b := h.E[lv-1], h.B[lv-1]
			n := int(c.Node(int(l), lv))
			nn.DotRows(e.W[n*e.Cols:(n+1)*e.Cols], e.Cols, z[off:off+h.q], dot[:])
			s := sigmoid(dot[0] + b.W[n])
			if h.LastOnly && lv == c.Heads()-1 {
				path = s
			} else {
				path *= s
			}
		}
		scores[i] = path
	}
}
