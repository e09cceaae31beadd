package train

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/nn"
)

// clusterLeaf is the label count at which balanced 2-means stops splitting.
const clusterLeaf = 16

// clusterOrder orders labels by balanced hierarchical 2-means over their
// centroids (the Parabel/LightXML label clustering the paper calls
// unnecessary): a label's centroid is the normalised sum of the
// L2-normalised feature rows it appears in; each node is split into two
// halves of equal size by spherical 2-means (the best of clusterStarts
// runs, each started from a random label and the label least like it;
// Parabel starts once, from two random labels, and on the sets in
// ../shared/data its splits are less cohesive); labels are numbered in
// depth-first leaf order, so labels of one cluster get neighbouring ids (and
// share MHC/MHS groups). pool runs the passes over many labels and, below
// clusterParallel labels, whole subtrees side by side; the order depends on
// the seed alone.
func clusterOrder(train *data.Dataset, seed uint64, pool *nn.Pool) ([]int32, error) {
	c, d := train.NumLabels(), train.NumFeatures()
	if pool == nil {
		pool = nn.NewPool(1)
	}
	cent := data.LabelCentroids(train.X, train.Y)
	labels := make([]int32, c)
	for i := range labels {
		labels[i] = int32(i)
	}
	// Each node draws its starts from its own stream, named by where its
	// labels sit in the order, so that the nodes below clusterParallel
	// labels (their passes too short for the pool) can be split side by
	// side, one subtree a worker, with the order one goroutine gives. The
	// name packs lo (< 2^31) and n (<= 2^31) without overlap for any label
	// count, under bit 63, which mhe's other streams of the seed leave 0.
	rngAt := func(lo, n int) *rand.Rand {
		return rand.New(rand.NewPCG(seed, 1<<63|uint64(lo)<<32|uint64(n)))
	}
	var subtrees [][2]int // [lo, hi) of the nodes below clusterParallel labels
	var split func(km *twoMeans, lo, hi int, top bool)
	split = func(km *twoMeans, lo, hi int, top bool) {
		ls := labels[lo:hi]
		switch {
		case len(ls) <= clusterLeaf:
			slices.Sort(ls)
			return
		case top && len(ls) < clusterParallel:
			subtrees = append(subtrees, [2]int{lo, hi})
			return
		}
		km.split(ls, rngAt(lo, len(ls)))
		mid := lo + len(ls)/2
		split(km, lo, mid, top)
		split(km, mid, hi, top)
	}
	split(newTwoMeans(cent, d, c, pool), 0, c, true)
	// A worker's scratch holds two centers of the feature count; eight
	// workers at most keep that small beside the data.
	largest := 0
	for _, st := range subtrees {
		largest = max(largest, st[1]-st[0])
	}
	sub := nn.NewPool(min(pool.Workers(), 8))
	kms := make([]*twoMeans, sub.Workers())
	sub.For(len(subtrees), 1, func(w, i, _ int) {
		if kms[w] == nil {
			kms[w] = newTwoMeans(cent, d, largest, nil)
		}
		split(kms[w], subtrees[i][0], subtrees[i][1], false)
	})
	return inverse(labels), nil
}

// clusterStarts is the number of 2-means runs per split, each from
// another random first center; the split kept is the most cohesive one.
const clusterStarts = 3

// clusterParallel is the label count from which a split's passes over the
// labels run on the pool (below it, a loop's start costs more than it
// saves; a variable for the tests), and clusterChunk the labels a chunk of
// such a pass holds.
var clusterParallel = 2048

const clusterChunk = 512

// twoMeans holds balanced 2-means' data and scratch: the label centroids,
// the two centers and, for up to all labels, the similarities and the
// orders being tried.
type twoMeans struct {
	cent      *data.CSR
	pool      *nn.Pool
	ctr       [2]*center
	sims      []float64
	idx       []int
	reordered []int32
	trial     []int32
	best      []int32
}

// newTwoMeans returns 2-means scratch for up to n labels of d features;
// its passes run on pool (nil: on the calling goroutine).
func newTwoMeans(cent *data.CSR, d, n int, pool *nn.Pool) *twoMeans {
	if pool == nil {
		pool = nn.NewPool(1)
	}
	return &twoMeans{cent: cent, pool: pool, ctr: [2]*center{newCenter(d), newCenter(d)},
		sims: make([]float64, n), idx: make([]int, n), reordered: make([]int32, n),
		trial: make([]int32, n), best: make([]int32, n)}
}

// split reorders ls so that its first half is one cluster and its second
// half the other: balanced spherical 2-means (a few iterations) from
// clusterStarts starts, keeping the split whose halves' centroid sums are
// longest in total (Σ over both halves of the similarity of each label to
// its half's center; the first of equals).
func (km *twoMeans) split(ls []int32, rng *rand.Rand) {
	trial, best := km.trial[:len(ls)], km.best[:len(ls)]
	bestScore := math.Inf(-1)
	for range clusterStarts {
		copy(trial, ls)
		if score := km.run(trial, rng.IntN(len(ls))); score > bestScore {
			bestScore = score
			copy(best, trial)
		}
	}
	copy(ls, best)
}

// run runs balanced 2-means on ls from ls[a] and the label least similar
// to it (the first of equals) as centers, reorders ls into the two halves,
// and returns the split's cohesion: the sum of the lengths of the halves'
// centroid sums. Two random labels may belong to one topic, and a run
// started there can settle with each half holding half of every topic.
func (km *twoMeans) run(ls []int32, a int) float64 {
	n, ctr := len(ls), km.ctr
	sims, idx, reordered := km.sims[:n], km.idx[:n], km.reordered[:n]
	ctr[0].set(km.cent, ls[a:a+1])
	km.each(n, func(i int) { sims[i] = ctr[0].dot(km.cent, ls[i]) })
	b, least := -1, math.Inf(1)
	for i, s := range sims {
		if i != a && s < least {
			b, least = i, s
		}
	}
	ctr[1].set(km.cent, ls[b:b+1])
	half := n / 2
	for iter := 0; iter < 8; iter++ {
		km.each(n, func(i int) {
			f, v := km.cent.Row(int(ls[i]))
			var s0, s1 float64
			for k, j := range f {
				s0 += float64(float64(v[k]) * ctr[0].w[j])
				s1 += float64(float64(v[k]) * ctr[1].w[j])
			}
			sims[i] = s0 - s1
		})
		for i := range idx {
			idx[i] = i
		}
		// Balanced assignment: the half most similar to center 0.
		sort.SliceStable(idx, func(p, q int) bool { return sims[idx[p]] > sims[idx[q]] })
		changed := false
		for i, k := range idx {
			reordered[i] = ls[k]
			if k != i {
				changed = true
			}
		}
		copy(ls, reordered)
		halves := [2][]int32{ls[:half], ls[half:]}
		if n >= clusterParallel {
			km.pool.For(2, 1, func(_, h, _ int) { ctr[h].set(km.cent, halves[h]) })
		} else {
			ctr[0].set(km.cent, halves[0])
			ctr[1].set(km.cent, halves[1])
		}
		if !changed && iter > 0 {
			break
		}
	}
	return ctr[0].norm + ctr[1].norm
}

// each calls fn(i) for every i < n, on the pool when n is large (each i
// writes its own value, so the result does not depend on the workers).
func (km *twoMeans) each(n int, fn func(i int)) {
	if n < clusterParallel {
		for i := range n {
			fn(i)
		}
		return
	}
	km.pool.For(n, clusterChunk, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			fn(i)
		}
	})
}

// center is a dense vector that remembers which entries are nonzero, so
// that resetting it costs what filling it did, not the dimension.
type center struct {
	w       []float64
	norm    float64 // the length of the sum before normalising
	touched []int32
	mark    []bool
}

func newCenter(d int) *center { return &center{w: make([]float64, d), mark: make([]bool, d)} }

// dot is the center's inner product with label l's centroid.
func (c *center) dot(cent *data.CSR, l int32) float64 {
	f, v := cent.Row(int(l))
	var s float64
	for k, j := range f {
		s += float64(float64(v[k]) * c.w[j])
	}
	return s
}

// set writes the normalised mean of the labels' centroids.
func (c *center) set(cent *data.CSR, ls []int32) {
	for _, j := range c.touched {
		c.w[j], c.mark[j] = 0, false
	}
	c.touched = c.touched[:0]
	for _, l := range ls {
		f, v := cent.Row(int(l))
		for k, j := range f {
			if !c.mark[j] {
				c.mark[j] = true
				c.touched = append(c.touched, j)
			}
			c.w[j] += float64(v[k])
		}
	}
	var s float64
	for _, j := range c.touched {
		s += float64(c.w[j] * c.w[j])
	}
	c.norm = math.Sqrt(s)
	if s > 0 {
		inv := 1 / math.Sqrt(s)
		for _, j := range c.touched {
			c.w[j] *= inv
		}
	}
}

func sqrt(x float64) float64 { return math.Sqrt(x) }
