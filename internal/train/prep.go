package train

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/nn"
)

// Preprocess is the input transformation fitted on the training rows and
// saved with the model: feature hashing, tf-idf weights, L2 normalisation,
// applied in that order.
type Preprocess struct {
	// InputFeatures is the feature dimension of the data.
	InputFeatures int
	// Hash > 0 maps feature j to bucket splitmix(j) mod Hash.
	Hash int
	// IDF multiplies values column-wise (nil = off).
	IDF []float32
	// Normalize scales rows to unit L2 norm.
	Normalize bool
}

// Features is the dimension after preprocessing.
func (p *Preprocess) Features() int {
	if p.Hash > 0 {
		return p.Hash
	}
	return p.InputFeatures
}

// Fit prepares p on the training rows (which it transforms in place) and
// returns the transformed matrix.
func (p *Preprocess) Fit(x *data.CSR, tfidf bool) *data.CSR {
	x = p.hash(x)
	if tfidf {
		p.IDF = data.IDF(x)
	}
	p.scale(x)
	return x
}

// Apply transforms a matrix with the fitted parameters.
func (p *Preprocess) Apply(x *data.CSR) *data.CSR {
	x = p.hash(x)
	p.scale(x)
	return x
}

func (p *Preprocess) scale(x *data.CSR) {
	if p.IDF != nil {
		data.ScaleColumns(x, p.IDF)
	}
	if p.Normalize {
		data.NormalizeRows(x)
	}
}

func bucket(j int32, n int) int32 {
	return int32(splitmix(uint64(j)) % uint64(n))
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (p *Preprocess) hash(x *data.CSR) *data.CSR {
	if p.Hash <= 0 {
		return x
	}
	out := data.NewCSR(p.Hash, x.Rows, x.NNZ(), false)
	var r RowScratch
	for i := 0; i < x.Rows; i++ {
		ids, vals := x.Row(i)
		hi, hv := r.hashRow(ids, vals, p.Hash)
		out.AppendRow(hi, hv)
	}
	return out
}

// RowScratch transforms single rows without allocating.
type RowScratch struct {
	ids  []int32
	vals []float32
	srt  pairs
}

type pairs struct {
	ids  []int32
	vals []float32
}

func (s *pairs) Len() int           { return len(s.ids) }
func (s *pairs) Less(i, j int) bool { return s.ids[i] < s.ids[j] }
func (s *pairs) Swap(i, j int) {
	s.ids[i], s.ids[j] = s.ids[j], s.ids[i]
	s.vals[i], s.vals[j] = s.vals[j], s.vals[i]
}

func (r *RowScratch) hashRow(ids []int32, vals []float32, n int) ([]int32, []float32) {
	r.ids, r.vals = r.ids[:0], r.vals[:0]
	for k, j := range ids {
		r.ids = append(r.ids, bucket(j, n))
		v := float32(1)
		if vals != nil {
			v = vals[k]
		}
		r.vals = append(r.vals, v)
	}
	r.srt.ids, r.srt.vals = r.ids, r.vals
	sort.Stable(&r.srt)
	out := 0
	for k := range r.ids {
		if out > 0 && r.ids[k] == r.ids[out-1] {
			r.vals[out-1] += r.vals[k]
			continue
		}
		r.ids[out], r.vals[out] = r.ids[k], r.vals[k]
		out++
	}
	return r.ids[:out], r.vals[:out]
}

// ApplyRow transforms one row (for streaming prediction); the result uses
// r's buffers.
func (p *Preprocess) ApplyRow(r *RowScratch, ids []int32, vals []float32) ([]int32, []float32) {
	if p.Hash > 0 {
		ids, vals = r.hashRow(ids, vals, p.Hash)
	} else {
		r.ids = append(r.ids[:0], ids...)
		r.vals = append(r.vals[:0], vals...)
		ids, vals = r.ids, r.vals
	}
	if p.IDF != nil {
		for k, j := range ids {
			if int(j) < len(p.IDF) {
				vals[k] *= p.IDF[j]
			}
		}
	}
	if p.Normalize {
		var ss float64
		for _, v := range vals {
			ss += float64(float64(v) * float64(v))
		}
		if ss > 0 {
			inv := float32(1 / sqrt(ss))
			for k := range vals {
				vals[k] *= inv
			}
		}
	}
	return ids, vals
}

// ---- label order (SPEC §7) ----

// Label orders.
const (
	OrderIndex     = "index"
	OrderFrequency = "frequency"
	OrderRandom    = "random"
	OrderCluster   = "cluster"
)

// LabelPermutation returns perm with perm[original] = internal id for the
// requested order, or nil for the identity (index). pool runs the cluster
// order's passes over the labels (nil: one goroutine); the order does not
// depend on it.
func LabelPermutation(order string, counts []int64, seed uint64, train *data.Dataset, pool *nn.Pool) ([]int32, error) {
	c := len(counts)
	switch order {
	case OrderIndex, "":
		return nil, nil
	case OrderFrequency:
		byFreq := make([]int32, c)
		for i := range byFreq {
			byFreq[i] = int32(i)
		}
		slices.SortStableFunc(byFreq, func(a, b int32) int {
			switch {
			case counts[a] > counts[b]:
				return -1
			case counts[a] < counts[b]:
				return 1
			}
			return 0
		})
		return inverse(byFreq), nil
	case OrderRandom:
		order := make([]int32, c)
		for i := range order {
			order[i] = int32(i)
		}
		rng := rand.New(rand.NewPCG(seed, 0x0bde7))
		rng.Shuffle(c, func(i, j int) { order[i], order[j] = order[j], order[i] })
		return inverse(order), nil
	case OrderCluster:
		return clusterOrder(train, seed, pool)
	}
	return nil, fmt.Errorf("unknown label order %q", order)
}

// inverse turns a list of labels in internal order into perm[label] = pos.
func inverse(order []int32) []int32 {
	perm := make([]int32, len(order))
	for pos, l := range order {
		perm[l] = int32(pos)
	}
	return perm
}

// Inverse returns the inverse permutation.
func Inverse(perm []int32) []int32 {
	if perm == nil {
		return nil
	}
	return inverse(perm)
}

// PermuteLabels returns y with every label l replaced by perm[l] (rows
// re-sorted); nil perm returns y.
func PermuteLabels(y *data.CSR, perm []int32) *data.CSR {
	if perm == nil {
		return y
	}
	out := data.NewCSR(y.Cols, y.Rows, y.NNZ(), true)
	var buf []int32
	for i := 0; i < y.Rows; i++ {
		ids, _ := y.Row(i)
		buf = buf[:0]
		for _, l := range ids {
			buf = append(buf, perm[l])
		}
		slices.Sort(buf)
		out.AppendRow(buf, nil)
	}
	return out
}
