package train

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/eval"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/nn"
)

// Ensemble ranks labels by the mean of its members' scores, the way the
// paper's MHC ensembles (SPEC §11) and the tree ensembles of Parabel and
// napkinXC combine models. Each member ranks its own top K; every member
// then scores the union of those candidates (heads.Worker.Score), so a
// label one member did not reach still gets that member's score rather
// than 0. Rows go in raw: each member preprocesses them as its training
// data was. Results are in the data's label ids, best first, ties broken
// by the smaller id; they do not depend on the pool's size.
type Ensemble struct {
	Members []*Model
	K       int

	pool    *nn.Pool
	preds   []*Predictor
	scratch RowScratch
	labels  []int32
	scores  []float32
	counts  []int
	work    []ensembleScratch // per pool worker
}

type ensembleScratch struct {
	cand     []int32 // candidates, data's ids, ascending
	internal []int32 // the same in one member's ids
	member   []float32
	sum      []float32
	order    []int
}

// NewEnsemble combines models trained on the same label space (two or
// more; a model's label order may differ). It refuses members whose label
// or input dimensions differ.
func NewEnsemble(members []*Model, pool *nn.Pool, k int) (*Ensemble, error) {
	if len(members) < 2 {
		return nil, fmt.Errorf("an ensemble needs two or more models, got %d", len(members))
	}
	first := members[0]
	for i, m := range members[1:] {
		if m.Labels != first.Labels {
			return nil, fmt.Errorf("%w: ensemble member %d has %d labels, member 1 has %d: the models must be trained on the same dataset", modelio.ErrIncompatible, i+2, m.Labels, first.Labels)
		}
		if m.Prep.Hash != first.Prep.Hash || (m.Prep.Hash == 0 && m.Prep.InputFeatures != first.Prep.InputFeatures) {
			return nil, fmt.Errorf("%w: ensemble member %d reads %d input features, member 1 reads %d: the models must be trained on the same dataset", modelio.ErrIncompatible, i+2, m.Prep.Features(), first.Prep.Features())
		}
	}
	e := &Ensemble{Members: members, K: k, pool: pool}
	for _, m := range members {
		e.preds = append(e.preds, NewPredictor(m, pool, k))
	}
	e.labels = make([]int32, PredictBatch*k)
	e.scores = make([]float32, PredictBatch*k)
	e.counts = make([]int, PredictBatch)
	e.work = make([]ensembleScratch, pool.Workers())
	return e, nil
}

// Reset starts a new batch.
func (e *Ensemble) Reset() {
	for _, p := range e.preds {
		p.Reset()
	}
}

// Add queues a raw row; each member preprocesses it.
func (e *Ensemble) Add(ids []int32, vals []float32) {
	for i, p := range e.preds {
		pi, pv := e.Members[i].Prep.ApplyRow(&e.scratch, ids, vals)
		p.Add(pi, pv)
	}
}

// Full reports whether the batch holds PredictBatch rows.
func (e *Ensemble) Full() bool { return e.preds[0].Full() }

// Len is the number of queued rows.
func (e *Ensemble) Len() int { return e.preds[0].Len() }

// Run ranks the queued rows; Result(i) then returns row i's ranking.
func (e *Ensemble) Run() {
	n := e.Len()
	if n == 0 {
		return
	}
	for _, p := range e.preds {
		p.Run()
	}
	e.pool.For(n, rowChunk, func(w, lo, hi int) {
		for r := lo; r < hi; r++ {
			e.counts[r] = e.combine(&e.work[w], w, r)
		}
	})
}

// combine ranks row r: the union of the members' candidates, scored by
// every member and averaged.
func (e *Ensemble) combine(s *ensembleScratch, w, r int) int {
	s.cand = s.cand[:0]
	for i, p := range e.preds {
		labels, _ := p.Result(r)
		m := e.Members[i]
		for _, l := range labels {
			if m.Inv != nil {
				l = m.Inv[l]
			}
			s.cand = append(s.cand, l)
		}
	}
	slices.Sort(s.cand)
	s.cand = slices.Compact(s.cand)
	nc := len(s.cand)
	s.sum = slices.Grow(s.sum[:0], nc)[:nc]
	clear(s.sum)
	s.member = slices.Grow(s.member[:0], nc)[:nc]
	for i, p := range e.preds {
		m := e.Members[i]
		s.internal = s.internal[:0]
		for _, l := range s.cand {
			if m.Perm != nil {
				l = m.Perm[l]
			}
			s.internal = append(s.internal, l)
		}
		out := m.Net.Outputs
		p.workers[w].Score(p.logits[r*out:(r+1)*out], s.internal, s.member)
		for j, v := range s.member {
			s.sum[j] += v
		}
	}
	inv := 1 / float32(len(e.preds))
	s.order = s.order[:0]
	for j := range nc {
		s.sum[j] *= inv
		s.order = append(s.order, j)
	}
	slices.SortFunc(s.order, func(a, b int) int {
		if c := cmp.Compare(s.sum[b], s.sum[a]); c != 0 {
			return c
		}
		return cmp.Compare(s.cand[a], s.cand[b])
	})
	k := min(e.K, nc)
	for j, o := range s.order[:k] {
		e.labels[r*e.K+j] = s.cand[o]
		e.scores[r*e.K+j] = s.sum[o]
	}
	return k
}

// Result returns the ranking of queued row i (data's label ids, best
// first).
func (e *Ensemble) Result(i int) ([]int32, []float32) {
	c := e.counts[i]
	return e.labels[i*e.K : i*e.K+c], e.scores[i*e.K : i*e.K+c]
}

// Ranker ranks batches of raw rows (not preprocessed) in the data's label
// ids: one model (NewRanker) or an Ensemble.
type Ranker interface {
	Reset()
	Add(ids []int32, vals []float32)
	Full() bool
	Len() int
	Run()
	// Result returns queued row i's ranking, best first; the slices are
	// valid until the next Run.
	Result(i int) ([]int32, []float32)
}

// NewRanker ranks with one model, or with the Ensemble of several.
func NewRanker(models []*Model, pool *nn.Pool, k int) (Ranker, error) {
	switch len(models) {
	case 0:
		return nil, fmt.Errorf("no model to rank with")
	case 1:
		return &modelRanker{Predictor: NewPredictor(models[0], pool, k)}, nil
	}
	return NewEnsemble(models, pool, k)
}

// modelRanker is one model's Predictor taking raw rows and giving the
// data's label ids.
type modelRanker struct {
	*Predictor
	scratch RowScratch
}

func (r *modelRanker) Add(ids []int32, vals []float32) {
	r.Predictor.Add(r.M.Prep.ApplyRow(&r.scratch, ids, vals))
}

func (r *modelRanker) Run() {
	r.Predictor.Run()
	for i := range r.Len() {
		labels, _ := r.Predictor.Result(i)
		r.M.Original(labels)
	}
}

// AddRanked ranks every row of a raw dataset (labels in the data's ids)
// with one model or the ensemble of several, and adds each row to ev and
// to each of more (ev.MaxK predictions per row). One model preprocesses
// the whole matrix in place, as training does (AddOriginal).
func AddRanked(models []*Model, pool *nn.Pool, ds *data.Dataset, ev *eval.Evaluator, more ...RowScorer) error {
	if len(models) == 1 {
		m := models[0]
		AddOriginal(m, pool, &data.Dataset{Name: ds.Name, X: m.Prep.Apply(ds.X), Y: ds.Y}, ev, more...)
		return nil
	}
	e, err := NewEnsemble(models, pool, ev.MaxK())
	if err != nil {
		return err
	}
	addRows(e, ds, nil, ev, more...)
	return nil
}

// addRows ranks every row of ds with r, maps the labels with mapLabels
// (nil: they are the data's ids already) and adds each row to ev and to
// each of more.
func addRows(r Ranker, ds *data.Dataset, mapLabels func([]int32), ev *eval.Evaluator, more ...RowScorer) {
	RankDataset(r, ds, func(row int, labels []int32, scores []float32) {
		if mapLabels != nil {
			mapLabels(labels)
		}
		y, _ := ds.Y.Row(row)
		ev.Add(y, labels)
		for _, sc := range more {
			sc.Add(y, labels, scores)
		}
	})
}
