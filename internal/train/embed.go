package train

import (
	"errors"

	"github.com/mhe-xlc/mhe/internal/nn"
)

// ErrNoFeatures is returned for a model whose encoder has no hidden layer:
// its "features" are the sparse input itself.
var ErrNoFeatures = errors.New("the model's encoder is linear (f = x): it has no learned features to export; train with encoder.type: mlp")

// Encoder computes the trained encoder's output f for batches of rows: the
// features MHS pre-training produces once the classifier is dropped. Rows
// must already be preprocessed (Model.Prep).
type Encoder struct {
	rowBatch
	dim int
	f   []float32
}

// NewEncoder returns an encoder of m's rows.
func NewEncoder(m *Model, pool *nn.Pool) (*Encoder, error) {
	if m.Net.Linear() {
		return nil, ErrNoFeatures
	}
	w := m.Net.widths()
	return &Encoder{rowBatch: newRowBatch(m, pool), dim: w[len(w)-1]}, nil
}

// Dim is the width of a feature vector (the last hidden layer's).
func (e *Encoder) Dim() int { return e.dim }

// Run encodes the queued rows; Row(i) then returns row i's features.
func (e *Encoder) Run() {
	if e.batch.N == 0 {
		e.f = e.f[:0]
		return
	}
	e.f = e.M.Net.encode(e.Pool, &e.batch, e.ws, false, nil, 0)
}

// Row returns the features of queued row i (valid until the next Run).
func (e *Encoder) Row(i int) []float32 {
	return e.f[i*e.dim : (i+1)*e.dim]
}
