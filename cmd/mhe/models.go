package main

import (
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/mhe-xlc/mhe/internal/aggregate"
	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/heads"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/nn"
	"github.com/mhe-xlc/mhe/internal/train"
)

// modelsHelp and ensembleHelp describe --model of predict and eval.
const (
	modelsHelp   = "model directory (required); repeat it to rank with an ensemble of the models"
	ensembleHelp = `With --model given more than once, the models are an ensemble (as in the
paper's MHC ensembles, or Parabel's trees): each ranks its own top-K, every
model scores the union of those labels, and labels are ranked by the mean
score. The models must be trained on the same dataset (same labels and
features; label orders, heads and seeds may differ); the input is read with
the first model's config, and each model preprocesses it as its own
training data was.`
)

// checkModelFlags refuses an empty --model among several (an unset shell
// variable, say).
func checkModelFlags(dirs []string) error {
	for i, d := range dirs {
		if d == "" {
			return usageErrorf("--model number %d of %d is empty: give a model directory", i+1, len(dirs))
		}
	}
	return nil
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// member is one opened --model directory.
type member struct {
	dir    string
	m      *train.Model
	man    *modelio.Manifest
	cfg    *config.Config
	verify func() error
	close  func() error
}

// members are the opened --model directories of predict or eval.
type members []member

// openMembers opens every model directory with openModelDeferred (the
// weights are hashed in the background: call verify before writing
// anything) and sets the prediction beam: of the model, or of an
// ensemble's MHC members (at least one must be MHC).
func openMembers(dirs, sets []string, beam int) (members, error) {
	var ms members
	for _, dir := range dirs {
		m, man, cfg, verify, closeFn, err := openModelDeferred(dir, sets)
		if err != nil {
			ms.close()
			return nil, err
		}
		ms = append(ms, member{dir: dir, m: m, man: man, cfg: cfg, verify: verify, close: closeFn})
	}
	if err := ms.checkDistinct(); err != nil {
		ms.close()
		return nil, err
	}
	if err := ms.setPredictBeam(beam); err != nil {
		ms.close()
		return nil, err
	}
	return ms, nil
}

// checkDistinct refuses an ensemble that holds one model twice: the same
// directory, or a copy of it (the weights file's name is a hash of its
// bytes). Its mean score would weigh that model double.
func (ms members) checkDistinct() error {
	for j := range ms {
		for i := range j {
			if ms[i].man.WeightsFile == ms[j].man.WeightsFile {
				return usageErrorf("--model %s (number %d) and --model %s (number %d) are the same model (%s): an ensemble would weigh it twice; give each member once",
					ms[i].dir, i+1, ms[j].dir, j+1, ms[i].man.WeightsFile)
			}
		}
	}
	return nil
}

func (ms members) setPredictBeam(beam int) error {
	if len(ms) == 1 || beam == 0 {
		return ms[0].m.SetPredictBeam(beam)
	}
	anyMHC := false
	for _, x := range ms {
		if x.m.Method != heads.MHC {
			continue
		}
		if err := x.m.SetPredictBeam(beam); err != nil {
			return err
		}
		anyMHC = true
	}
	if !anyMHC {
		return usageErrorf("--beam sets the prediction beam of MHC models; none of the %d models is MHC", len(ms))
	}
	return nil
}

// files lists the files of the models and of the data they were trained
// and tested on, for checkOutputs: an output must not replace a
// model's files or its dataset.
func (ms members) files() []fileRef {
	var refs []fileRef
	for _, x := range ms {
		refs = append(refs, modelFiles(x.dir, x.man, x.cfg)...)
	}
	return refs
}

// modelFiles lists the files of the model in dir and of the data files its
// config names.
func modelFiles(dir string, man *modelio.Manifest, cfg *config.Config) []fileRef {
	refs := modelDirFiles(dir, man)
	for _, kv := range train.DataFiles(cfg, false) {
		refs = append(refs, fileRef{"model's " + kv[0], kv[1]})
	}
	return refs
}

// modelDirFiles lists the files mhe train wrote into the model directory
// dir.
func modelDirFiles(dir string, man *modelio.Manifest) []fileRef {
	var refs []fileRef
	d := modelio.Open(dir)
	for _, f := range []string{modelio.ManifestFile, modelio.ConfigFile, modelio.RecordFile, modelio.MetricsFile, man.WeightsFile} {
		refs = append(refs, fileRef{"model's " + f, d.File(f)})
	}
	return refs
}

func (ms members) close() {
	for _, x := range ms {
		x.close()
	}
}

// trainSeconds adds up the members' training times from the run records
// their directories hold (0 when any is missing: a partial sum would pass
// for the whole).
func (ms members) trainSeconds() float64 {
	files := make([]string, len(ms))
	for i, x := range ms {
		files[i] = modelio.Open(x.dir).File(modelio.RecordFile)
	}
	recs, err := aggregate.Load(files)
	if err != nil {
		return 0
	}
	var sum float64
	for _, r := range recs {
		if r.Timing.TrainSeconds <= 0 {
			return 0
		}
		sum += r.Timing.TrainSeconds
	}
	return sum
}

// verify reports the first damaged model.
func (ms members) verify() error {
	for _, x := range ms {
		if err := x.verify(); err != nil {
			return err
		}
	}
	return nil
}

func (ms members) models() []*train.Model {
	out := make([]*train.Model, len(ms))
	for i, x := range ms {
		out[i] = x.m
	}
	return out
}

// ranker ranks raw rows with the model, or the ensemble of the models.
func (ms members) ranker(pool *nn.Pool, k int) (train.Ranker, error) {
	r, err := train.NewRanker(ms.models(), pool, k)
	return r, ms.memberError(err)
}

// memberError marks an ensemble the models cannot form for its exit code
// and names the members in order.
func (ms members) memberError(err error) error {
	if err == nil {
		return nil
	}
	if len(ms) > 1 {
		dirs := make([]string, len(ms))
		for i, x := range ms {
			dirs[i] = fmt.Sprintf("%d: %s", i+1, x.dir)
		}
		err = fmt.Errorf("%w (members in --model order: %s)", err, strings.Join(dirs, ", "))
	}
	return modelError(err)
}

// beamHelp describes the prediction beam flag of predict and eval.
const beamHelp = "MHC: beam width kept per level when predicting (0 = the training beam; wider is slower and closer to the exact top-K)"

// openModel loads a model directory and its config (MHE_* and --set apply).
func openModel(dir string, sets []string) (*train.Model, *modelio.Manifest, *config.Config, func() error, error) {
	m, man, cfg, verify, closeFn, err := openModelDeferred(dir, sets)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if err := verify(); err != nil {
		closeFn()
		return nil, nil, nil, nil, err
	}
	return m, man, cfg, closeFn, nil
}

// openModelDeferred is openModel with the weights' checksum checked in the
// background while the caller reads its input: nothing may be written
// before verify returns nil (train.OpenModel).
func openModelDeferred(dir string, sets []string) (*train.Model, *modelio.Manifest, *config.Config, func() error, func() error, error) {
	m, man, verify, closeFn, err := train.OpenModel(dir)
	if err != nil {
		return nil, nil, nil, nil, nil, modelError(err)
	}
	cfg, err := loadConfig(configInput{File: modelio.Open(dir).File(modelio.ConfigFile), Sets: sets})
	if err != nil {
		closeFn()
		return nil, nil, nil, nil, nil, err
	}
	return m, man, &cfg, func() error { return modelError(verify()) }, closeFn, nil
}

// modelError marks a damaged or incompatible model for its exit code.
func modelError(err error) error {
	if err != nil && train.IsModelError(err) {
		return fmt.Errorf("%w: %w", ErrModel, err)
	}
	return err
}

// trainedRowsScored describes, in a phrase, the rows of src that the model
// in dir trained on or chose its weights on ("" when none): a --set or an
// MHE_* variable that moves the config's test split (data.holdout_fold,
// data.test_rows, ...) can land it on them. cfg is the config scoring src;
// the model's rows come from its own config.yaml, resolved against cfg's
// data directory.
func trainedRowsScored(dir string, man *modelio.Manifest, cfg *config.Config, src *train.Source, what string) (string, error) {
	if src == nil {
		return "", nil
	}
	saved, err := train.SavedConfig(dir)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrModel, err)
	}
	trained := train.WithRowKeys(cfg, saved)
	n, first, err := train.TrainedRows(trained, man.TrainingData, src)
	if err != nil || n == 0 {
		return "", err
	}
	var diff []string
	now, then := train.RowKeys(cfg), train.RowKeys(saved)
	for _, k := range slices.Sorted(maps.Keys(now)) {
		if now[k] != then[k] {
			diff = append(diff, fmt.Sprintf("%s %s, the model's %s", k, keyValue(now[k]), keyValue(then[k])))
		}
	}
	why := ""
	if len(diff) > 0 {
		why = " (" + strings.Join(diff, "; ") + ")"
	}
	return fmt.Sprintf("%d of the %d %s of %s (row %d first) are rows the model in %s trained on or chose its weights on%s", n, src.Len(), what, src.Path, first+1, dir, why), nil
}

// warnChangedData warns on w (as cmd) for every member whose training
// file src reads has changed since it trained (another sha256 at the path
// it recorded): the rows scored may include rows it trained on.
func (ms members) warnChangedData(w io.Writer, cmd string, src *train.Source) {
	for _, x := range ms {
		if di, ok := train.ChangedData(x.man.TrainingData, src); ok {
			fmt.Fprintf(w, "%s: warning: %s changed after the model in %s was trained on it (its sha256 is now %.12s…, the model recorded %.12s… as its %s file): the rows scored may include rows the model trained on, and the metrics do not compare with the model's own\n",
				cmd, src.Path, x.dir, src.SHA256, di.SHA256, di.Role)
		}
	}
}

// keyValue shows a config value in a message: strings quoted, so that an
// empty one shows.
func keyValue(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

// setThreads sets how many threads run Go code (GOMAXPROCS) to n, and
// returns n and a function that restores the previous count. 0 means the
// runtime's default: the CPUs this process may use, which is its affinity
// mask (a SLURM job's cpuset, taskset) capped by its control group's CPU
// quota (a Kubernetes limit, systemd's CPUQuota), or the GOMAXPROCS
// environment variable when set. All of the machine's CPUs
// (runtime.NumCPU) would oversubscribe a quota of a few CPUs on a large
// node: the kernel then throttles every worker.
//
// More threads than that is allowed (results do not depend on the count),
// with a warning on warn, prefixed by cmd: the extra threads wait for a
// CPU, and a job given "--threads $SLURM_CPUS_ON_NODE" on a few of a
// node's CPUs runs slower than with the CPUs it has.
func setThreads(n int, warn io.Writer, cmd string) (int, func()) {
	avail := runtime.GOMAXPROCS(0)
	if n <= 0 {
		n = avail
	} else if n > avail {
		cpus := fmt.Sprintf("%d CPUs", avail)
		if avail == 1 {
			cpus = "1 CPU"
		}
		fmt.Fprintf(warn, "%s: warning: %d threads on the %s this process may use; threads beyond %d wait for a CPU and slow the run (results are the same)\n", cmd, n, cpus, avail)
	}
	prev := runtime.GOMAXPROCS(n)
	return n, func() { runtime.GOMAXPROCS(prev) }
}
