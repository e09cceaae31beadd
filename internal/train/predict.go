package train

import (
	"fmt"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/heads"
	"github.com/mhe-xlc/mhe/internal/nn"
)

// PredictBatch is the number of rows predicted together.
const PredictBatch = 256

// Predictor ranks labels for batches of rows. Rows must already be
// preprocessed (Model.Prep); labels come out in the model's internal ids
// (use Model.Original to map them back).
type Predictor struct {
	rowBatch
	K       int
	workers []heads.Worker
	labels  []int32
	scores  []float32
	counts  []int
	logits  []float32 // the last Run's, row by row (Net.Outputs each)
}

// NewPredictor returns a predictor of the top k labels.
func NewPredictor(m *Model, pool *nn.Pool, k int) *Predictor {
	p := &Predictor{rowBatch: newRowBatch(m, pool), K: k}
	for range pool.Workers() {
		p.workers = append(p.workers, m.Head.NewWorker())
	}
	p.labels = make([]int32, PredictBatch*k)
	p.scores = make([]float32, PredictBatch*k)
	p.counts = make([]int, PredictBatch)
	return p
}

// rowBatch queues preprocessed rows for a model's net, PredictBatch at a
// time (inference: no dropout).
type rowBatch struct {
	M     *Model
	Pool  *nn.Pool
	ws    *workspace
	batch nn.Batch
}

func newRowBatch(m *Model, pool *nn.Pool) rowBatch {
	return rowBatch{M: m, Pool: pool, ws: m.Net.newWorkspace(PredictBatch, false)}
}

// Reset starts a new batch.
func (p *rowBatch) Reset() { p.batch.Reset() }

// Add queues a preprocessed row; Full says when the batch is full.
func (p *rowBatch) Add(ids []int32, vals []float32) { p.batch.Add(ids, vals) }

// Len is the number of queued rows.
func (p *rowBatch) Len() int { return p.batch.N }

// Full reports whether the batch holds PredictBatch rows.
func (p *rowBatch) Full() bool { return p.batch.N >= PredictBatch }

// Run predicts the queued rows; Result(i) then returns row i's ranking.
func (p *Predictor) Run() {
	n := p.batch.N
	if n == 0 {
		return
	}
	logits := p.M.Net.forward(p.Pool, &p.batch, p.ws, false, nil, 0, nil)
	p.logits = logits
	out := p.M.Net.Outputs
	k := p.K
	p.Pool.For(n, rowChunk, func(w, lo, hi int) {
		hw := p.workers[w]
		for r := lo; r < hi; r++ {
			p.counts[r] = hw.Predict(logits[r*out:(r+1)*out], k, p.labels[r*k:(r+1)*k], p.scores[r*k:(r+1)*k])
		}
	})
}

// Result returns the ranking of queued row i (internal ids, best first).
func (p *Predictor) Result(i int) ([]int32, []float32) {
	k := p.K
	c := p.counts[i]
	return p.labels[i*k : i*k+c], p.scores[i*k : i*k+c]
}

// Original maps internal label ids back to the data's ids in place.
func (m *Model) Original(labels []int32) {
	if m.Inv == nil {
		return
	}
	for i, l := range labels {
		labels[i] = m.Inv[l]
	}
}

// SetPredictBeam sets the beam width an MHC model predicts with (0: the
// training beam). Other heads have no beam.
func (m *Model) SetPredictBeam(k int) error {
	if k == 0 {
		return nil
	}
	h, ok := m.Head.(*heads.MHCHead)
	if !ok {
		return fmt.Errorf("%w: a prediction beam applies to MHC models; this model's head is %s", config.ErrInvalid, m.Method)
	}
	if k < 0 {
		return fmt.Errorf("%w: prediction beam %d must be >= 1 (0 = the training beam)", config.ErrInvalid, k)
	}
	h.PredictBeam = k
	return nil
}
