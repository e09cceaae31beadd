package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/mhe-xlc/mhe/internal/buildinfo"
	"github.com/mhe-xlc/mhe/internal/clock"
	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/eval"
	"github.com/mhe-xlc/mhe/internal/jsonerr"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/nn"
	"github.com/mhe-xlc/mhe/internal/plots"
	"github.com/mhe-xlc/mhe/internal/record"
	"github.com/mhe-xlc/mhe/internal/report"
	"github.com/mhe-xlc/mhe/internal/train"
)

type trainOptions struct {
	ConfigFile  string
	Out         string
	Resume      string
	Continue    bool
	Threads     int
	Seed        uint64
	Epochs      int
	Quiet       bool
	Force       bool
	Sets        []string
	PrintConfig bool
	Format      string
	Result      string
	// CheckpointInterval: least time between end-of-epoch checkpoints.
	CheckpointInterval time.Duration

	flags interface{ Changed(string) bool }
	cmd   *cobra.Command
}

func newTrainCmd(s *streams, runF func(*trainOptions) error) *cobra.Command {
	o := &trainOptions{}
	cmd := &cobra.Command{
		Use: "train",
		// SIGINT/SIGTERM end it in its own way (a checkpoint, exit 130).
		Annotations: map[string]string{signalsKey: signalsGraceful},
		Short:       "Train a model from a run config into a model directory",
		Long: `Train the model a run config describes (configs/README.md documents every
key) and write a model directory: manifest.json, config.yaml (the resolved
config), the weights, metrics.jsonl (rewritten after every epoch). A
checkpoint is written at the end of an epoch when --checkpoint-interval has
passed since the last one (1m by default; 0 = after every epoch) and when the
run is interrupted (SIGINT/SIGTERM, exit 130); --resume DIR
continues a killed or interrupted run and ends with the same model bytes as an
uninterrupted one. --continue makes one command line safe to run again (a
requeued or preempted batch job): it resumes --out's unfinished run of the
same config, exits 0 without training when --out holds that config's
finished model (printing the test metrics its run printed, from
DIR/result.json), and otherwise starts
the run; a run of another config in --out is refused (exit 2), and so is a
finished model whose data files have changed since (exit 4). For a given
seed the model and its predictions do not depend on --threads.

Precedence: --set and flags > MHE_* environment > --config > defaults.`,
		Example: `  mhe train --config configs/quickstart.yaml --out runs/quickstart
  mhe train --config configs/bibtex-vanilla.yaml --out runs/bibtex --threads 2 --set train.epochs=5
  mhe train --resume runs/bibtex
  mhe train --config configs/bibtex-mhc.yaml --out runs/bibtex-mhc --continue   # in a batch script that may be requeued
  mhe train --config configs/bibtex-mhp.yaml --print-config`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.flags, o.cmd = cmd.Flags(), cmd
			if runF != nil {
				return runF(o)
			}
			return trainRun(s, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.ConfigFile, "config", "", "run config (YAML)")
	f.StringVar(&o.Out, "out", "", "model directory to write")
	f.StringVar(&o.Resume, "resume", "", "continue the unfinished run in this model directory")
	f.BoolVar(&o.Continue, "continue", false, "with --config and --out, for jobs that may be requeued: resume this config's unfinished run in --out, exit 0 if --out holds its finished model, start it otherwise")
	f.IntVar(&o.Threads, "threads", 0, "worker threads (0 = all CPUs this process may use); results do not depend on it")
	f.Uint64Var(&o.Seed, "seed", 1, "random seed (train.seed)")
	f.IntVar(&o.Epochs, "epochs", 0, "epochs (train.epochs)")
	f.BoolVar(&o.Quiet, "quiet", false, "no progress or summary on stderr (warnings still)")
	f.BoolVar(&o.Force, "force", false, "overwrite an existing model directory")
	f.StringArrayVar(&o.Sets, "set", nil, "override a config key (key=value), repeatable")
	f.BoolVar(&o.PrintConfig, "print-config", false, "print the resolved config and exit")
	f.StringVar(&o.Format, "format", "table", "final test metrics: table or json (on stdout)")
	f.DurationVar(&o.CheckpointInterval, "checkpoint-interval", defaultCheckpointInterval, "least time between two end-of-epoch checkpoints (0 = after every epoch); an interrupted run always writes one")
	f.StringVar(&o.Result, "result", "", "also write the run record (JSON) here; it is always written to DIR/result.json")
	return cmd
}

// defaultCheckpointInterval is --checkpoint-interval's default (train and
// sweep run).
const defaultCheckpointInterval = time.Minute

var trainFlagKeys = map[string]string{"threads": "train.threads", "seed": "train.seed", "epochs": "train.epochs"}

func trainRun(s *streams, o *trainOptions) error {
	format, err := report.ParseFormat(o.Format, report.Table, report.JSON)
	if err != nil {
		return usageError{err}
	}
	in := configInput{File: o.ConfigFile, Sets: o.Sets, Flags: o.cmd.Flags(), FlagKeys: trainFlagKeys}
	dir := o.Out
	if o.Continue && !o.PrintConfig {
		done, err := continueRun(s, o, &in, format)
		if err != nil || done {
			return err
		}
	}
	if o.Resume != "" && o.Continue {
		dir = o.Resume // the config is the run's own, checked by continueRun
		in.File, in.Sets = modelio.Open(dir).Training(modelio.ConfigFile), nil
	} else if o.Resume != "" {
		if o.ConfigFile != "" || len(o.Sets) > 0 {
			return usageErrorf("--resume continues with the run's own config; drop --config and --set")
		}
		if o.Out != "" && o.Out != o.Resume {
			return usageErrorf("--resume %s writes into that directory; drop --out", o.Resume)
		}
		dir = o.Resume
		in.File = modelio.Open(dir).Training(modelio.ConfigFile)
		if _, err := os.Stat(in.File); err != nil {
			if _, err2 := os.Stat(modelio.Open(dir).File(modelio.ManifestFile)); err2 == nil {
				return usageErrorf("%s holds a finished model; nothing to resume", dir)
			}
			return usageErrorf("%s has no unfinished run to resume (no %s)", dir, in.File)
		}
		if o.flags.Changed("seed") || o.flags.Changed("epochs") {
			return usageErrorf("--resume keeps the run's seed and epochs")
		}
	} else if o.ConfigFile == "" && !o.PrintConfig {
		return usageErrorf("give --config FILE (see configs/), or --resume DIR")
	}
	cfg, err := validConfig(in)
	if err != nil {
		return err
	}
	resolved, err := yaml.Marshal(cfg)
	if err != nil {
		return err
	}
	if o.PrintConfig {
		_, err := s.out.Write(resolved)
		return err
	}
	if dir == "" {
		return usageErrorf("give --out DIR for the model directory")
	}
	inputs := []fileRef{{"--config", in.File}, {"head.plan", cfg.Head.Plan}}
	for _, kv := range train.DataFiles(&cfg, false) {
		inputs = append(inputs, fileRef{kv[0], kv[1]})
	}
	if err := checkOutputs([]fileRef{{"--result", o.Result}}, inputs); err != nil {
		return err
	}
	threads, restore := setThreads(cfg.Train.Threads, s.errOut, "train")
	defer restore()
	logf := func(format string, args ...any) {
		if !o.Quiet {
			fmt.Fprintf(s.errOut, format+"\n", args...)
		}
	}
	// --quiet silences the summary, not warnings.
	warnf := func(format string, args ...any) { fmt.Fprintf(s.errOut, "warning: "+format+"\n", args...) }
	logf("mhe train: %s, threads %d (effective), seed %d, %s kernels", dir, threads, cfg.Train.Seed, nn.Kernels())
	if l := gcLimit; l.Heap > 0 && !l.From.IsRAM() {
		logf("memory limit: %s (%s); the Go collector keeps the heap under %s (GOMEMLIMIT overrides)",
			train.FormatBytes(l.From.Bytes), l.From.Source, train.FormatBytes(l.Heap))
	}
	if w := memoryLimitWarning(); w != "" {
		warnf("%s", w)
	}
	pr := newProgress(s.errOut, s.errTTY, o.Quiet)
	start := clock.Start()
	// The run record is part of the commit (written just before the
	// manifest), so its times end there.
	var (
		wall float64
		u    usage
		rec  []byte
	)
	res, err := train.TrainRun(o.cmd.Context(), train.RunOptions{
		Config: &cfg, ConfigYAML: resolved, Dir: dir, Force: o.Force, Resume: o.Resume != "",
		Threads: threads, Progress: pr.handle, Log: logf, Warn: warnf, CheckpointEvery: o.CheckpointInterval,
		MemoryLimit: memoryLimit(),
		Record: func(res *train.RunResult) ([]byte, error) {
			wall, u = start.Seconds(), resourceUsage()
			r := trainRecord(&cfg, res, dir, wall, u)
			r.Warnings = s.warnings()
			b, err := record.Marshal(r)
			rec = b
			return b, err
		},
	})
	pr.finishBar()
	if err != nil {
		return trainError(err, dir)
	}
	examples := float64(res.Splits.Train.Rows()) * float64(max(res.State.Epoch, 1))
	logf("done: %d epochs in %.1fs wall, %.1fs CPU, peak RSS %.0f MiB, %.1f µs per training example",
		res.State.Epoch, wall, u.CPUSeconds, u.PeakRSSMiB, 1e6*res.TrainSeconds/examples)
	if res.State.Stopped {
		logf("early stopping after epoch %d (best epoch %d)", res.State.Epoch, res.State.BestEpoch)
	}
	if n := res.State.SWACount; n > 0 {
		line := fmt.Sprintf("weights: the average of epochs %d-%d", res.State.Epoch-n+1, res.State.Epoch)
		if v := res.State.AverageValidation; v != nil {
			line += ", validation " + formatMetrics(v)
		}
		logf("%s", line)
	}
	logf("model: %s", dir)
	logf("train: %.0f examples/s", examples/res.TrainSeconds)
	if res.Test != nil {
		logf("predict: %d rows in %.2fs, %.0f rows/s", res.Test.Rows, res.TestSeconds, float64(res.Test.Rows)/res.TestSeconds)
	} else if res.Splits.Test != nil {
		logf("test: %d rows held out and not scored (eval.score_test: false); score them with: mhe eval --model %s", res.Splits.Test.Rows(), dir)
	}
	if o.Result != "" {
		if err := modelio.WriteBytes(o.Result, rec); err != nil {
			return err
		}
	}
	// Training curves beside the model (a drawing failure is not the
	// run's: warn and go on).
	if _, err := plots.Curves([]plots.Curve{curveOf(cfg.Name, res.State.History)},
		[]string{"loss", cfg.Train.EarlyStoppingMetric}, filepath.Join(dir, "curves")); err != nil && !errors.Is(err, plots.ErrNoData) {
		warnf("training curves not drawn: %v", err)
	}
	if res.Test == nil {
		return nil
	}
	return writeEvalResult(s.out, *res.Test, nil, modelPropInfo(res.Model, cfg.Eval, cfg.Name), format, s.warnings())
}

// continueRun decides what --continue does with --out. An unfinished run
// of the same config is resumed (it sets o.Resume); the finished model of
// the same config ends the command (done, exit 0); a run of another config
// is a usage error; anything else (no directory, an empty one) starts the
// run as without --continue. Configs are the same when every key but
// train.threads and data.dir, which do not change the model, is.
func continueRun(s *streams, o *trainOptions, in *configInput, format report.Format) (done bool, err error) {
	if o.Resume != "" || o.Force {
		return false, usageErrorf("--continue chooses between starting and resuming by itself; drop --resume and --force")
	}
	if o.ConfigFile == "" || o.Out == "" {
		return false, usageErrorf("--continue needs --config FILE and --out DIR")
	}
	d := modelio.Open(o.Out)
	stored, finished := d.Training(modelio.ConfigFile), false
	if _, err := os.Stat(stored); err != nil {
		if _, err := os.Stat(d.File(modelio.ManifestFile)); err != nil {
			return false, nil
		}
		stored, finished = d.File(modelio.ConfigFile), true
	}
	want, err := validConfig(*in)
	if err != nil {
		return false, err
	}
	have, err := validConfig(configInput{File: stored})
	if err != nil {
		return false, fmt.Errorf("%w: the run in %s: %w", ErrModel, o.Out, err)
	}
	if key, a, b := configDiff(have, want); key != "" {
		return false, usageErrorf("%s holds a run of another config (%s: %v there, %v here); give another --out, or --force without --continue to start over", o.Out, key, a, b)
	}
	if finished {
		changed, err := staleData(s.errOut, d, &want, modelio.SHA256File)
		if err != nil {
			return false, err
		}
		if changed != "" {
			return false, fmt.Errorf("%w: %s holds the finished model of this config, trained on other contents of %s (sha256 differs); give another --out, or --force without --continue to train again", ErrModel, o.Out, changed)
		}
		fmt.Fprintf(s.errOut, "mhe train: %s holds the finished model of this config; nothing to do (its run record: %s)\n", o.Out, d.File(modelio.RecordFile))
		return true, finishedOutput(s, o, d, &have, format)
	}
	if !o.Quiet {
		fmt.Fprintf(s.errOut, "mhe train: %s holds an unfinished run of this config; resuming it\n", o.Out)
	}
	o.Resume = o.Out
	return false, nil
}

// finishedOutput gives what the run that finished the model in d gave:
// its test metrics on stdout (in format, from its run record) and a copy
// of the record at --result, so that a script's output is the same
// whether its job trained the model or found it trained.
func finishedOutput(s *streams, o *trainOptions, d *modelio.Dir, cfg *config.Config, format report.Format) error {
	if o.Result != "" {
		if err := checkOutputs([]fileRef{{"--result", o.Result}}, nil); err != nil {
			return err
		}
	}
	raw, err := os.ReadFile(d.File(modelio.RecordFile))
	if err != nil {
		return fmt.Errorf("%w: the run in %s: %w", ErrModel, o.Out, err)
	}
	var rec record.Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return fmt.Errorf("%w: the run in %s: %s: %s", ErrModel, o.Out, d.File(modelio.RecordFile), jsonerr.Describe(raw, err))
	}
	if o.Result != "" { // the copy a script asked for, as the run wrote it
		if err := modelio.WriteBytes(o.Result, raw); err != nil {
			return err
		}
	}
	if rec.Metrics == nil {
		return nil // the run scored no test rows (eval.score_test: false), and printed none
	}
	res, prop, ok := recordedTest(&rec, cfg, d)
	if !ok {
		fmt.Fprintf(s.errOut, "warning: %s was written by an mhe that did not keep what its metrics table needs; the metrics are in it, and not printed here\n", d.File(modelio.RecordFile))
		return nil
	}
	// The run's warnings, as it printed them, then any of this call's own.
	warns := rec.Warnings
	for _, w := range s.warnings() {
		if !slices.Contains(warns, w) {
			warns = append(warns, w)
		}
	}
	return writeEvalResult(s.out, res, nil, prop, format, warns)
}

// recordedTest rebuilds a training run's test result, and the
// propensities it used, from its run record; false for a record of a
// build that did not keep the empty-row count.
func recordedTest(rec *record.Record, cfg *config.Config, d *modelio.Dir) (eval.Result, propInfo, bool) {
	if rec.NEmptyTestRows == nil {
		return eval.Result{}, propInfo{}, false
	}
	res := eval.Result{Rows: rec.NTestRows, EmptyRows: *rec.NEmptyTestRows, EmptyPolicy: eval.EmptyPolicy(cfg.Eval.EmptyRows), K: cfg.Eval.K}
	for _, fam := range eval.Families {
		for _, k := range res.K {
			name := fmt.Sprintf("%s@%d", fam.Key, k)
			if v, ok := rec.Metrics[name]; ok {
				res.Metrics = append(res.Metrics, eval.Metric{Name: name, Value: v})
			}
		}
	}
	var prop propInfo
	if slices.ContainsFunc(res.Metrics, func(m eval.Metric) bool { return strings.HasPrefix(m.Name, "psp@") }) {
		man, err := d.ReadManifest()
		if err != nil {
			return eval.Result{}, propInfo{}, false
		}
		p := eval.PropensityParams{A: cfg.Eval.A, B: cfg.Eval.B}.Or(cfg.Name)
		prop = propInfo{weights: []float64{}, params: p, source: "training label counts", n: man.TrainRows}
	}
	return res, prop, true
}

// staleData names the data file whose contents have changed since the
// finished model in d was trained on it (its sha256 against the
// manifest's, from hash), "" when none has. A file it cannot read is named
// in a warning and passes: the model is finished, and nothing more needs
// the data.
func staleData(w io.Writer, d *modelio.Dir, cfg *config.Config, hash func(string) (string, error)) (string, error) {
	man, err := d.ReadManifest()
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrModel, err)
	}
	changed, err := train.DataChangedSince(man, cfg, hash)
	if err != nil {
		warnUnchecked(w, d.Path, err)
		return "", nil
	}
	return changed, nil
}

// warnUnchecked says that the data of the finished run in dir could not be
// compared with what it was trained on, and that the run stays done.
func warnUnchecked(w io.Writer, dir string, err error) {
	fmt.Fprintf(w, "warning: %s: the data it was trained on cannot be checked (%v); taken as unchanged\n", dir, err)
}

// configDiff names the first key (in declaration order) whose value
// differs between a and b, with both values; train.threads and data.dir
// are not compared.
func configDiff(a, b config.Config) (key string, va, vb any) {
	fa, fb := config.Flatten(a), config.Flatten(b)
	for _, k := range config.Keys() {
		if k == "train.threads" || k == "data.dir" {
			continue
		}
		// %v: a list left out and an empty one ([]) are the same setting.
		if fmt.Sprintf("%v", fa[k]) != fmt.Sprintf("%v", fb[k]) {
			return k, fa[k], fb[k]
		}
	}
	return "", nil, nil
}

// thisMachine is the machine of a run record, with the vector kernels this
// process runs (their speeds differ, their bits do not).
func thisMachine() record.Machine {
	m := record.ThisMachine()
	m.Kernels = nn.Kernels()
	return m
}

// trainRecord describes a finished training run.
func trainRecord(cfg *config.Config, res *train.RunResult, dir string, wall float64, u usage) *record.Record {
	examples := int64(res.Splits.Train.Rows()) * int64(res.State.Epoch)
	rec := &record.Record{
		Kind: "train", Name: cfg.Name, ModelDir: dir, Seed: cfg.Train.Seed, Threads: res.Threads,
		MHE: buildinfo.Get(), Machine: thisMachine(), Data: res.Manifest.TrainingData, Epochs: res.State.Epoch,
		Plan:        planRecord(res.Model),
		Timing:      record.Timing{TrainSeconds: res.TrainSeconds, TrainExamples: examples, WallSeconds: wall, CPUSeconds: u.CPUSeconds, PeakRSSMiB: u.PeakRSSMiB},
		MemoryLimit: memoryRecord(),
		ModelSize:   res.Manifest.Files[res.Manifest.WeightsFile].Bytes, History: res.State.History, Config: *cfg,
		AverageValidation: res.State.AverageValidation, KeptWeights: res.State.Kept,
	}
	if len(res.State.Builds) > 1 {
		rec.Builds = res.State.Builds
	}
	if examples > 0 && res.TrainSeconds > 0 {
		rec.Timing.TrainExamplesPerSec = float64(examples) / res.TrainSeconds
		rec.Timing.MicrosPerTrainExample = 1e6 * res.TrainSeconds / float64(examples)
	}
	if res.Test != nil {
		rec.Metrics = res.Test.ByName()
		rec.NTestRows, rec.NEmptyTestRows = res.Test.Rows, &res.Test.EmptyRows
		rec.Timing.SetPredict(res.TestSeconds, res.Test.Rows)
	}
	return rec
}

// planRecord is the head layout of a model as a run record holds it.
func planRecord(m *train.Model) record.Plan {
	return record.Plan{Method: string(m.Method), Loss: string(m.Loss), Lengths: m.Plan.Lengths, ConfusionDegree: m.Plan.ConfusionDegree,
		Params: m.Plan.Params, VanillaParams: m.Plan.Vanilla.Params, ParamRatio: m.Plan.ParamRatio}
}

// trainError maps engine errors to the CLI's error kinds.
func trainError(err error, dir string) error {
	switch {
	case errors.Is(err, train.ErrInterrupted):
		return fmt.Errorf("%w: checkpoint written; continue with: mhe train --resume %s", ErrInterrupted, dir)
	case errors.Is(err, modelio.ErrExists):
		return usageError{err}
	case train.IsModelError(err):
		return fmt.Errorf("%w: %w", ErrModel, err)
	case diskFull(err) && modelio.Open(dir).Unfinished():
		return fmt.Errorf("%w\nthe run is kept: free space on that disk (or raise the quota), then continue it with: mhe train --resume %s", err, dir)
	}
	return err
}

// diskFull reports a write that failed for want of space or quota.
func diskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// curveOf turns an epoch history into a plotted curve.
func curveOf(label string, h []train.EpochRecord) plots.Curve {
	c := plots.Curve{Label: label, Val: map[string][]float64{}}
	for i, r := range h {
		c.Epochs = append(c.Epochs, float64(r.Epoch))
		c.Loss = append(c.Loss, r.Loss)
		for k, v := range r.Validation {
			if _, ok := c.Val[k]; !ok {
				c.Val[k] = nanSlice(i)
			}
			c.Val[k] = append(c.Val[k], v)
		}
		for k, vs := range c.Val { // a metric missing this epoch
			if len(vs) < i+1 {
				c.Val[k] = append(vs, math.NaN())
			}
		}
	}
	return c
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// validConfig resolves a run config (loadConfig) and validates it, naming
// the flag, --set or variable each bad value came from; the config file's
// values are named by the file.
func validConfig(in configInput) (config.Config, error) {
	cfg, err := loadConfig(in)
	if err != nil {
		return cfg, err
	}
	return cfg, validate(&cfg, in)
}

// validate is cfg.Validate with each problem's source named (a flag,
// --set or variable; the config file's values by the file).
func validate(cfg *config.Config, in configInput) error {
	err := cfg.Validate()
	if err == nil {
		return nil
	}
	var ve *config.ValidationError
	if errors.As(err, &ve) {
		for i, p := range ve.Problems {
			if src := valueSource(p.Key, in); strings.HasPrefix(src, "from ") {
				ve.Problems[i].Source = src
			}
		}
	}
	if in.File != "" {
		return fmt.Errorf("%s: %w", in.File, err) // name the file to fix
	}
	return err
}
