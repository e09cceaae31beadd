package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/mhe-xlc/mhe/internal/buildinfo"
	"github.com/mhe-xlc/mhe/internal/clock"
	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/detmath"
	"github.com/mhe-xlc/mhe/internal/eval"
	"github.com/mhe-xlc/mhe/internal/heads"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/nn"
	"github.com/mhe-xlc/mhe/internal/record"
)

// ErrDiverged reports a loss that became NaN or infinite.
var ErrDiverged = errors.New("training diverged")

// ErrInterrupted is returned when the context was cancelled; a checkpoint
// of the work so far was written when the trainer has a directory.
var ErrInterrupted = errors.New("training interrupted")

// Event reports progress to the caller (the CLI renders it).
type Event struct {
	Phase   string // "read" (a data file loads), "train", "epoch"
	Epoch   int
	Epochs  int
	Done    int     // rows done in this epoch
	Total   int     // rows in an epoch
	Loss    float64 // running mean loss of this epoch
	Elapsed time.Duration
	Record  *EpochRecord // set for Phase "epoch"
	// File, Bytes and Size are set for Phase "read": the data file, the
	// bytes of it read so far and its size (compressed, for .gz).
	File        string
	Bytes, Size int64
}

// EpochRecord is one line of metrics.jsonl (and of a run record's history).
type EpochRecord = record.Epoch

// State is the resumable part of a run, saved in every checkpoint.
type State struct {
	Epoch      int           `json:"epoch"` // epochs completed
	Batch      int           `json:"batch"` // batches done in epoch Epoch+1
	Step       int64         `json:"step"`
	LossSum    float64       `json:"loss_sum"` // partial epoch
	LossRows   int64         `json:"loss_rows"`
	Selected   float64       `json:"selected,omitempty"` // partial epoch: Σ selected share
	Seconds    float64       `json:"seconds"`            // partial epoch
	History    []EpochRecord `json:"history"`
	BestMetric float64       `json:"best_metric"`
	BestEpoch  int           `json:"best_epoch"`
	BadEpochs  int           `json:"bad_epochs"`
	SWACount   int           `json:"swa_count"`
	// Kept names the weights the model ends with (record.KeptAverage,
	// KeptBest or KeptLast).
	Kept string `json:"kept,omitempty"`
	// AverageValidation holds the validation metrics of the weight average
	// (train.average: swa) installed at the end, which no epoch validated.
	AverageValidation map[string]float64 `json:"average_validation,omitempty"`
	Stopped           bool               `json:"stopped"`
	DataSHA256        []string           `json:"data_sha256"`
	// Builds are the mhe builds that trained the run, in order: one, unless
	// it was resumed by another build (another commit, version, Go or
	// platform), whose model neither build trains alone.
	Builds []buildinfo.Info `json:"builds,omitempty"`
}

// Trainer runs the optimisation of a model on preprocessed data with
// internal label ids.
type Trainer struct {
	M        *Model
	Cfg      *config.Config
	Train    *data.Dataset
	Val      *data.Dataset // nil: no validation
	Pool     *nn.Pool
	Dir      *modelio.Dir // nil: no checkpoints
	Progress func(Event)
	// CheckpointEvery is the least wall time between two end-of-epoch
	// checkpoints: an epoch that ends sooner after the last one is not
	// checkpointed, and neither is the last epoch (the model is saved
	// next). 0: a checkpoint after every epoch. An interrupted run always
	// writes one. Results do not depend on it: a run resumed from an older
	// checkpoint replays the same batches.
	CheckpointEvery time.Duration

	opt   *nn.Optimizer
	state State
	best  [][]float32
	swa   [][]float32
	ws    *workspace
	batch nn.Batch
}

// newOptimizer is the optimiser train.optimizer, train.momentum and
// train.weight_decay describe.
func newOptimizer(cfg *config.Config) (*nn.Optimizer, error) {
	opt, err := nn.NewOptimizer(nn.OptKind(strings.ToLower(cfg.Train.Optimizer)), cfg.Train.Momentum, cfg.Train.WeightDecay)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", config.ErrInvalid, err)
	}
	return opt, nil
}

// NewTrainer prepares the optimiser state.
func NewTrainer(m *Model, cfg *config.Config, train, val *data.Dataset, pool *nn.Pool, dir *modelio.Dir, dataSHA []string) (*Trainer, error) {
	opt, err := newOptimizer(cfg)
	if err != nil {
		return nil, err
	}
	for _, p := range m.Params() {
		opt.Init(p)
	}
	if metric := strings.ToLower(cfg.Train.EarlyStoppingMetric); val != nil && strings.HasPrefix(metric, "acc@") && !m.SingleLabel {
		return nil, fmt.Errorf("%w: train.early_stopping_metric %s is top-k accuracy, reported for single-label data only; this data is multi-label: use p@%s", config.ErrInvalid, metric, strings.TrimPrefix(metric, "acc@"))
	}
	t := &Trainer{M: m, Cfg: cfg, Train: train, Val: val, Pool: pool, Dir: dir, opt: opt}
	t.state.DataSHA256 = dataSHA
	t.state.BestMetric = -1 // metrics are >= 0
	t.state.Builds = []buildinfo.Info{buildinfo.Get()}
	return t, nil
}

// State returns the run state (history, best epoch).
func (t *Trainer) State() State { return t.state }

func (t *Trainer) stepsPerEpoch() int {
	bs := t.batchSize()
	return (t.Train.Rows() + bs - 1) / bs
}

// batchSize is the run's effective batch size (effectiveBatch).
func (t *Trainer) batchSize() int {
	return effectiveBatch(t.Cfg.Train.BatchSize, t.Train.Rows())
}

// effectiveBatch is train.batch_size, or the training rows when there are
// fewer: a batch holds at most every row once, so the batches (and the
// weights) are the same, and the buffers are not sized for rows that do not
// exist.
func effectiveBatch(batch, rows int) int {
	return min(batch, max(rows, 1))
}

// lr is the learning rate at optimiser step s (0-based) of total.
func (t *Trainer) lr(s, total int64) float64 {
	tc := t.Cfg.Train
	base := tc.LR
	if tc.WarmupSteps > 0 && s < int64(tc.WarmupSteps) {
		base *= float64(s+1) / float64(tc.WarmupSteps)
	}
	frac := float64(s) / float64(max(total, 1))
	switch tc.Schedule {
	case "linear":
		return base * (1 - frac)
	case "cosine":
		return base * 0.5 * (1 + detmath.Cos(math.Pi*frac))
	case "step":
		switch {
		case frac >= 0.75:
			return base * 0.01
		case frac >= 0.5:
			return base * 0.1
		}
	}
	return base
}

// epochOrder is the shuffled row order of an epoch: a function of the seed
// and the epoch only, so a resumed run sees the same batches.
func epochOrder(seed uint64, epoch, n int) []int {
	return rand.New(rand.NewPCG(seed, 0xe90c0000+uint64(epoch))).Perm(n)
}

// Run trains until the configured epochs are done or early stopping ends
// the run. On cancellation it writes a checkpoint (when it has a directory)
// and returns ErrInterrupted.
func (t *Trainer) Run(ctx context.Context) error {
	tc := t.Cfg.Train
	n := t.Train.Rows()
	bs := t.batchSize()
	steps := t.stepsPerEpoch()
	total := int64(steps) * int64(tc.Epochs)
	t.ws = t.M.Net.newWorkspace(bs, true)
	workers := make([]heads.Worker, t.Pool.Workers())
	for i := range workers {
		workers[i] = t.M.Head.NewWorker()
	}
	losses := make([]float32, bs)
	keys := make([]int, bs)
	sampled, isSampled := t.M.Head.(heads.SampledHead)
	var batchLabels [][]int32
	lastCheckpoint := time.Now()
	for epoch := t.state.Epoch + 1; epoch <= tc.Epochs && !t.state.Stopped; epoch++ {
		order := epochOrder(tc.Seed, epoch, n)
		start := clock.Start()
		var lastLR float64
		for b := t.state.Batch; b < steps; b++ {
			if ctx.Err() != nil {
				t.state.Seconds += start.Seconds()
				if err := t.checkpoint(epoch-1, b); err != nil {
					return errors.Join(ErrInterrupted, err)
				}
				return ErrInterrupted
			}
			rows := order[b*bs : min((b+1)*bs, n)]
			t.batch.Reset()
			for i, r := range rows {
				t.batch.Add(t.Train.X.Row(r))
				keys[i] = r
			}
			nb := len(rows)
			dropInputs(&t.batch, t.Cfg.Encoder.InputDropout, tc.Seed, uint64(epoch), keys[:nb])
			var blk *nn.Blocks
			out := t.M.Net.Outputs
			if isSampled {
				batchLabels = batchLabels[:0]
				for _, r := range rows {
					l, _ := t.Train.Y.Row(r)
					batchLabels = append(batchLabels, l)
				}
				blk = sampled.Select(batchLabels, keys[:nb], uint64(t.state.Step))
				out = blk.Width()
				sel := 0
				blk.EachRun(func(_, lo, hi int) { sel += hi - lo })
				t.state.Selected += float64(sel) / float64(t.M.Net.Outputs)
			}
			logits := t.M.Net.forward(t.Pool, &t.batch, t.ws, true, keys, uint64(epoch), blk)
			scale := 1 / float32(nb)
			th, ownParams := t.M.Head.(heads.TrainableHead)
			if ownParams {
				th.BeginBatch(nb)
			}
			t.Pool.For(nb, rowChunk, func(w, lo, hi int) {
				hw := workers[w]
				for i := lo; i < hi; i++ {
					labels, _ := t.Train.Y.Row(rows[i])
					losses[i] = hw.Loss(i, logits[i*out:(i+1)*out], t.ws.dlogits[i*out:(i+1)*out], labels, scale)
				}
			})
			var batchLoss float64
			for i := range nb {
				batchLoss += float64(losses[i])
			}
			if math.IsNaN(batchLoss) || math.IsInf(batchLoss, 0) {
				return fmt.Errorf("%w: the loss became %v at epoch %d, batch %d; lower train.lr (now %g) or use adam", ErrDiverged, batchLoss, epoch, b+1, tc.LR)
			}
			t.state.LossSum += batchLoss
			t.state.LossRows += int64(nb)
			lastLR = t.lr(t.state.Step, total)
			t.opt.Begin()
			if ownParams {
				th.Update(t.Pool, t.opt, logits, float32(lastLR))
			}
			t.M.Net.backward(t.Pool, t.opt, &t.batch, t.ws, float32(lastLR), blk)
			t.state.Step++
			t.state.Batch = b + 1
			if t.Progress != nil {
				t.Progress(Event{Phase: "train", Epoch: epoch, Epochs: tc.Epochs, Done: min((b+1)*bs, n), Total: n,
					Loss: t.state.LossSum / float64(t.state.LossRows), Elapsed: start.Elapsed()})
			}
		}
		secs := t.state.Seconds + start.Seconds()
		rec := EpochRecord{Epoch: epoch, Loss: t.state.LossSum / float64(max(t.state.LossRows, 1)), LR: lastLR, Seconds: secs,
			ExamplesPerSec: float64(n) / math.Max(secs, 1e-9)}
		if isSampled {
			rec.SelectedShare = t.state.Selected / float64(steps)
		}
		if err := t.endEpoch(epoch, &rec); err != nil {
			return err
		}
		t.state.History = append(t.state.History, rec)
		t.state.Epoch, t.state.Batch, t.state.LossSum, t.state.LossRows, t.state.Seconds, t.state.Selected = epoch, 0, 0, 0, 0, 0
		if t.Progress != nil {
			t.Progress(Event{Phase: "epoch", Epoch: epoch, Epochs: tc.Epochs, Done: n, Total: n, Loss: rec.Loss, Record: &rec})
		}
		if !t.skipCheckpoint(epoch, lastCheckpoint) {
			if err := t.checkpoint(epoch, 0); err != nil {
				return err
			}
			lastCheckpoint = time.Now()
		} else if err := t.writeMetrics(t.state.History); err != nil {
			return err
		}
	}
	t.finish()
	if t.swa != nil && t.Val != nil {
		res, err := t.Validate()
		if err != nil {
			return err
		}
		t.state.AverageValidation = res.ByName()
	}
	return nil
}

// skipCheckpoint says whether the end of epoch may go without a checkpoint
// (see CheckpointEvery).
func (t *Trainer) skipCheckpoint(epoch int, last time.Time) bool {
	if t.CheckpointEvery <= 0 || t.Dir == nil {
		return false
	}
	if epoch >= t.Cfg.Train.Epochs || t.state.Stopped {
		return true
	}
	return time.Since(last) < t.CheckpointEvery
}

// trackBest takes epoch's validation metric v: a new best (strictly
// better; a tie is not) is kept, with its weights when early stopping is
// on; train.early_stopping_patience epochs in a row without one stop the
// run.
func (t *Trainer) trackBest(epoch int, v float64, rec *EpochRecord) {
	patience := t.Cfg.Train.EarlyStoppingPatience
	if v > t.state.BestMetric {
		t.state.BestMetric, t.state.BestEpoch, t.state.BadEpochs = v, epoch, 0
		rec.Best = true
		if patience > 0 {
			t.best = copyParams(t.M.Params(), t.best)
		}
		return
	}
	t.state.BadEpochs++
	if patience > 0 && t.state.BadEpochs >= patience {
		t.state.Stopped = true
	}
}

// endEpoch validates, tracks the best epoch for early stopping, and
// accumulates the weight average.
func (t *Trainer) endEpoch(epoch int, rec *EpochRecord) error {
	tc := t.Cfg.Train
	if t.Val != nil {
		res, err := t.Validate()
		if err != nil {
			return err
		}
		rec.Validation = res.ByName()
		v, ok := res.Get(strings.ToLower(tc.EarlyStoppingMetric))
		if !ok { // config.Validate and NewTrainer rule this out
			return fmt.Errorf("%w: train.early_stopping_metric %s is not among the validation metrics", config.ErrInvalid, tc.EarlyStoppingMetric)
		}
		t.trackBest(epoch, v, rec)
	}
	if tc.Average == "swa" && epoch >= t.averageStart() {
		ps := t.M.Params()
		if t.swa == nil {
			t.swa = copyParams(ps, nil)
			t.state.SWACount = 1
		} else {
			t.state.SWACount++
			k := float32(t.state.SWACount)
			for i, p := range ps {
				a := t.swa[i]
				for j, w := range p.W {
					a[j] += (w - a[j]) / k
				}
			}
		}
	}
	return nil
}

func (t *Trainer) averageStart() int {
	if s := t.Cfg.Train.AverageStart; s > 0 {
		return s
	}
	return t.Cfg.Train.Epochs/2 + 1
}

// finish installs the averaged or best weights.
func (t *Trainer) finish() {
	ps := t.M.Params()
	t.state.Kept = record.KeptLast
	switch {
	case t.swa != nil:
		for i, p := range ps {
			copy(p.W, t.swa[i])
		}
		t.state.Kept = record.KeptAverage
	case t.best != nil:
		for i, p := range ps {
			copy(p.W, t.best[i])
		}
		t.state.Kept = record.KeptBest
	}
}

func copyParams(ps []*nn.Param, into [][]float32) [][]float32 {
	if into == nil {
		into = make([][]float32, len(ps))
	}
	for i, p := range ps {
		into[i] = append(into[i][:0], p.W...)
	}
	return into
}

// Validate evaluates the current weights on the validation rows.
func (t *Trainer) Validate() (eval.Result, error) {
	return EvaluateInternal(t.M, t.Pool, t.Val, t.Cfg.Eval, t.internalCounts(), t.Train.Rows(), t.Cfg.Name)
}

func (t *Trainer) internalCounts() []int64 { return t.Train.Y.ColumnCounts() }

// EvaluateInternal predicts ds (preprocessed, internal labels) and scores
// it; counts are the training label counts in the same ids.
func EvaluateInternal(m *Model, pool *nn.Pool, ds *data.Dataset, ec config.EvalConfig, counts []int64, trainRows int, name string) (eval.Result, error) {
	return evaluate(m, pool, ds, ec, counts, trainRows, name, false)
}

// EvaluateOriginal predicts a preprocessed dataset whose labels are in the
// original ids and scores it (propensities from the model's training
// counts).
func EvaluateOriginal(m *Model, pool *nn.Pool, ds *data.Dataset, ec config.EvalConfig, name string) (eval.Result, error) {
	return evaluate(m, pool, ds, ec, m.LabelCounts, m.TrainRows, name, true)
}

func evaluate(m *Model, pool *nn.Pool, ds *data.Dataset, ec config.EvalConfig, counts []int64, trainRows int, name string, original bool) (eval.Result, error) {
	ev, err := newEvaluator(m, ec, counts, trainRows, name, false)
	if err != nil {
		return eval.Result{}, err
	}
	addPredictions(m, pool, ds, ev, original)
	return ev.Result(), nil
}

// OriginalEvaluator returns the empty evaluator EvaluateOriginal scores
// with (ec's cut-offs and empty-row policy, top-k accuracy for single-label
// models, propensities from the model's training counts), keeping every
// row's statistics when keepRows (for eval.Compare).
func OriginalEvaluator(m *Model, ec config.EvalConfig, name string, keepRows bool) (*eval.Evaluator, error) {
	return newEvaluator(m, ec, m.LabelCounts, m.TrainRows, name, keepRows)
}

// AddOriginal predicts a preprocessed dataset whose labels are in the
// original ids and adds every row to ev and to each of more (ev.MaxK
// predictions per row).
func AddOriginal(m *Model, pool *nn.Pool, ds *data.Dataset, ev *eval.Evaluator, more ...RowScorer) {
	addPredictions(m, pool, ds, ev, true, more...)
}

// RowScorer takes one row's sorted true labels, its ranked predictions and
// their scores (eval.PerLabel).
type RowScorer interface {
	Add(truth, ranked []int32, scores []float32)
}

func newEvaluator(m *Model, ec config.EvalConfig, counts []int64, trainRows int, name string, keepRows bool) (*eval.Evaluator, error) {
	ks := slices.Clone(ec.K)
	if len(ks) == 0 {
		ks = eval.DefaultK
	}
	opt := eval.Options{K: ks, Empty: eval.EmptyPolicy(ec.EmptyRows), SingleLabel: m.SingleLabel, KeepRows: keepRows}
	if counts != nil && trainRows > 0 {
		w, err := eval.InvPropensity(counts, trainRows, eval.PropensityParams{A: ec.A, B: ec.B}.Or(name))
		if err != nil {
			return nil, err
		}
		opt.InvPropensity = w
	}
	return eval.NewEvaluator(opt)
}

func addPredictions(m *Model, pool *nn.Pool, ds *data.Dataset, ev *eval.Evaluator, original bool, more ...RowScorer) {
	var mapLabels func([]int32)
	if original {
		mapLabels = m.Original
	}
	addRows(NewPredictor(m, pool, ev.MaxK()), ds, mapLabels, ev, more...)
}
