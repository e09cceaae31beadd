package train

import (
	"context"
	"math"
	"testing"

	"github.com/mhe-xlc/mhe/internal/heads"
	"github.com/mhe-xlc/mhe/internal/nn"
)

// meanTrainingLoss is the model's mean loss over the rows of tr's training
// set, every row in one batch, no dropout.
func meanTrainingLoss(m *Model, tr *Trainer) float64 {
	n := tr.Train.Rows()
	var batch nn.Batch
	batch.Reset()
	keys := make([]int, n)
	for i := range n {
		batch.Add(tr.Train.X.Row(i))
		keys[i] = i
	}
	ws := m.Net.newWorkspace(n, false)
	logits := m.Net.forward(nn.NewPool(1), &batch, ws, false, keys, 0, nil)
	out := m.Net.Outputs
	worker := m.Head.NewWorker()
	dz := make([]float32, out)
	var sum float64
	for i := range n {
		labels, _ := tr.Train.Y.Row(i)
		sum += float64(worker.Loss(i, logits[i*out:(i+1)*out], dz, labels, 1))
	}
	return sum / float64(n)
}

// An epoch record's loss is the mean of its rows' losses (a short last
// batch weighs its rows, not a whole batch), the progress events count the
// rows done and end on the record's loss, and the rate is the rows over
// the seconds. With the weights held (a learning rate of 0, no dropout)
// every epoch's loss is the model's mean loss on the training rows.
func TestEpochRecordLoss(t *testing.T) {
	cfg := synthConfig("vanilla", "index")
	cfg.Data.Synth.Examples = 700
	cfg.Encoder.Dropout = 0
	cfg.Train.Epochs, cfg.Train.BatchSize = 2, 64
	m, tr, _ := prepared(t, &cfg)
	tr.Cfg.Train.LR = 0
	n, bs := tr.Train.Rows(), 64
	if n%bs == 0 {
		t.Fatalf("%d training rows: the last batch must be short", n)
	}
	want := meanTrainingLoss(m, tr)
	var events []Event
	tr.Progress = func(e Event) { events = append(events, e) }
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	hist := tr.State().History
	if len(hist) != 2 {
		t.Fatalf("%d epoch records, want 2", len(hist))
	}
	steps := (n + bs - 1) / bs
	if len(events) != 2*(steps+1) {
		t.Fatalf("%d progress events, want %d (a train event a batch and an epoch event, two epochs)", len(events), 2*(steps+1))
	}
	for e, rec := range hist {
		if rec.Epoch != e+1 {
			t.Errorf("record %d is of epoch %d", e, rec.Epoch)
		}
		if !(math.Abs(rec.Loss-want) <= 1e-9*want) {
			t.Errorf("epoch %d: loss %.12f, want the mean row loss %.12f", e+1, rec.Loss, want)
		}
		if !(rec.Seconds > 0) || !(math.Abs(rec.ExamplesPerSec*rec.Seconds-float64(n)) <= 1e-6*float64(n)) {
			t.Errorf("epoch %d: %v examples/s over %v s, want %d rows over the seconds", e+1, rec.ExamplesPerSec, rec.Seconds, n)
		}
		evs := events[e*(steps+1) : (e+1)*(steps+1)]
		for b, ev := range evs[:steps] {
			if ev.Phase != "train" || ev.Epoch != e+1 || ev.Epochs != 2 || ev.Done != min((b+1)*bs, n) || ev.Total != n {
				t.Errorf("epoch %d, batch %d: event %+v, want train, %d of %d rows done", e+1, b+1, ev, min((b+1)*bs, n), n)
			}
		}
		if last := evs[steps-1]; last.Loss != rec.Loss {
			t.Errorf("epoch %d: the last batch's running loss %v is not the record's %v", e+1, last.Loss, rec.Loss)
		}
		if ev := evs[steps]; ev.Phase != "epoch" || ev.Record == nil || ev.Record.Loss != rec.Loss || ev.Done != n || ev.Loss != rec.Loss {
			t.Errorf("epoch %d: end event %+v, want the record", e+1, ev)
		}
	}
}

// MHS's selected share is, per epoch, the mean over its batches of the
// share of the classifier's outputs the batch's selection scores.
func TestEpochRecordSelectedShare(t *testing.T) {
	cfg := synthConfig("mhs", "index")
	cfg.Data.Synth.Examples = 400
	cfg.Head.Heads, cfg.Head.Samples = 6, 1
	cfg.Train.Epochs, cfg.Train.BatchSize = 2, 16
	m, tr, _ := prepared(t, &cfg)
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	sampled := m.Head.(heads.SampledHead)
	n, bs := tr.Train.Rows(), 16
	steps := (n + bs - 1) / bs
	for e, rec := range tr.State().History {
		order := epochOrder(cfg.Train.Seed, e+1, n)
		var share float64
		lo, hi := 1.0, 0.0
		for b := range steps {
			rows := order[b*bs : min((b+1)*bs, n)]
			var labels [][]int32
			for _, r := range rows {
				l, _ := tr.Train.Y.Row(r)
				labels = append(labels, l)
			}
			blk := sampled.Select(labels, rows, uint64(e*steps+b))
			sel := 0
			blk.EachRun(func(_, lo, hi int) { sel += hi - lo })
			s := float64(sel) / float64(m.Net.Outputs)
			share += s
			lo, hi = min(lo, s), max(hi, s)
		}
		share /= float64(steps)
		if lo == hi {
			t.Fatalf("every batch selected %v of the outputs: the test cannot tell a mean from one batch's", lo)
		}
		if !(math.Abs(rec.SelectedShare-share) <= 1e-12) {
			t.Errorf("epoch %d: selected share %v, want %v", e+1, rec.SelectedShare, share)
		}
	}
}
