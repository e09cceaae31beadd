package heads

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/mhe-xlc/mhe/internal/nn"
	"gonum.org/v1/gonum/blas/blas32"
)

func newTestMHC(t *testing.T, c int, lengths []int, dh, beam int) *MHCHead {
	t.Helper()
	codec, err := NewCodec(c, lengths)
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewMHCHead(codec, dh, 0, beam, true, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	for _, b := range h.B {
		for i := range b.W {
			b.W[i] = rng.Float32() - 0.5
		}
	}
	return h
}

// The gradient with respect to the logits (level 1 and the query vectors)
// matches central differences, for a fixed beam (the beam is chosen with
// the truth first, so small perturbations do not change it).
func TestMHCGradientLogits(t *testing.T) {
	for _, lengths := range [][]int{{5, 4}, {3, 3, 3}} {
		h := newTestMHC(t, 20, lengths, 6, 2)
		gradCheckRow(t, h, []int32{2, 13})
	}
}

func gradCheckRow(t *testing.T, h Head, labels []int32) {
	t.Helper()
	rng := rand.New(rand.NewPCG(9, 9))
	w := h.NewWorker()
	th := h.(TrainableHead)
	z := make([]float32, h.Outputs())
	for i := range z {
		z[i] = 2*rng.Float32() - 1
	}
	dz := make([]float32, len(z))
	th.BeginBatch(1)
	w.Loss(0, z, dz, labels, 1)
	scratch := make([]float32, len(z))
	for i := range z {
		old := z[i]
		z[i] = old + 1e-3
		th.BeginBatch(1)
		up := w.Loss(0, z, scratch, labels, 1)
		z[i] = old - 1e-3
		th.BeginBatch(1)
		down := w.Loss(0, z, scratch, labels, 1)
		z[i] = old
		if num := (up - down) / 2e-3; !(math.Abs(float64(num-dz[i])) <= 5e-3) {
			t.Fatalf("d/dz[%d] = %v, numerical %v", i, dz[i], num)
		}
	}
}

// The embedding update uses ∂loss/∂E[n] = Σ coef·g: with plain SGD and
// lr 1 the change of every row equals minus the numerical gradient.
func TestMHCGradientEmbeddings(t *testing.T) {
	h := newTestMHC(t, 20, []int{5, 4}, 6, 2)
	rng := rand.New(rand.NewPCG(5, 5))
	z := make([]float32, h.Outputs())
	for i := range z {
		z[i] = 2*rng.Float32() - 1
	}
	labels := []int32{2, 13}
	w := h.NewWorker()
	loss := func() float64 {
		h.BeginBatch(1)
		return float64(w.Loss(0, z, make([]float32, len(z)), labels, 1))
	}
	e := h.E[0]
	num := make([]float32, len(e.W))
	for i := range e.W {
		old := e.W[i]
		e.W[i] = old + 1e-3
		up := loss()
		e.W[i] = old - 1e-3
		down := loss()
		e.W[i] = old
		num[i] = float32((up - down) / 2e-3)
	}
	before := append([]float32(nil), e.W...)
	loss()
	opt, _ := nn.NewOptimizer(nn.SGD, 0, 0)
	opt.Begin()
	h.Update(nn.NewPool(2), opt, z, 1)
	for i := range e.W {
		if got := before[i] - e.W[i]; !(math.Abs(float64(got-num[i])) <= 5e-3) {
			t.Fatalf("E[%d]: update %v, numerical gradient %v", i, got, num[i])
		}
	}
}

// Prediction never returns padding codes and returns labels in decreasing
// path score; with a full beam it finds the best path exactly.
func TestMHCPredict(t *testing.T) {
	h := newTestMHC(t, 19, []int{5, 4}, 6, 5) // beam = every level-1 node
	rng := rand.New(rand.NewPCG(6, 6))
	z := make([]float32, h.Outputs())
	for i := range z {
		z[i] = 2*rng.Float32() - 1
	}
	w := h.NewWorker()
	ys, ss := make([]int32, 19), make([]float32, 19)
	n := w.Predict(z, 19, ys, ss)
	if n != 19 {
		t.Fatalf("n = %d, want all 19 labels with a full beam", n)
	}
	// Brute force: path score of every label.
	want := make([]float32, 19)
	for y := range 19 {
		n1 := y / 4
		s1 := sigmoid(z[n1])
		g := z[5:]
		s2 := sigmoid(dot(h.E[0].Row(y), g) + h.B[0].W[y])
		want[y] = s1 * s2
	}
	for i := range n {
		if ys[i] >= 19 {
			t.Fatal("padding code")
		}
		if i > 0 && ss[i] > ss[i-1] {
			t.Fatal("not sorted")
		}
		if !(math.Abs(float64(ss[i]-want[ys[i]])) <= 1e-6) {
			t.Fatalf("label %d score %v, brute force %v", ys[i], ss[i], want[ys[i]])
		}
	}
}

// PredictBeam widens the beam at prediction only: a head trained with
// beam 1 keeps one level-1 node (at most its 4 labels), and with a
// prediction beam of every node it ranks all labels exactly as the full
// beam does.
func TestMHCPredictBeam(t *testing.T) {
	narrow := newTestMHC(t, 19, []int{5, 4}, 6, 1)
	full := newTestMHC(t, 19, []int{5, 4}, 6, 5)
	rng := rand.New(rand.NewPCG(7, 7))
	z := make([]float32, narrow.Outputs())
	for i := range z {
		z[i] = 2*rng.Float32() - 1
	}
	ys, ss := make([]int32, 19), make([]float32, 19)
	if n := narrow.NewWorker().Predict(z, 19, ys, ss); n > 4 {
		t.Fatalf("beam 1 returned %d labels, want at most the 4 of one group", n)
	}
	want, wantS := make([]int32, 19), make([]float32, 19)
	nw := full.NewWorker().Predict(z, 19, want, wantS)
	narrow.PredictBeam = 5
	n := narrow.NewWorker().Predict(z, 19, ys, ss)
	if n != nw || !slices.Equal(ys[:n], want[:nw]) || !slices.Equal(ss[:n], wantS[:nw]) {
		t.Errorf("prediction beam 5: %v %v, want the full beam's %v %v", ys[:n], ss[:n], want[:nw], wantS[:nw])
	}
	narrow.PredictBeam = 0
	if n := narrow.NewWorker().Predict(z, 19, ys, ss); n > 4 {
		t.Errorf("PredictBeam 0 did not restore the training beam: %d labels", n)
	}
}

// dot is gonum's dot product, the reference for the head's scores.
func dot(a, b []float32) float32 {
	return blas32.Dot(blas32.Vector{N: len(a), Inc: 1, Data: a}, blas32.Vector{N: len(b), Inc: 1, Data: b})
}

// A batch's embedding update does not depend on the worker count (the
// records are grouped by node in per-worker node ranges), and every
// record counts exactly once: with plain SGD and lr 1 the change of E[n]
// is Σ_rows coef·g_row over the rows that scored n.
func TestMHCUpdateWorkers(t *testing.T) {
	// Three levels of small tables, and a level of 100-node groups of
	// which a batch reaches a few (runs of consecutive nodes longer than
	// maxRun, with gaps between them).
	for _, sh := range []struct {
		c       int
		lengths []int
	}{{60, []int{4, 4, 4}}, {5000, []int{50, 100}}} {
		const rows = 40
		rng := rand.New(rand.NewPCG(6, 6))
		var zs [][]float32
		var labels [][]int32
		probe := newTestMHC(t, sh.c, sh.lengths, 5, 3)
		for range rows {
			z := make([]float32, probe.Outputs())
			for i := range z {
				z[i] = 2*rng.Float32() - 1
			}
			zs = append(zs, z)
			half := sh.c / 2
			labels = append(labels, []int32{int32(rng.IntN(half)), int32(half + rng.IntN(half))})
		}
		logits := slices.Concat(zs...)
		// Each optimizer, each way of summing (dense buffers for small
		// tables, records regrouped by node for large ones) and each
		// worker count: the same bits.
		for _, kind := range []nn.OptKind{nn.SGD, nn.Adam} {
			var first [][]float32
			for _, sparse := range []bool{false, true} {
				for _, workers := range []int{1, 2, 3, 7} {
					first = checkMHCUpdate(t, sh.c, sh.lengths, kind, sparse, workers, zs, labels, logits, first)
				}
			}
		}
	}
}

func checkMHCUpdate(t *testing.T, c int, lengths []int, kind nn.OptKind, sparse bool, workers int, zs [][]float32, labels [][]int32, logits []float32, first [][]float32) [][]float32 {
	t.Helper()
	rows := len(zs)
	name := fmt.Sprintf("C %d %v: %v, sparse %v, workers %d", c, lengths, kind, sparse, workers)
	h := newTestMHC(t, c, lengths, 5, 3)
	if sparse {
		h.denseLimit = 0
	}
	var before [][]float32
	var want [][]float64
	for _, e := range h.E {
		before = append(before, slices.Clone(e.W))
		want = append(want, make([]float64, len(e.W)))
	}
	w := h.NewWorker()
	h.BeginBatch(rows)
	for r := range rows {
		w.Loss(r, zs[r], make([]float32, len(zs[r])), labels[r], 1)
	}
	// The expected gradient, in float64, from the records.
	for r, recs := range h.rows {
		for _, g := range recs {
			off := h.codec.Length(0) + int(g.level)*h.q
			for k := range h.q {
				want[g.level][int(g.node)*h.q+k] += float64(g.coef) * float64(logits[r*h.outputs+off+k])
			}
		}
	}
	opt, _ := nn.NewOptimizer(kind, 0, 0)
	for _, p := range h.Params() {
		opt.Init(p)
	}
	// Two steps, so that Adam's second one reads the moments the first
	// left.
	opt.Begin()
	h.Update(nn.NewPool(workers), opt, logits, 1)
	if kind == nn.SGD {
		for lv, e := range h.E {
			for i := range e.W {
				if d := float64(before[lv][i] - e.W[i]); !(math.Abs(d-want[lv][i]) <= 1e-4) {
					t.Fatalf("%s: E%d[%d] moved by %v, want %v", name, lv+1, i, d, want[lv][i])
				}
			}
		}
	}
	opt.Begin()
	h.Update(nn.NewPool(workers), opt, logits, 1)
	var got [][]float32
	for _, p := range slices.Concat(h.E, h.B) {
		got = append(got, p.W)
	}
	if first == nil {
		return got
	}
	for lv := range got {
		for i := range got[lv] {
			if math.Float32bits(got[lv][i]) != math.Float32bits(first[lv][i]) {
				t.Fatalf("%s: tensor %d [%d] = %v, with one worker and dense sums %v", name, lv, i, got[lv][i], first[lv][i])
			}
		}
	}
	return first
}

// A training row's loss and a prediction allocate nothing once the worker's
// buffers have grown, and do not depend on C: the same level sizes over
// 10^4 and 10^6 labels (H = 2 and H = 3, 100 nodes per level) allocate the
// same (nothing), so no step scans or allocates anything of size C.
func TestMHCStepAllocatesNothing(t *testing.T) {
	for _, tc := range []struct {
		labels  int
		lengths []int
	}{{10_000, []int{100, 100}}, {1_000_000, []int{100, 100, 100}}} {
		h := newTestMHC(t, tc.labels, tc.lengths, 8, 4)
		rng := rand.New(rand.NewPCG(8, 8))
		z := make([]float32, h.Outputs())
		for i := range z {
			z[i] = 2*rng.Float32() - 1
		}
		dz := make([]float32, len(z))
		truth := []int32{3, int32(tc.labels / 2), int32(tc.labels - 1)}
		w := h.NewWorker()
		ys, ss := make([]int32, 5), make([]float32, 5)
		step := func() {
			h.BeginBatch(1)
			w.Loss(0, z, dz, truth, 1)
			w.Predict(z, 5, ys, ss)
			w.Score(z, truth, ss[:len(truth)]) // an ensemble's scoring
		}
		step() // grow the buffers
		if a := testing.AllocsPerRun(50, step); a != 0 {
			t.Errorf("C = %d, lengths %v: %v allocations per row, want 0", tc.labels, tc.lengths, a)
		}
	}
}

// A row's gradient records are in increasing (level, node) order, which
// Update's binary searches rely on, for short and wide beams.
func TestMHCRecordsByNode(t *testing.T) {
	for _, beam := range []int{5, 32, 33, 45} {
		h := newTestMHC(t, 1000, []int{50, 20}, 4, beam)
		rng := rand.New(rand.NewPCG(uint64(beam), 1))
		w := h.NewWorker()
		h.BeginBatch(20)
		for r := range 20 {
			z := make([]float32, h.Outputs())
			for i := range z {
				z[i] = 2*rng.Float32() - 1
			}
			labels := []int32{int32(rng.IntN(500)), int32(500 + rng.IntN(500))}
			w.Loss(r, z, make([]float32, len(z)), labels, 1)
			recs := h.rows[r]
			if want := beam * 20; len(recs) != want {
				t.Fatalf("beam %d: %d records, want %d (every child of every beam node)", beam, len(recs), want)
			}
			for i := 1; i < len(recs); i++ {
				a, b := recs[i-1], recs[i]
				if a.level > b.level || a.level == b.level && a.node >= b.node {
					t.Fatalf("beam %d, row %d: record %d (%d, %d) after (%d, %d)", beam, r, i, b.level, b.node, a.level, a.node)
				}
			}
		}
	}
}

// TestSortNodes: Update's node ranges end in ascending order with each
// node's count and slot carried along, by a sort when the batch reaches
// few of the range's rows and by a scan of the slots when it reaches many.
func TestSortNodes(t *testing.T) {
	for _, c := range []struct {
		name   string
		lo, hi int
		nodes  []int32 // in the order first seen
	}{
		{"sort", 100, 10100, []int32{9000, 150, 4000, 101}},
		{"scan", 10, 20, []int32{17, 11, 19, 10, 14}},
		{"one", 0, 5, []int32{3}},
		{"none", 0, 5, nil},
	} {
		slot := make([]int32, 10100)
		for i := range slot {
			slot[i] = -1
		}
		pt := &nodeRange{}
		counts := map[int32]int{}
		for i, n := range c.nodes {
			slot[n] = int32(i)
			pt.nodes = append(pt.nodes, n)
			pt.counts = append(pt.counts, 10*i+1)
			counts[n] = 10*i + 1
		}
		pt.sortNodes(slot, c.lo, c.hi)
		if !slices.IsSorted(pt.nodes) || len(pt.nodes) != len(c.nodes) {
			t.Errorf("%s: nodes %v", c.name, pt.nodes)
		}
		for i, n := range pt.nodes {
			if slot[n] != int32(i) || pt.counts[i] != counts[n] {
				t.Errorf("%s: node %d at %d has slot %d and count %d, want count %d", c.name, n, i, slot[n], pt.counts[i], counts[n])
			}
		}
	}
}

// recordRange finds the records of a level's node range as a binary search
// over (level, node) would, for every range of a row's records.
func TestRecordRange(t *testing.T) {
	recs := []nodeGrad{{level: 0, node: 1}, {level: 0, node: 4}, {level: 0, node: 5}, {level: 1, node: 0}, {level: 1, node: 7}, {level: 1, node: 9}, {level: 2, node: 3}}
	want := func(lv, n int32) int {
		i, _ := slices.BinarySearchFunc(recs, nodeGrad{level: lv, node: n}, func(g, t nodeGrad) int {
			if c := cmp.Compare(g.level, t.level); c != 0 {
				return c
			}
			return cmp.Compare(g.node, t.node)
		})
		return i
	}
	for lv := int32(-1); lv <= 3; lv++ {
		for lo := int32(-1); lo <= 11; lo++ {
			for hi := lo; hi <= 11; hi++ {
				a, z := recordRange(recs, lv, lo, hi)
				if a != want(lv, lo) || z != want(lv, hi) {
					t.Fatalf("level %d nodes [%d, %d): [%d, %d), want [%d, %d)", lv, lo, hi, a, z, want(lv, lo), want(lv, hi))
				}
			}
		}
	}
	if a, z := recordRange(nil, 0, 0, 5); a != 0 || z != 0 {
		t.Errorf("no records: [%d, %d)", a, z)
	}
}

// A cascade's shape: without a bottleneck each deeper level reads a copy of
// the encoder output (Passthrough), with one a projection of width dh;
// widths below 1 and beams below 1 are refused.
func TestMHCShapes(t *testing.T) {
	codec, err := NewCodec(100, []int{10, 5, 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		dh, d, beam     int
		copies, outputs int
	}{
		{0, 16, 4, 2, 10 + 2*16},
		{0, 1, 1, 2, 10 + 2*1},
		{8, 16, 4, 0, 10 + 2*8},
		{8, 0, 4, 0, 10 + 2*8}, // the encoder width is not needed with a projection
	} {
		h, err := NewMHCHead(codec, tc.dh, tc.d, tc.beam, false, 1, nil)
		if err != nil {
			t.Errorf("dh %d d %d beam %d: %v", tc.dh, tc.d, tc.beam, err)
			continue
		}
		copies, width := h.Passthrough()
		wantWidth := 0
		if tc.copies > 0 {
			wantWidth = tc.d
		}
		if copies != tc.copies || width != wantWidth || h.Outputs() != tc.outputs {
			t.Errorf("dh %d d %d: passthrough %d x %d, %d outputs; want %d x %d, %d", tc.dh, tc.d, copies, width, h.Outputs(), tc.copies, wantWidth, tc.outputs)
		}
	}
	for _, bad := range [][3]int{{0, 0, 4}, {-1, 16, 4}, {8, 16, 0}} {
		if _, err := NewMHCHead(codec, bad[0], bad[1], bad[2], false, 1, nil); err == nil {
			t.Errorf("dh %d d %d beam %d accepted", bad[0], bad[1], bad[2])
		}
	}
}
