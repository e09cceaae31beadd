package train

import (
	"errors"
	"testing"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/heads"
	"github.com/mhe-xlc/mhe/internal/nn"
)

// A predictor's batch is full at exactly PredictBatch rows (its buffers
// hold that many), and Reset empties it.
func TestPredictorBatchFull(t *testing.T) {
	cfg := synthConfig("vanilla", "index")
	m, err := Build(Spec{Config: &cfg, Labels: 60, Features: 500})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPredictor(m, nn.NewPool(1), 5)
	p.Reset()
	for i := range PredictBatch {
		if p.Full() {
			t.Fatalf("full at %d rows", i)
		}
		p.Add([]int32{int32(i % 500)}, []float32{1})
	}
	if !p.Full() || p.Len() != PredictBatch {
		t.Errorf("%d rows queued, full %v: want full at %d", p.Len(), p.Full(), PredictBatch)
	}
	p.Reset()
	if p.Len() != 0 || p.Full() {
		t.Errorf("after Reset: %d rows, full %v", p.Len(), p.Full())
	}
}

// A prediction beam is MHC's: 0 keeps the training beam, a negative one is
// refused, and other heads refuse any.
func TestSetPredictBeam(t *testing.T) {
	cfg := synthConfig("mhc", "index")
	cfg.Head.BottleneckDim, cfg.Head.Beam = 8, 4
	m, err := Build(Spec{Config: &cfg, Labels: 60, Features: 500})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Head.(*heads.MHCHead)
	if err := m.SetPredictBeam(0); err != nil || h.PredictBeam != 0 {
		t.Errorf("beam 0: %v, prediction beam %d, want none set (the training beam)", err, h.PredictBeam)
	}
	for _, k := range []int{1, 60} {
		if err := m.SetPredictBeam(k); err != nil || h.PredictBeam != k {
			t.Errorf("beam %d: %v, prediction beam %d", k, err, h.PredictBeam)
		}
	}
	if err := m.SetPredictBeam(-1); !errors.Is(err, config.ErrInvalid) {
		t.Errorf("beam -1: %v, want an invalid setting", err)
	}
	cfg = synthConfig("mhp", "index")
	v, err := Build(Spec{Config: &cfg, Labels: 60, Features: 500})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.SetPredictBeam(0); err != nil {
		t.Errorf("beam 0 on MHP: %v", err)
	}
	if err := v.SetPredictBeam(3); !errors.Is(err, config.ErrInvalid) {
		t.Errorf("beam 3 on MHP: %v, want an invalid setting", err)
	}
}
