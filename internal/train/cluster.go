package train

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/mhe-xlc/mhe/internal/data"
)

// clusterLeaf is the label count at which balanced 2-means stops splitting.
const clusterLeaf = 16

// clusterOrder orders labels by balanced hierarchical 2-means over their
// centroids (the Parabel/LightXML label clustering the paper calls
// unnecessary): a label's centroid is the normalised sum of the
// L2-normalised feature rows it appears in; each node is split into two
// halves of equal size by spherical 2-means; labels are numbered in
// depth-first leaf order, so labels of one cluster get neighbouring ids (and
// share MHC/MHS groups).
func clusterOrder(train *data.Dataset, seed uint64) ([]int32, error) {
	c, d := train.NumLabels(), train.NumFeatures()
	cent := data.LabelCentroids(train.X, train.Y)
	labels := make([]int32, c)
	for i := range labels {
		labels[i] = int32(i)
	}
	rng := rand.New(rand.NewPCG(seed, 0xc1a5))
	ctr := [2]*center{newCenter(d), newCenter(d)}
	sims := make([]float64, c)
	var split func(ls []int32)
	split = func(ls []int32) {
		if len(ls) <= clusterLeaf {
			slices.Sort(ls)
			return
		}
		twoMeans(cent, ls, rng, ctr, sims[:len(ls)])
		half := len(ls) / 2
		split(ls[:half])
		split(ls[half:])
	}
	split(labels)
	return inverse(labels), nil
}

// twoMeans reorders ls so that its first half is one cluster and its second
// half the other (balanced spherical 2-means, a few iterations).
func twoMeans(cent *data.CSR, ls []int32, rng *rand.Rand, ctr [2]*center, sims []float64) {
	a := rng.IntN(len(ls))
	b := rng.IntN(len(ls) - 1)
	if b >= a {
		b++
	}
	ctr[0].set(cent, ls[a:a+1])
	ctr[1].set(cent, ls[b:b+1])
	half := len(ls) / 2
	idx := make([]int, len(ls))
	for iter := 0; iter < 8; iter++ {
		for i, l := range ls {
			f, v := cent.Row(int(l))
			var s0, s1 float64
			for k, j := range f {
				s0 += float64(float64(v[k]) * ctr[0].w[j])
				s1 += float64(float64(v[k]) * ctr[1].w[j])
			}
			sims[i] = s0 - s1
			idx[i] = i
		}
		// Balanced assignment: the half most similar to center 0.
		sort.SliceStable(idx, func(p, q int) bool { return sims[idx[p]] > sims[idx[q]] })
		reordered := make([]int32, len(ls))
		changed := false
		for i, k := range idx {
			reordered[i] = ls[k]
			if k != i {
				changed = true
			}
		}
		copy(ls, reordered)
		ctr[0].set(cent, ls[:half])
		ctr[1].set(cent, ls[half:])
		if !changed && iter > 0 {
			break
		}
	}
}

// center is a dense vector that remembers which entries are nonzero, so
// that resetting it costs what filling it did, not the dimension.
type center struct {
	w       []float64
	touched []int32
	mark    []bool
}

func newCenter(d int) *center { return &center{w: make([]float64, d), mark: make([]bool, d)} }

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
	if s > 0 {
		inv := 1 / math.Sqrt(s)
		for _, j := range c.touched {
			c.w[j] *= inv
		}
	}
}

func sqrt(x float64) float64 { return math.Sqrt(x) }
