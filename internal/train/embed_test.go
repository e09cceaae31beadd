package train

import (
	"errors"
	"math"
	"path/filepath"
	"testing"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/nn"
)

// The exported features are the encoder output the classifier scores: the
// head layer applied to them gives the net's logits, for every batch size.
func TestEncoderFeaturesFeedTheHead(t *testing.T) {
	cfg := synthConfig("mhs", "index")
	cfg.Head.Heads, cfg.Head.Samples = 6, 2
	cfg.Encoder.Hidden = []int{48, 24}
	m := trainAndLoad(t, cfg)
	test, _, err := LoadTest(&cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := m.Prep.Apply(test.X)
	pool := nn.NewPool(2)
	enc, err := NewEncoder(m, pool)
	if err != nil {
		t.Fatal(err)
	}
	if enc.Dim() != 24 {
		t.Fatalf("Dim = %d, want the last hidden width 24", enc.Dim())
	}
	ws := m.Net.newWorkspace(PredictBatch, false)
	var batch nn.Batch
	for lo := 0; lo < x.Rows; lo += PredictBatch {
		hi := min(lo+PredictBatch, x.Rows)
		enc.Reset()
		batch.Reset()
		for r := lo; r < hi; r++ {
			enc.Add(x.Row(r))
			batch.Add(x.Row(r))
		}
		enc.Run()
		logits := m.Net.forward(pool, &batch, ws, false, nil, 0, nil)
		out, d := m.Net.Outputs, enc.Dim()
		for i := range hi - lo {
			f := enc.Row(i)
			for o := range out {
				z := float64(m.Net.Out.B.W[o])
				for k := range d {
					z += float64(f[k]) * float64(m.Net.Out.W.W[o*d+k])
				}
				if !(math.Abs(z-float64(logits[i*out+o])) <= 1e-4) {
					t.Fatalf("row %d output %d: head(f) = %v, net logit %v", lo+i, o, z, logits[i*out+o])
				}
			}
		}
	}
}

func TestEncoderRefusesLinearModels(t *testing.T) {
	cfg := synthConfig("vanilla", "index")
	cfg.Encoder.Type, cfg.Encoder.Hidden, cfg.Encoder.Dropout, cfg.Train.Epochs = "linear", nil, 0, 1
	m := trainAndLoad(t, cfg)
	if _, err := NewEncoder(m, nn.NewPool(1)); !errors.Is(err, ErrNoFeatures) {
		t.Fatalf("linear model: err %v, want ErrNoFeatures", err)
	}
}

// trainAndLoad trains cfg into a temporary directory and loads the model.
func trainAndLoad(t *testing.T, cfg config.Config) *Model {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "m")
	trainTo(t, cfg, dir)
	m, _, closeFn, err := LoadModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeFn() })
	return m
}
