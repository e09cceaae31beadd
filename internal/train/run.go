package train

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/mhe-xlc/mhe/internal/buildinfo"
	"github.com/mhe-xlc/mhe/internal/clock"
	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/eval"
	"github.com/mhe-xlc/mhe/internal/heads"
	"github.com/mhe-xlc/mhe/internal/hugepage"
	"github.com/mhe-xlc/mhe/internal/memlimit"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/nn"
)

// RunOptions describe a training run into a model directory.
type RunOptions struct {
	Config     *config.Config
	ConfigYAML []byte // the resolved config, saved as config.yaml
	Dir        string
	Force      bool
	Resume     bool
	Threads    int
	// CheckpointEvery: see Trainer.CheckpointEvery (0: every epoch).
	CheckpointEvery time.Duration
	Progress        func(Event)
	Log             func(format string, args ...any)
	// Warn reports what the user should act on; it is shown even when Log
	// is silenced (nil: through Log).
	Warn func(format string, args ...any)
	// MemoryLimit is what the process may use (memlimit.Get); a run that
	// needs more is warned about before its first batch. Zero: unknown.
	MemoryLimit memlimit.Limit
	// BeforeCommit, when set, is called once the model is trained and its
	// test rows scored, before anything of it is committed; an error stops
	// the run there, unfinished and resumable (tests use it to stand for a
	// kill at that moment).
	BeforeCommit func(*RunResult) error
	// Record, when set, gives the run record (result.json) of the finished
	// run, whose Manifest is set; the commit writes it just before the
	// manifest, so that no finished model lacks it.
	Record func(*RunResult) ([]byte, error)
}

// RunResult is what a finished run reports.
type RunResult struct {
	Manifest     *modelio.Manifest
	State        State
	Splits       *Splits
	Test         *eval.Result // nil without a test split or with eval.score_test false
	TrainSeconds float64
	TestSeconds  float64
	Threads      int
	Model        *Model
}

// TrainRun trains the model a configuration describes into a model
// directory: checkpoints at the end of epochs (see RunOptions.CheckpointEvery)
// and when interrupted, the final model committed atomically.
func TrainRun(ctx context.Context, o RunOptions) (_ *RunResult, err error) {
	cfg := o.Config
	logf := o.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	warnf := o.Warn
	if warnf == nil {
		warnf = func(format string, args ...any) { logf("warning: "+format, args...) }
	}
	hugepage.SetEnabled(cfg.Train.HugePages)
	// A damaged head.plan file is reported before the data is read (a
	// large dataset takes minutes) and before the model directory is made.
	if _, err := readPlanFile(cfg); err != nil {
		return nil, err
	}
	dir := modelio.Open(o.Dir)
	var ckpt *modelio.Checkpoint
	started := false
	if o.Resume {
		if err := dir.Lock(); err != nil {
			return nil, err
		}
		warnUnlocked(dir, warnf)
		c, err := dir.ReadCheckpoint()
		if err != nil {
			return nil, err
		}
		if c == nil {
			// Killed before its first checkpoint: the staged config is all
			// there is, and a fresh start from it gives the same model.
			logf("no checkpoint yet: starting the run again from its staged config")
		}
		ckpt = c
	} else {
		_, statErr := os.Stat(o.Dir)
		created := errors.Is(statErr, fs.ErrNotExist)
		if err := dir.Prepare(o.Force); err != nil {
			return nil, err
		}
		warnUnlocked(dir, warnf)
		// A run that fails before its first batch (bad data, impossible
		// plan) leaves nothing behind: no run area, no new directory.
		defer func() {
			if err != nil && !started {
				dir.Abandon(created)
			}
		}()
		if err := modelio.WriteBytes(dir.Training(modelio.ConfigFile), o.ConfigYAML); err != nil {
			return nil, err
		}
	}
	defer dir.Unlock()

	pool := nn.NewPool(o.Threads)
	t0 := clock.Start()
	splits, err := LoadSplits(cfg, cfg.Train.Seed, o.Progress)
	if err != nil {
		return nil, err
	}
	logf("data: %s (read in %.1fs)", splits.Describe(), t0.Seconds())
	if err := CheckLabelArrays(splits.Train.Name, splits.Train.Y, labelArrayBytes,
		"training's per-label arrays (counts, the label order and its inverse, propensities)", o.MemoryLimit); err != nil {
		return nil, err
	}
	e := splits.Empty
	logf("training rows without labels: %d, without features: %d, without either: %d; dropped: %d", e.NoLabels, e.NoFeatures, e.Neither, splits.Dropped)

	m, train, val, err := Prepare(cfg, splits, ckpt == nil, pool)
	if err != nil {
		return nil, err
	}
	logf("model: %s head %v (%s loss), %s encoder, %d classifier parameters (%.4g of vanilla's %d)",
		m.Method, m.Plan.Lengths, m.Loss, cfg.Encoder.Type, m.Plan.Params, m.Plan.ParamRatio, m.Plan.Vanilla.Params)
	for _, w := range m.Plan.Warnings() {
		warnf("%s", w)
	}
	var shas []string
	for _, d := range splits.Info {
		shas = append(shas, d.SHA256)
	}
	tr, err := NewTrainer(m, cfg, train, val, pool, dir, shas)
	if err != nil {
		return nil, err
	}
	mem := memoryOf(m, cfg, tr.opt, tr.batchSize())
	db := dataBytes(splits.all())
	logf("memory: %s allocated for the model (weights, gradients, optimizer state), %s for batch buffers, %s for the data",
		FormatBytes(mem.Model), FormatBytes(mem.Workspace), FormatBytes(db))
	if w := memoryWarning(mem, db, o.MemoryLimit, rowwiseWouldHelp(m)); w != "" {
		warnf("%s", w)
	}
	tr.Progress = o.Progress
	tr.CheckpointEvery = o.CheckpointEvery
	if ckpt != nil {
		other, err := tr.Resume(ckpt)
		if err != nil {
			return nil, err
		}
		if other != nil {
			warnf("the checkpoint was written by %s; this is %s. The model will be what neither build trains alone, and its run record lists both builds; for a model one build reproduces, train again with one (mhe train --config ... --force)",
				other, buildinfo.Get())
		}
		logf("resuming after epoch %d, batch %d", ckpt.Epoch, ckpt.Batch)
	}
	start := clock.Start()
	started = true
	if err := tr.Run(ctx); err != nil {
		return nil, err
	}
	res := &RunResult{State: tr.State(), Splits: splits, TrainSeconds: start.Seconds(), Threads: pool.Workers(), Model: m}
	// Score the test rows before the model is committed: a run killed while
	// scoring (a batch job's time limit) is then an unfinished run that
	// --resume (and mhe sweep run) continues, not a finished model without
	// its result.json, which a sweep could only train again from scratch.
	if splits.Test != nil && cfg.Eval.ScoreTest {
		t0 := clock.Start()
		test := &data.Dataset{Name: splits.Test.Name, X: m.Prep.Apply(splits.Test.X), Y: splits.Test.Y}
		r, err := EvaluateOriginal(m, pool, test, cfg.Eval, cfg.Name)
		if err != nil {
			return nil, err
		}
		res.Test = &r
		res.TestSeconds = t0.Seconds()
	}
	if o.BeforeCommit != nil {
		if err := o.BeforeCommit(res); err != nil {
			return nil, err
		}
	}
	var record func(*modelio.Manifest) ([]byte, error)
	if o.Record != nil {
		record = func(man *modelio.Manifest) ([]byte, error) {
			res.Manifest = man
			return o.Record(res)
		}
	}
	man, err := save(dir, m, cfg, splits, tr.State(), record)
	if err != nil {
		return nil, err
	}
	res.Manifest = man
	return res, nil
}

// CheckInputs checks, without reading the data, what TrainRun would refuse
// first: a head.plan file that does not parse, and data files that are not
// there (synthetic data has none). mhe sweep check runs it for every run of
// a sweep before the sweep is run or submitted.
func CheckInputs(cfg *config.Config) error {
	if _, err := readPlanFile(cfg); err != nil {
		return err
	}
	if cfg.Data.Synth.Labels > 0 {
		return nil
	}
	return checkDataFiles(cfg, dataFiles(&cfg.Data, false))
}

// readPlanFile reads the config's head.plan, or returns nil without one.
func readPlanFile(cfg *config.Config) (*heads.PlanFile, error) {
	if cfg.Head.Plan == "" {
		return nil, nil
	}
	f, err := heads.ReadPlanFile(cfg.Head.Plan)
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// Prepare fits the preprocessing, orders the labels and builds the model;
// it returns the training and validation sets transformed, with internal
// label ids. init sets the label-prior biases (fresh runs); pool draws the
// initial weights (nil: one goroutine).
func Prepare(cfg *config.Config, s *Splits, init bool, pool *nn.Pool) (*Model, *data.Dataset, *data.Dataset, error) {
	prep := Preprocess{InputFeatures: s.Train.NumFeatures(), Hash: cfg.Encoder.HashFeatures, Normalize: strings.EqualFold(cfg.Data.Normalize, "l2")}
	trainX := prep.Fit(s.Train.X, cfg.Data.TFIDF)
	counts := s.Train.Y.ColumnCounts()
	single := cfg.Data.SingleLabel || s.Train.IsSingleLabel()
	pf, err := readPlanFile(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	spec := Spec{Config: cfg, Labels: s.Train.NumLabels(), Features: prep.Features(), SingleLabel: single, Plan: pf, Pool: pool}
	shapes := spec
	shapes.ShapesOnly = true
	if sm, err := Build(shapes); err != nil {
		return nil, nil, nil, err
	} else if err := checkTensorSizes(sm, effectiveBatch(cfg.Train.BatchSize, s.Train.Rows()), allocCeiling()); err != nil {
		return nil, nil, nil, err
	}
	m, err := Build(spec)
	if err != nil {
		return nil, nil, nil, err
	}
	m.Prep = prep
	trainDS := &data.Dataset{Name: s.Train.Name, X: trainX, Y: s.Train.Y}
	perm, err := LabelPermutation(strings.ToLower(cfg.Head.LabelOrder), counts, cfg.Train.Seed, trainDS, pool)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: head.label_order: %v", config.ErrInvalid, err)
	}
	m.Perm, m.Inv = perm, Inverse(perm)
	m.LabelCounts = counts
	m.TrainRows = s.Train.Rows()
	train := &data.Dataset{Name: s.Train.Name, X: trainX, Y: PermuteLabels(s.Train.Y, perm)}
	var val *data.Dataset
	if s.Validation != nil {
		val = &data.Dataset{Name: s.Validation.Name, X: prep.Apply(s.Validation.X), Y: PermuteLabels(s.Validation.Y, perm)}
	}
	if init {
		m.InitBias(train.Y.ColumnCounts(), train.Rows())
	}
	return m, train, val, nil
}

// warnUnlocked says that the model directory could not be locked.
func warnUnlocked(dir *modelio.Dir, warnf func(string, ...any)) {
	if dir.Unlocked != nil {
		warnf("training without a lock on %s (%v): nothing stops a second job from training into it at the same time, so give every job its own --out", dir.Path, dir.Unlocked)
	}
}

// save writes the weights and commits the directory with its manifest and,
// when record is set, the run record it returns.
func save(dir *modelio.Dir, m *Model, cfg *config.Config, s *Splits, st State, record func(*modelio.Manifest) ([]byte, error)) (*modelio.Manifest, error) {
	pending := dir.File("weights-pending.bin")
	wi, err := modelio.WriteTensors(pending, m.Tensors())
	if err != nil {
		return nil, err
	}
	weights := "weights-" + wi.SHA256[:16] + ".bin"
	if err := os.Rename(pending, dir.File(weights)); err != nil {
		os.Remove(pending)
		return nil, err
	}
	cfgBytes, err := os.ReadFile(dir.Training(modelio.ConfigFile))
	if err != nil {
		return nil, err
	}
	cs := sha256.Sum256(cfgBytes)
	info := buildinfo.Get()
	man := &modelio.Manifest{
		Format: "mhe-model", FormatVersion: modelio.FormatVersion, MHEVersion: info.Version, MHECommit: info.Commit,
		Name: cfg.Name, Labels: m.Labels, Features: m.Prep.Features(), InputFeatures: m.Prep.InputFeatures, SingleLabel: m.SingleLabel,
		Head: modelio.Head{Method: string(m.Method), Loss: string(m.Loss), Lengths: m.Plan.Lengths, Beam: m.Plan.Beam, PathScore: mhcPathScore(m),
			BottleneckDim: m.Plan.BottleneckDim, Samples: m.Plan.Samples, Params: m.Plan.Params, VanillaParams: m.Plan.Vanilla.Params},
		Encoder:    modelio.Encoder{Type: strings.ToLower(m.Encoder.Type), Activation: strings.ToLower(m.Encoder.Activation), Dropout: m.Encoder.Dropout, HashFeatures: m.Encoder.HashFeatures},
		Preprocess: modelio.Preprocess{TFIDF: m.Prep.IDF != nil, Normalize: strings.ToLower(cfg.Data.Normalize)},
		LabelOrder: strings.ToLower(cfg.Head.LabelOrder), LabelPermutation: "identity",
		Seed: cfg.Train.Seed, Epochs: st.Epoch, TrainRows: m.TrainRows,
		WeightsFile: weights,
		Files: map[string]modelio.FileInfo{
			weights:            wi,
			modelio.ConfigFile: {SHA256: hex.EncodeToString(cs[:]), Bytes: int64(len(cfgBytes))},
		},
		TrainingData: s.Info,
	}
	if strings.EqualFold(m.Encoder.Type, "mlp") {
		man.Encoder.Hidden = m.Encoder.Hidden
	}
	if m.Perm != nil {
		man.LabelPermutation = "tensor labels.perm in " + weights
	}
	var rec []byte
	if record != nil {
		if rec, err = record(man); err != nil {
			return nil, err
		}
	}
	if err := dir.Commit(man, rec); err != nil {
		return nil, err
	}
	return man, nil
}

// LoadModel opens a model directory: it checks the manifest's format
// version and every checksum, and maps the weights without copying. Call
// close when done with the model.
func LoadModel(path string) (m *Model, man *modelio.Manifest, closeFn func() error, err error) {
	m, man, verify, closeFn, err := OpenModel(path)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := verify(); err != nil {
		closeFn()
		return nil, nil, nil, err
	}
	return m, man, closeFn, nil
}

// OpenModel is LoadModel with the weights' checksum checked in the
// background (a model of gigabytes takes seconds to hash), so that the
// caller can read its input meanwhile. The model may be used at once, but
// its outputs must not be trusted or written before verify returns nil;
// verify may be called more than once. close waits for the check.
func OpenModel(path string) (m *Model, man *modelio.Manifest, verify func() error, closeFn func() error, err error) {
	return openModel(path, false)
}

// openModel is OpenModel; bySHA256 checks the weights by their sha256, the
// identity that names the file, instead of their CRC-32C (VerifyModel).
func openModel(path string, bySHA256 bool) (m *Model, man *modelio.Manifest, verify func() error, closeFn func() error, err error) {
	dir := modelio.Open(path)
	man, err = dir.ReadManifest()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if err := dir.VerifyFile(man, modelio.ConfigFile); err != nil {
		return nil, nil, nil, nil, err
	}
	wi, ok := man.Files[man.WeightsFile]
	if !ok {
		return nil, nil, nil, nil, fmt.Errorf("%w: the manifest lists no checksum for %s", modelio.ErrCorrupt, man.WeightsFile)
	}
	if bySHA256 {
		wi.CRC32C = "" // OpenTensors then checks the sha256
	}
	f, err := modelio.OpenTensors(dir.File(man.WeightsFile), wi)
	if err != nil {
		if removed := dir.WeightsRemoved(man); removed != nil { // on purpose, by a sweep
			return nil, nil, nil, nil, removed
		}
		return nil, nil, nil, nil, err
	}
	m, err = FromManifest(man)
	if err == nil {
		err = m.Bind(f)
	}
	if err != nil {
		// A damaged file is reported by its checksum, as LoadModel did
		// before binding.
		if serr := f.Verify(); serr != nil {
			err = serr
		}
		f.Close()
		return nil, nil, nil, nil, err
	}
	return m, man, f.Verify, f.Close, nil
}

// FromManifest builds an untrained model skeleton matching a manifest.
func FromManifest(man *modelio.Manifest) (*Model, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: manifest: %s", modelio.ErrCorrupt, fmt.Sprintf(format, args...))
	}
	if man.Labels < 1 || man.Features < 1 {
		return nil, bad("labels %d and features %d must be positive", man.Labels, man.Features)
	}
	method, err := heads.ParseMethod(man.Head.Method)
	if err != nil {
		return nil, bad("%v", err)
	}
	m := &Model{Labels: man.Labels, SingleLabel: man.SingleLabel, Method: method, Loss: heads.Loss(man.Head.Loss), TrainRows: man.TrainRows}
	m.Prep = Preprocess{InputFeatures: man.InputFeatures, Hash: man.Encoder.HashFeatures, Normalize: man.Preprocess.Normalize == "l2"}
	if m.Prep.Features() != man.Features {
		return nil, bad("features %d disagree with the preprocessing", man.Features)
	}
	m.Encoder = config.EncoderConfig{Type: man.Encoder.Type, Hidden: man.Encoder.Hidden, Activation: man.Encoder.Activation,
		Dropout: man.Encoder.Dropout, HashFeatures: man.Encoder.HashFeatures}
	d := man.Features
	if man.Encoder.Type == "mlp" {
		if len(man.Encoder.Hidden) == 0 {
			return nil, bad("an mlp encoder without hidden sizes")
		}
		d = man.Encoder.Hidden[len(man.Encoder.Hidden)-1]
	}
	plan, err := heads.NewPlan(heads.Request{Method: method, Labels: man.Labels, Lengths: man.Head.Lengths, Dim: d,
		BottleneckDim: man.Head.BottleneckDim, Beam: man.Head.Beam, Samples: man.Head.Samples,
		NoBottleneck: method == heads.MHC && man.Head.BottleneckDim == 0})
	if err != nil {
		return nil, bad("%v", err)
	}
	m.Plan = plan
	m.Width = d
	m.PathScore = man.Head.PathScore
	if err := m.makeHead(false, man.Seed, nil); err != nil {
		return nil, bad("%v", err)
	}
	var hidden []int
	act := nn.ReLU
	if man.Encoder.Type == "mlp" {
		if act, err = nn.ParseActivation(man.Encoder.Activation); err != nil {
			return nil, bad("%v", err)
		}
		hidden = man.Encoder.Hidden
	}
	if m.Net, err = NewNet(man.Features, hidden, act, 0, m.Head.Outputs(), m.passthrough(), man.Seed, false, nil); err != nil {
		return nil, bad("%v", err)
	}
	return m, nil
}

// IsModelError reports errors that mean "this model cannot be used".
func IsModelError(err error) bool {
	return errors.Is(err, modelio.ErrCorrupt) || errors.Is(err, modelio.ErrIncompatible) || errors.Is(err, modelio.ErrWeightsRemoved) || errors.Is(err, modelio.ErrNoModel)
}

func mhcPathScore(m *Model) string {
	if m.Method == heads.MHC {
		return m.PathScore
	}
	return ""
}
