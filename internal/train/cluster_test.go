package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/nn"
)

// topicData is a multi-label set whose labels fall into topics, and the
// topics pairwise into two fields: label l belongs to topic l % topics (so
// that index order interleaves them) and topic g to field g % 2. Each of a
// label's rows carries l alone, two features of its field's range and
// three of its topic's (10 each), and with noise one feature of anywhere.
func topicData(labels, topics int, noise bool, seed uint64) *data.Dataset {
	rng := rand.New(rand.NewPCG(seed, 7))
	x := data.NewCSR(20+10*topics, 0, 0, false)
	y := data.NewCSR(labels, 0, 0, true)
	for l := range labels {
		g := l % topics
		for range 3 {
			var ids []int32
			for _, f := range rng.Perm(10)[:2] {
				ids = append(ids, int32(10*(g%2)+f))
			}
			for _, f := range rng.Perm(10)[:3] {
				ids = append(ids, int32(20+10*g+f))
			}
			if noise {
				ids = append(ids, int32(rng.IntN(x.Cols)))
			}
			slices.Sort(ids)
			ids = slices.Compact(ids)
			vals := make([]float32, len(ids))
			for i := range vals {
				vals[i] = 1 + rng.Float32()
			}
			x.AppendRow(ids, vals)
			y.AppendRow([]int32{int32(l)}, nil)
		}
	}
	return &data.Dataset{X: x, Y: y}
}

// The cluster order puts the labels of one topic in one leaf: with 4
// topics of 16 labels (the leaf size), the positions 16k to 16k+15 hold
// one topic each, in ascending label id, and each half of the order one
// field. A seed gives one order.
func TestClusterOrderGroupsTopics(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			ds := topicData(4*clusterLeaf, 4, seed%2 == 0, seed)
			perm, err := clusterOrder(ds, seed, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := checkPermutation(perm); err != nil {
				t.Fatal(err)
			}
			order := inverse(perm) // position -> label
			for leaf := range 4 {
				ls := order[leaf*clusterLeaf : (leaf+1)*clusterLeaf]
				for _, l := range ls {
					if l%4 != ls[0]%4 {
						t.Fatalf("leaf %d holds labels of topics %d and %d: %v", leaf, ls[0]%4, l%4, ls)
					}
				}
				if !slices.IsSorted(ls) {
					t.Errorf("leaf %d is not in label order: %v", leaf, ls)
				}
			}
			if order[0]%2 != order[clusterLeaf]%2 || order[0]%2 == order[2*clusterLeaf]%2 {
				t.Errorf("the halves of the order are not the two fields: leaves of topics %d %d | %d %d",
					order[0]%4, order[clusterLeaf]%4, order[2*clusterLeaf]%4, order[3*clusterLeaf]%4)
			}
			again, _ := clusterOrder(ds, seed, nil)
			if !slices.Equal(again, perm) {
				t.Error("the same seed gave another order")
			}
		})
	}
}

// Any label count (odd ones, fewer than a leaf, labels no row carries)
// gives a permutation, and a set of at most one leaf keeps index order.
// So does a set whose labels are on no row at all.
func TestClusterOrderShapes(t *testing.T) {
	for _, labels := range []int{1, 2, clusterLeaf, clusterLeaf + 1, 37, 100} {
		ds := topicData(labels, 3, true, 1)
		// The last label has no rows (an empty centroid).
		ds.Y = ds.Y.Clone()
		ds.Y.Cols = labels + 1
		perm, err := clusterOrder(ds, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(perm) != labels+1 {
			t.Fatalf("%d labels: a permutation of %d", labels+1, len(perm))
		}
		if err := checkPermutation(perm); err != nil {
			t.Errorf("%d labels: %v", labels+1, err)
		}
		if labels+1 <= clusterLeaf && !slices.IsSorted(perm) {
			t.Errorf("%d labels: %v, want index order", labels+1, perm)
		}
	}
	// No label on any row: every centroid is empty and every split ties.
	ds := topicData(40, 2, false, 1)
	ds.Y = data.NewCSR(40, ds.Rows(), 0, true)
	for range ds.Rows() {
		ds.Y.AppendRow(nil, nil)
	}
	perm, err := clusterOrder(ds, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkPermutation(perm); err != nil || len(perm) != 40 {
		t.Errorf("40 labels on no row: %v (%v)", perm, err)
	}
}

// Each split runs 2-means from clusterStarts starts and keeps the most
// cohesive result: the halves twoMeans returns have the largest cohesion
// (the lengths of the halves' centroid sums, added) of the runs from the
// starts it draws. On data of one topic (labels that mix the same few
// features) the starts settle in different splits.
func TestTwoMeansKeepsMostCohesive(t *testing.T) {
	const n = 64
	ds := topicData(n, 1, true, 3)
	cent := data.LabelCentroids(ds.X, ds.Y)
	km := newTwoMeans(cent, ds.NumFeatures(), n, nil)
	identity := func() []int32 {
		ls := make([]int32, n)
		for i := range ls {
			ls[i] = int32(i)
		}
		return ls
	}
	cohesion := func(ls []int32) float64 { return sumLength(cent, ls[:n/2]) + sumLength(cent, ls[n/2:]) }
	differed := 0
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		scores := make([]float64, clusterStarts)
		for s := range scores {
			ls := identity()
			score := km.run(ls, rng.IntN(n))
			scores[s] = cohesion(ls)
			if !(math.Abs(score-scores[s]) <= 1e-9*scores[s]) {
				t.Fatalf("seed %d: run's cohesion %v, want %v (the lengths of the halves' centroid sums)", seed, score, scores[s])
			}
		}
		if slices.Max(scores)-scores[0] > 1e-6 {
			differed++
		}
		got := identity()
		km.split(got, rand.New(rand.NewPCG(seed, 1)))
		if err := checkPermutation(got); err != nil {
			t.Fatal(err)
		}
		if c := cohesion(got); !(math.Abs(c-slices.Max(scores)) <= 1e-9*c) {
			t.Errorf("seed %d: a split of cohesion %v, want the best of the starts' %v", seed, c, scores)
		}
	}
	t.Logf("on %d of 20 seeds a later start was more cohesive than the first", differed)
	if differed == 0 {
		t.Fatal("no later start beat the first: the test cannot tell the best start from the first")
	}
}

// A set large enough for the passes to run on the pool gets the order of
// passes run on one goroutine, whatever the workers, and its halves are
// its fields.
func TestClusterOrderWorkers(t *testing.T) {
	const topics = 256 // 4096 labels: 16 a topic
	ds := topicData(topics*clusterLeaf, topics, true, 5)
	// The reference: every pass on the calling goroutine, outside the pool.
	defer func(p int) { clusterParallel = p }(clusterParallel)
	clusterParallel = math.MaxInt
	want, err := clusterOrder(ds, 5, nn.NewPool(1))
	if err != nil {
		t.Fatal(err)
	}
	clusterParallel = 2048
	for _, workers := range []int{1, 2, 3} {
		got, err := clusterOrder(ds, 5, nn.NewPool(workers))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%d workers: another order than one worker's", workers)
		}
	}
	// The first split is the fields' (a topic's field is its parity).
	order := inverse(want)
	for pos, l := range order {
		if (l%topics)%2 != (order[0]%topics)%2 != (pos >= len(order)/2) {
			t.Fatalf("position %d: label %d is of the other field than its half's", pos, l)
		}
	}
}

// sumLength is the Euclidean length of the sum of the labels' centroids.
func sumLength(cent *data.CSR, ls []int32) float64 {
	sum := make([]float64, cent.Cols)
	for _, l := range ls {
		f, v := cent.Row(int(l))
		for k, j := range f {
			sum[j] += float64(v[k])
		}
	}
	var s float64
	for _, x := range sum {
		s += x * x
	}
	return math.Sqrt(s)
}

// BenchmarkClusterOrder orders the 20,000 labels of a synthetic set of
// 50,000 rows (the label centroids, then the tree down to leaves of
// clusterLeaf labels) on all CPUs.
func BenchmarkClusterOrder(b *testing.B) {
	cfg := config.Default()
	cfg.Data.Synth = config.SynthConfig{Examples: 50000, Features: 20000, Labels: 20000, Seed: 1,
		AvgLabels: 4, AvgFeatures: 40, Exponent: 1, Noise: 0.3}
	splits, err := LoadSplits(&cfg, 1, nil)
	if err != nil {
		b.Fatal(err)
	}
	pool := nn.NewPool(0)
	b.ResetTimer()
	for b.Loop() {
		if _, err := clusterOrder(splits.Train, 1, pool); err != nil {
			b.Fatal(err)
		}
	}
}

// A center is the unit-length sum of its labels' centroids, knows that
// sum's length, and forgets the entries of its previous labels; a sum of
// nothing, or of centroids that cancel, stays zero.
func TestCenterSet(t *testing.T) {
	cent := data.NewCSR(6, 4, 0, false)
	cent.AppendRow([]int32{0, 2}, []float32{3, 4})
	cent.AppendRow([]int32{2, 5}, []float32{-4, 1})
	cent.AppendRow(nil, nil)
	cent.AppendRow([]int32{0, 2}, []float32{-3, -4}) // label 0 negated
	c := newCenter(6)
	for _, tc := range []struct {
		labels []int32
		norm   float64
		w      []float64
	}{
		{[]int32{0}, 5, []float64{0.6, 0, 0.8, 0, 0, 0}},
		{[]int32{0, 1}, math.Sqrt(10), []float64{3 / math.Sqrt(10), 0, 0, 0, 0, 1 / math.Sqrt(10)}},
		{[]int32{1}, math.Sqrt(17), []float64{0, 0, -4 / math.Sqrt(17), 0, 0, 1 / math.Sqrt(17)}},
		{[]int32{2}, 0, []float64{0, 0, 0, 0, 0, 0}},
		{[]int32{0, 3}, 0, []float64{0, 0, 0, 0, 0, 0}},
	} {
		c.set(cent, tc.labels)
		if !(math.Abs(c.norm-tc.norm) <= 1e-12) {
			t.Errorf("labels %v: norm %v, want %v", tc.labels, c.norm, tc.norm)
		}
		for j, w := range tc.w {
			if !(math.Abs(c.w[j]-w) <= 1e-12) {
				t.Errorf("labels %v: w = %v, want %v", tc.labels, c.w, tc.w)
				break
			}
		}
		if got := c.dot(cent, 0); !(math.Abs(got-(3*tc.w[0]+4*tc.w[2])) <= 1e-12) {
			t.Errorf("labels %v: dot with label 0 %v, want %v", tc.labels, got, 3*tc.w[0]+4*tc.w[2])
		}
	}
}
