package train

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/record"
)

// The learning rate at each step: warmup ramps it up over the first
// train.warmup_steps steps (step s gets (s+1)/warmup of it), then the
// schedule takes the share of the run done: linear to 0, cosine to 0,
// step to a tenth at half the run and a hundredth at three quarters.
func TestLRSchedule(t *testing.T) {
	at := func(schedule string, warmup int, s, total int64) float64 {
		cfg := config.Default()
		cfg.Train.LR, cfg.Train.Schedule, cfg.Train.WarmupSteps = 0.1, schedule, warmup
		return (&Trainer{Cfg: &cfg}).lr(s, total)
	}
	for _, c := range []struct {
		schedule string
		warmup   int
		s, total int64
		want     float64
	}{
		{"constant", 0, 0, 100, 0.1},
		{"constant", 0, 99, 100, 0.1},
		{"constant", 10, 0, 100, 0.01},
		{"constant", 10, 4, 100, 0.05},
		{"constant", 10, 9, 100, 0.1},
		{"constant", 10, 10, 100, 0.1},
		{"linear", 0, 0, 100, 0.1},
		{"linear", 0, 25, 100, 0.075},
		{"linear", 0, 99, 100, 0.001},
		{"linear", 10, 4, 100, 0.05 * 0.96},
		{"cosine", 0, 0, 100, 0.1},
		{"cosine", 0, 50, 100, 0.05},
		{"cosine", 0, 25, 100, 0.05 * (1 + math.Sqrt2/2)},
		{"step", 0, 49, 100, 0.1},
		{"step", 0, 50, 100, 0.01},
		{"step", 0, 74, 100, 0.01},
		{"step", 0, 75, 100, 0.001},
		{"linear", 0, 0, 0, 0.1}, // no steps: no division by zero
	} {
		if got := at(c.schedule, c.warmup, c.s, c.total); !(math.Abs(got-c.want) <= 1e-12) {
			t.Errorf("%s, warmup %d, step %d of %d: lr %v, want %v", c.schedule, c.warmup, c.s, c.total, got, c.want)
		}
	}
}

// Batches per epoch: the rows over the batch size, rounded up; a batch
// holds at most every row once.
func TestBatchesPerEpoch(t *testing.T) {
	for _, c := range []struct{ rows, batch, size, steps int }{
		{100, 32, 32, 4}, {96, 32, 32, 3}, {97, 32, 32, 4}, {10, 64, 10, 1}, {1, 64, 1, 1},
	} {
		cfg := config.Default()
		cfg.Train.BatchSize = c.batch
		tr := &Trainer{Cfg: &cfg, Train: &data.Dataset{X: &data.CSR{Rows: c.rows}, Y: &data.CSR{Rows: c.rows}}}
		if size, steps := tr.batchSize(), tr.stepsPerEpoch(); size != c.size || steps != c.steps {
			t.Errorf("%d rows, batch_size %d: batches of %d, %d per epoch; want %d, %d", c.rows, c.batch, size, steps, c.size, c.steps)
		}
	}
	if got := effectiveBatch(64, 0); got != 1 {
		t.Errorf("effectiveBatch(64, 0) = %d, want 1", got)
	}
}

// An epoch's row order is a function of the seed and the epoch, pinned so
// that a seed sees the same batches under a later mhe (and a resumed run
// the batches it would have seen).
func TestEpochOrderPinned(t *testing.T) {
	if got, want := fmt.Sprint(epochOrder(1, 1, 10)), "[8 6 3 4 2 1 0 7 9 5]"; got != want {
		t.Errorf("epochOrder(1, 1, 10) = %s, want %s", got, want)
	}
	if slices.Equal(epochOrder(1, 2, 10), epochOrder(1, 1, 10)) {
		t.Error("epochs 1 and 2 share an order")
	}
}

// train.average: swa keeps the running mean of the weights at the end of
// each epoch from train.average_start on, and installs it at the end.
func TestSWAAverage(t *testing.T) {
	cfg := synthConfig("vanilla", "index")
	cfg.Data.Synth.Examples = 200
	cfg.Train.Epochs, cfg.Train.Average, cfg.Train.AverageStart = 5, "swa", 3
	m, tr, _ := prepared(t, &cfg)
	for epoch := 1; epoch <= 5; epoch++ {
		for _, p := range m.Params() {
			for j := range p.W {
				p.W[j] = float32(epoch * epoch) // epochs 3, 4, 5: 9, 16, 25
			}
		}
		if err := tr.endEpoch(epoch, &EpochRecord{Epoch: epoch}); err != nil {
			t.Fatal(err)
		}
	}
	tr.finish()
	if got := tr.State().Kept; got != record.KeptAverage {
		t.Errorf("kept %q, want the average", got)
	}
	for _, p := range m.Params() {
		for j, w := range p.W {
			if !(math.Abs(float64(w)-50.0/3) <= 1e-5) {
				t.Fatalf("%s[%d] = %v, want the mean of 9, 16 and 25 (16.667)", p.Name, j, w)
			}
		}
	}
}

// Early stopping: the best epoch is the first with the highest metric (a
// tie is not better), its weights are kept when patience is on, and
// patience epochs in a row without a new best stop the run.
func TestTrackBest(t *testing.T) {
	metrics := []float64{0.5, 0.6, 0.6, 0.55, 0.7}
	for _, c := range []struct {
		patience, stoppedAt, best int
		bestValue                 float32 // the first weight kept as best
	}{
		{0, 0, 5, 0}, // no early stopping: nothing kept, never stopped
		{2, 4, 2, 2},
		{3, 0, 5, 5},
	} {
		cfg := synthConfig("vanilla", "index")
		cfg.Data.Synth.Examples = 200
		cfg.Train.Epochs, cfg.Train.EarlyStoppingPatience, cfg.Train.ValidationFraction = 5, c.patience, 0.2
		m, tr, _ := prepared(t, &cfg)
		stoppedAt := 0
		for i, v := range metrics {
			epoch := i + 1
			for _, p := range m.Params() {
				p.W[0] = float32(epoch)
			}
			rec := &EpochRecord{Epoch: epoch}
			tr.trackBest(epoch, v, rec)
			if rec.Best != (epoch == 1 || epoch == 2 || epoch == 5) {
				t.Errorf("patience %d, epoch %d (%.2f): best %v", c.patience, epoch, v, rec.Best)
			}
			if tr.State().Stopped {
				stoppedAt = epoch
				break
			}
		}
		st := tr.State()
		if stoppedAt != c.stoppedAt || st.BestEpoch != c.best {
			t.Errorf("patience %d: stopped at epoch %d, best %d; want %d, %d", c.patience, stoppedAt, st.BestEpoch, c.stoppedAt, c.best)
		}
		if c.patience == 0 {
			if tr.best != nil {
				t.Errorf("patience 0 kept weights")
			}
			continue
		}
		if tr.best == nil {
			t.Errorf("patience %d: no weights kept", c.patience)
		} else if tr.best[0][0] != c.bestValue {
			t.Errorf("patience %d: kept the weights of epoch %v, want those of epoch %v", c.patience, tr.best[0][0], c.bestValue)
		}
	}
}

// train.average_start: the epoch averaging starts at, by default the one
// after half the epochs.
func TestAverageStart(t *testing.T) {
	for _, c := range []struct{ epochs, start, want int }{{5, 0, 3}, {4, 0, 3}, {1, 0, 1}, {10, 1, 1}, {10, 7, 7}} {
		cfg := config.Default()
		cfg.Train.Epochs, cfg.Train.AverageStart = c.epochs, c.start
		if got := (&Trainer{Cfg: &cfg}).averageStart(); got != c.want {
			t.Errorf("%d epochs, average_start %d: starts at %d, want %d", c.epochs, c.start, got, c.want)
		}
	}
}
