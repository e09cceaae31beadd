package train

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mhe-xlc/mhe/internal/buildinfo"
	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/nn"
)

func synthConfig(method, order string) config.Config {
	cfg := config.Default()
	cfg.Name = "unit"
	cfg.Data.Synth = config.SynthConfig{Examples: 3000, TestExamples: 500, Features: 500, Labels: 60, Seed: 2,
		SingleLabel: true, AvgLabels: 1, AvgFeatures: 20, Exponent: 0.5, Noise: 0.2}
	cfg.Data.Normalize = "l2"
	cfg.Encoder = config.EncoderConfig{Type: "mlp", Hidden: []int{64}, Activation: "relu", Dropout: 0.1}
	cfg.Head.Method = method
	cfg.Head.LabelOrder = order
	cfg.Train.Epochs = 3
	cfg.Train.BatchSize = 32
	cfg.Train.LR = 0.01
	return cfg
}

func trainTo(t *testing.T, cfg config.Config, dir string) *RunResult {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err := TrainRun(context.Background(), RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: dir, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// The engine learns the synthetic task, and a saved model predicts exactly
// what the trained one did, in the original label ids, whatever the label
// order.
func TestTrainSaveLoadPredict(t *testing.T) {
	for _, tc := range []struct {
		method, order string
		set           func(*config.Config)
	}{
		{"vanilla", "index", nil}, {"mhp", "random", nil}, {"mhp", "frequency", nil}, {"mhp", "cluster", nil},
		{"mhc", "index", func(c *config.Config) { c.Head.BottleneckDim = 16; c.Head.Beam = 4 }},
		{"mhc", "cluster", func(c *config.Config) {
			c.Head.BottleneckDim = 0
			c.Head.PathScore = "last"
			c.Head.Lengths = []int{4, 4, 4}
		}},
		{"mhs", "index", func(c *config.Config) { c.Head.Heads = 6; c.Head.Samples = 1 }},
		{"mhs", "random", func(c *config.Config) { c.Head.Heads = 6; c.Head.Samples = 2 }},
	} {
		t.Run(tc.method+"-"+tc.order, func(t *testing.T) {
			cfg := synthConfig(tc.method, tc.order)
			if tc.set != nil {
				tc.set(&cfg)
			}
			dir := filepath.Join(t.TempDir(), "m")
			res := trainTo(t, cfg, dir)
			acc, _ := res.Test.Get("acc@1")
			if acc < 0.6 {
				t.Errorf("accuracy %.3f: the model did not learn", acc)
			}
			m, man, closeFn, err := LoadModel(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer closeFn()
			if man.Head.Method != tc.method || man.LabelOrder != tc.order {
				t.Errorf("manifest %+v", man.Head)
			}
			test, _, err := LoadTest(&cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			test = &data.Dataset{X: m.Prep.Apply(test.X), Y: test.Y}
			r2, err := EvaluateOriginal(m, nn.NewPool(1), test, cfg.Eval, cfg.Name)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(metricsOf(*res.Test), metricsOf(r2)) {
				t.Errorf("loaded model scores differently: %v vs %v", r2.Metrics, res.Test.Metrics)
			}
		})
	}
}

// prepared validates cfg, loads its splits and builds the model and its
// trainer (optimizer state allocated) on one worker.
func prepared(t *testing.T, cfg *config.Config) (*Model, *Trainer, *Splits) {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	splits, err := LoadSplits(cfg, cfg.Train.Seed, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, tr, val, err := Prepare(cfg, splits, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	trainer, err := NewTrainer(m, cfg, tr, val, nn.NewPool(1), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m, trainer, splits
}

// interruptAfterEpoch trains cfg into dir and cancels the run when its
// first epoch ends, leaving a checkpoint to resume.
func interruptAfterEpoch(t *testing.T, cfg config.Config, dir string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	_, err := TrainRun(ctx, RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: dir, Threads: 2,
		Progress: func(e Event) {
			if e.Phase == "epoch" && e.Epoch == 1 {
				cancel()
			}
		}})
	cancel()
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("interrupted run: %v", err)
	}
}

func metricsOf(r interface{ Get(string) (float64, bool) }) []float64 {
	var out []float64
	for _, k := range []string{"p@1", "p@3", "ndcg@5", "acc@1"} {
		v, _ := r.Get(k)
		out = append(out, v)
	}
	return out
}

func TestCorruptModelRefused(t *testing.T) {
	cfg := synthConfig("mhp", "index")
	cfg.Train.Epochs = 1
	dir := filepath.Join(t.TempDir(), "m")
	res := trainTo(t, cfg, dir)
	w := filepath.Join(dir, res.Manifest.WeightsFile)
	raw, _ := os.ReadFile(w)
	raw[len(raw)/2] ^= 0x10
	os.WriteFile(w, raw, 0o644)
	if _, _, _, err := LoadModel(dir); !errors.Is(err, modelio.ErrCorrupt) {
		t.Errorf("flipped byte: %v", err)
	}
	raw[len(raw)/2] ^= 0x10
	os.WriteFile(w, raw, 0o644)
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("name: changed\n"), 0o644)
	if _, _, _, err := LoadModel(dir); !errors.Is(err, modelio.ErrCorrupt) {
		t.Errorf("changed config: %v", err)
	}
}

// OpenModel binds the weights before their checksum is known (predict and
// eval read their input meanwhile): a damaged byte anywhere in the file,
// in a tensor's directory, shape or values or the label permutation, must
// give an error, from OpenModel or from verify, and never a panic.
func TestOpenModelDamagedBytes(t *testing.T) {
	cfg := synthConfig("mhc", "random") // a labels.perm tensor too
	cfg.Train.Epochs = 1
	dir := filepath.Join(t.TempDir(), "m")
	res := trainTo(t, cfg, dir)
	w := filepath.Join(dir, res.Manifest.WeightsFile)
	raw, _ := os.ReadFile(w)
	// Every byte of the header and directory and of the permutation, and a
	// few hundred more (a few dozen with -short).
	perm := make([]byte, 0, 4*len(res.Model.Perm))
	for _, v := range res.Model.Perm {
		perm = binary.LittleEndian.AppendUint32(perm, uint32(v))
	}
	at := bytes.Index(raw, perm)
	if len(perm) == 0 || at < 0 {
		t.Fatal("the label permutation is not in the weights file")
	}
	more := 300
	if testing.Short() {
		more = 30
	}
	var positions []int
	for pos := range len(raw) {
		if pos < 1024 || (pos >= at && pos < at+len(perm)) || pos%(len(raw)/more+1) == 0 {
			positions = append(positions, pos)
		}
	}
	for _, pos := range positions {
		damaged := slices.Clone(raw)
		damaged[pos] ^= 0xff
		os.WriteFile(w, damaged, 0o644)
		m, _, verify, closeFn, err := OpenModel(dir)
		if err == nil {
			err = verify()
			closeFn()
			if m == nil {
				t.Fatalf("byte %d: OpenModel returned no model and no error", pos)
			}
		}
		// Reported by the checksum, also when OpenModel could not bind
		// the damaged file (its own complaint would name a symptom).
		if !errors.Is(err, modelio.ErrCorrupt) || !strings.Contains(err.Error(), "check (the file was changed or damaged after training") {
			t.Fatalf("byte %d of %d damaged: %v, want a checksum error", pos, len(raw), err)
		}
	}
	os.WriteFile(w, raw, 0o644)
	_, _, closeFn, err := LoadModel(dir)
	if err != nil {
		t.Fatalf("restored: %v", err)
	}
	closeFn() // a mapped file cannot be removed on Windows
}

func TestEarlyStoppingAndSWA(t *testing.T) {
	cfg := synthConfig("vanilla", "index")
	cfg.Train.Epochs = 6
	cfg.Train.ValidationFraction = 0.2
	cfg.Train.EarlyStoppingPatience = 1
	cfg.Train.LR = 0.05 // overfits quickly
	res := trainTo(t, cfg, filepath.Join(t.TempDir(), "es"))
	if len(res.State.History) == 0 || res.State.History[0].Validation == nil {
		t.Fatal("no validation metrics recorded")
	}
	if res.State.BestEpoch < 1 {
		t.Errorf("best epoch %d", res.State.BestEpoch)
	}
	if res.State.Kept != "best" {
		t.Errorf("early stopping kept %q weights, want best", res.State.Kept)
	}
	cfg = synthConfig("mhp", "index")
	cfg.Train.Average = "swa"
	res = trainTo(t, cfg, filepath.Join(t.TempDir(), "swa"))
	if acc, _ := res.Test.Get("acc@1"); acc < 0.5 {
		t.Errorf("SWA model accuracy %.3f", acc)
	}
	if res.State.AverageValidation != nil {
		t.Errorf("SWA without validation rows recorded validation metrics %v", res.State.AverageValidation)
	}
	if res.State.Kept != "average" {
		t.Errorf("SWA kept %q weights, want average", res.State.Kept)
	}
	cfg.Train.Average = "none"
	if res = trainTo(t, cfg, filepath.Join(t.TempDir(), "plain")); res.State.Kept != "last" {
		t.Errorf("a plain run kept %q weights, want last", res.State.Kept)
	}
}

// With validation rows, the weight average is validated once after the
// last epoch: its metrics are those of the saved model on the validation
// rows, not the last epoch's.
func TestSWAValidated(t *testing.T) {
	cfg := synthConfig("vanilla", "index")
	cfg.Data.Synth.SingleLabel, cfg.Data.Synth.AvgLabels, cfg.Data.Synth.Noise = false, 3, 0.6 // not learnt perfectly
	cfg.Train.Epochs, cfg.Train.ValidationFraction, cfg.Train.Average, cfg.Train.AverageStart = 4, 0.2, "swa", 2
	dir := filepath.Join(t.TempDir(), "swa")
	res := trainTo(t, cfg, dir)
	got := res.State.AverageValidation
	if got == nil {
		t.Fatal("no validation metrics for the weight average")
	}
	m, _, closeFn, err := LoadModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	v := res.Splits.Validation
	want, err := EvaluateOriginal(m, nn.NewPool(1), &data.Dataset{Name: v.Name, X: m.Prep.Apply(v.X), Y: v.Y}, cfg.Eval, "val")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want.Metrics {
		if got[w.Name] != w.Value {
			t.Errorf("%s: recorded %v, the saved model scores %v", w.Name, got[w.Name], w.Value)
		}
	}
	last := res.State.History[len(res.State.History)-1].Validation
	if reflect.DeepEqual(last, got) {
		t.Errorf("the average's validation metrics are the last epoch's: %v", got)
	}
}

// Top-k accuracy exists for single-label data only: watching acc@k on
// multi-label validation rows is refused before anything is written, not
// silently ignored (which left early stopping switched off); acc@k on
// single-label data and p@k on multi-label data train.
func TestEarlyStoppingMetricMustExist(t *testing.T) {
	multi := synthConfig("vanilla", "index")
	multi.Data.Synth.SingleLabel, multi.Data.Synth.AvgLabels = false, 3
	multi.Train.Epochs, multi.Train.ValidationFraction, multi.Train.EarlyStoppingPatience = 2, 0.2, 1
	multi.Train.EarlyStoppingMetric = "acc@1"
	dir := filepath.Join(t.TempDir(), "acc")
	_, err := TrainRun(context.Background(), RunOptions{Config: &multi, ConfigYAML: []byte("name: unit\n"), Dir: dir, Threads: 2})
	if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), "use p@1") {
		t.Fatalf("acc@1 on multi-label data: want a config error pointing to p@1, got %v", err)
	}
	if _, statErr := os.Stat(dir); !errors.Is(statErr, os.ErrNotExist) {
		t.Errorf("the refused run left %s behind (%v)", dir, statErr)
	}
	multi.Train.EarlyStoppingMetric = "P@1"
	if res := trainTo(t, multi, filepath.Join(t.TempDir(), "p")); res.State.BestEpoch < 1 {
		t.Errorf("p@1 on multi-label data: best epoch %d", res.State.BestEpoch)
	}
	single := synthConfig("vanilla", "index")
	single.Train.Epochs, single.Train.ValidationFraction, single.Train.EarlyStoppingMetric = 2, 0.2, "acc@3"
	if res := trainTo(t, single, filepath.Join(t.TempDir(), "s")); res.State.BestEpoch < 1 {
		t.Errorf("acc@3 on single-label data: best epoch %d", res.State.BestEpoch)
	}
}

func TestHashedFeatures(t *testing.T) {
	cfg := synthConfig("mhp", "index")
	cfg.Encoder.HashFeatures = 128
	res := trainTo(t, cfg, filepath.Join(t.TempDir(), "h"))
	if res.Manifest.Features != 128 || res.Manifest.InputFeatures != 500 {
		t.Errorf("features %d input %d", res.Manifest.Features, res.Manifest.InputFeatures)
	}
	// ApplyRow (streaming) and Apply (matrix) agree.
	p := res.Model.Prep
	x := data.NewCSR(500, 1, 3, false)
	x.AppendRow([]int32{3, 200, 499}, []float32{1, 2, 3})
	var rs RowScratch
	ids, vals := p.ApplyRow(&rs, []int32{3, 200, 499}, []float32{1, 2, 3})
	m := p.Apply(x)
	mi, mv := m.Row(0)
	if !slices.Equal(ids, mi) || !slices.Equal(vals, mv) {
		t.Errorf("row %v %v, matrix %v %v", ids, vals, mi, mv)
	}
}

func TestLabelPermutations(t *testing.T) {
	counts := []int64{5, 1, 9, 1}
	perm, _ := LabelPermutation(OrderFrequency, counts, 1, nil, nil)
	if !slices.Equal(perm, []int32{1, 2, 0, 3}) {
		t.Errorf("frequency order %v", perm)
	}
	for _, order := range []string{OrderRandom, OrderFrequency} {
		p, _ := LabelPermutation(order, counts, 7, nil, nil)
		if err := checkPermutation(p); err != nil {
			t.Error(err)
		}
		inv := Inverse(p)
		for l := range p {
			if inv[p[l]] != int32(l) {
				t.Fatal("inverse")
			}
		}
	}
	if p, _ := LabelPermutation(OrderIndex, counts, 1, nil, nil); p != nil {
		t.Error("index order is the identity")
	}
}

// CheckpointEvery thins the end-of-epoch checkpoints without changing the
// model; metrics.jsonl still grows after every epoch.
func TestCheckpointEvery(t *testing.T) {
	cfg := synthConfig("mhc", "index")
	cfg.Train.Epochs = 4
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var weights [][]byte
	for _, tc := range []struct {
		every time.Duration
		want  []bool // a checkpoint exists when epoch 2, 3, 4 ends
	}{
		{0, []bool{true, true, true}},
		{time.Hour, []bool{false, false, false}},
	} {
		dir := filepath.Join(t.TempDir(), "m")
		var got []bool
		var metricLines []int
		progress := func(e Event) {
			if e.Phase != "epoch" || e.Epoch < 2 {
				return
			}
			c, err := modelio.Open(dir).ReadCheckpoint()
			if err != nil {
				t.Error(err)
			}
			got = append(got, c != nil)
			b, _ := os.ReadFile(filepath.Join(dir, modelio.MetricsFile))
			metricLines = append(metricLines, bytes.Count(b, []byte("\n")))
		}
		res, err := TrainRun(context.Background(), RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: dir, Threads: 2,
			Progress: progress, CheckpointEvery: tc.every})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("every %v: checkpoints at the ends of epochs 2-4 %v, want %v", tc.every, got, tc.want)
		}
		if !slices.Equal(metricLines, []int{1, 2, 3}) {
			t.Errorf("every %v: metrics.jsonl lines when epochs 2-4 end %v, want [1 2 3]", tc.every, metricLines)
		}
		w, err := os.ReadFile(filepath.Join(dir, res.Manifest.WeightsFile))
		if err != nil {
			t.Fatal(err)
		}
		weights = append(weights, w)
	}
	if !bytes.Equal(weights[0], weights[1]) {
		t.Error("the checkpoint interval changed the model")
	}
}

// The test rows are scored before the model is committed: a run stopped at
// that moment (a kill while scoring, here an error from BeforeCommit) is an
// unfinished run, and --resume finishes it with the bytes of an
// uninterrupted run.
func TestTestScoredBeforeCommit(t *testing.T) {
	cfg := synthConfig("mhp", "index")
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	want := trainTo(t, cfg, filepath.Join(t.TempDir(), "ref"))
	dir := filepath.Join(t.TempDir(), "run")
	stop := errors.New("stopped before the commit")
	_, err := TrainRun(context.Background(), RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: dir, Threads: 2,
		BeforeCommit: func(res *RunResult) error {
			if res.Test == nil {
				t.Error("the test rows were not scored before the commit")
			}
			return stop
		}})
	if !errors.Is(err, stop) {
		t.Fatalf("error %v, want the hook's", err)
	}
	if _, err := os.Stat(filepath.Join(dir, modelio.ManifestFile)); err == nil {
		t.Fatal("a manifest was committed before the hook ran")
	}
	if _, err := os.Stat(filepath.Join(dir, modelio.TrainingDir, modelio.ConfigFile)); err != nil {
		t.Fatalf("the run is not resumable: %v", err)
	}
	res, err := TrainRun(context.Background(), RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: dir, Threads: 2, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Manifest.WeightsFile != want.Manifest.WeightsFile || res.Test == nil || res.Test.Rows != want.Test.Rows {
		t.Errorf("resumed run: weights %s, want %s (the same bytes)", res.Manifest.WeightsFile, want.Manifest.WeightsFile)
	}
}

// A run killed during its commit (after config.yaml, after result.json,
// after the manifest: what modelio.Commit writes, in order) still has its
// staged config, and --resume finishes it with the bytes of an
// uninterrupted run and its run record. The states are built from a
// run stopped before its commit plus the files an uninterrupted run
// wrote by each step.
func TestResumeAfterKillDuringCommit(t *testing.T) {
	cfg := synthConfig("mhp", "index")
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	recordOf := func(res *RunResult) ([]byte, error) {
		return []byte(fmt.Sprintf("{\"weights\": %q, \"test_rows\": %d}\n", res.Manifest.WeightsFile, res.Test.Rows)), nil
	}
	refDir := filepath.Join(t.TempDir(), "ref")
	ref, err := TrainRun(context.Background(), RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: refDir, Threads: 2, Record: recordOf})
	if err != nil {
		t.Fatal(err)
	}
	wantRecord, err := os.ReadFile(filepath.Join(refDir, modelio.RecordFile))
	if err != nil {
		t.Fatalf("the run record was not written by the commit: %v", err)
	}
	steps := [][]string{
		{modelio.ConfigFile},
		{modelio.ConfigFile, modelio.RecordFile},
		{modelio.ConfigFile, modelio.RecordFile, ref.Manifest.WeightsFile, modelio.ManifestFile},
	}
	for _, files := range steps {
		t.Run("after "+files[len(files)-1], func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			stop := errors.New("stopped before the commit")
			_, err := TrainRun(context.Background(), RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: dir, Threads: 2,
				BeforeCommit: func(*RunResult) error { return stop }})
			if !errors.Is(err, stop) {
				t.Fatalf("error %v, want the hook's", err)
			}
			for _, f := range files {
				b, err := os.ReadFile(filepath.Join(refDir, f))
				if err != nil {
					t.Fatal(err)
				}
				os.WriteFile(filepath.Join(dir, f), b, 0o644)
			}
			res, err := TrainRun(context.Background(), RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: dir, Threads: 2, Resume: true, Record: recordOf})
			if err != nil {
				t.Fatalf("resume: %v", err)
			}
			if res.Manifest.WeightsFile != ref.Manifest.WeightsFile {
				t.Errorf("resumed run: weights %s, want %s (the same bytes)", res.Manifest.WeightsFile, ref.Manifest.WeightsFile)
			}
			if got, err := os.ReadFile(filepath.Join(dir, modelio.RecordFile)); err != nil || !bytes.Equal(got, wantRecord) {
				t.Errorf("run record %q (%v), want %q", got, err, wantRecord)
			}
			if _, err := os.Stat(filepath.Join(dir, modelio.TrainingDir)); err == nil {
				t.Error("the run area was left")
			}
		})
	}
}

// A run resumed by another mhe build (here a checkpoint whose recorded
// build is edited) warns, naming both, and lists both builds in its state,
// in order; the same build resumes quietly with one, and so does a
// checkpoint written before builds were recorded (an unknown build is not
// another). The weights are an uninterrupted run's either way (the code is
// the same).
func TestResumeByAnotherBuild(t *testing.T) {
	cfg := synthConfig("mhp", "index")
	want := trainTo(t, cfg, filepath.Join(t.TempDir(), "ref"))
	this := buildinfo.Get()
	for _, c := range []string{"same", "other", "unknown"} {
		other := c == "other"
		dir := filepath.Join(t.TempDir(), "run")
		ckpt, rec := interruptedCheckpoint(t, cfg, dir)
		state := filepath.Join(ckpt, "state.json")
		builds, _ := rec["builds"].([]any)
		if len(builds) != 1 || builds[0].(map[string]any)["commit"] != this.Commit {
			t.Fatalf("checkpoint builds %v, want this build's", rec["builds"])
		}
		switch c {
		case "other":
			builds[0].(map[string]any)["commit"] = "0123456789ab"
		case "unknown":
			delete(rec, "builds")
		}
		raw, _ := json.Marshal(rec)
		os.WriteFile(state, raw, 0o644)
		var warned []string
		res, err := TrainRun(context.Background(), RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: dir, Threads: 2, Resume: true,
			Warn: func(format string, args ...any) { warned = append(warned, fmt.Sprintf(format, args...)) }})
		if err != nil {
			t.Fatal(err)
		}
		if res.Manifest.WeightsFile != want.Manifest.WeightsFile {
			t.Errorf("%s build: weights %s, want %s", c, res.Manifest.WeightsFile, want.Manifest.WeightsFile)
		}
		got := res.State.Builds
		switch {
		case !other && (len(got) != 1 || got[0] != this || len(warned) != 0):
			t.Errorf("the %s build: builds %v, warnings %q", c, got, warned)
		case other && (len(got) != 2 || got[0].Commit != "0123456789ab" || got[1] != this || len(warned) != 1 ||
			!strings.Contains(warned[0], "the checkpoint was written by mhe "+this.Version+" (commit 0123456789ab") ||
			!strings.Contains(warned[0], "this is "+this.String())):
			t.Errorf("another build: builds %v, warnings %q", got, warned)
		}
	}
}

// A checkpoint's files are checked on resume by the CRC-32C its state
// records, or by the sha256 that checkpoints written before the CRC-32C
// recorded; a damaged file fails either way, and an intact one resumes to
// an uninterrupted run's weights.
func TestResumeChecksCheckpointFiles(t *testing.T) {
	cfg := synthConfig("mhp", "index")
	want := trainTo(t, cfg, filepath.Join(t.TempDir(), "ref"))
	for _, old := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "run")
		ckpt, rec := interruptedCheckpoint(t, cfg, dir)
		state := filepath.Join(ckpt, "state.json")
		crcs, _ := rec["crc32c"].(map[string]any)
		if len(crcs) != 3 || rec["files"] != nil {
			t.Fatalf("checkpoint state: crc32c %v, files %v; want three CRCs and no sha256", rec["crc32c"], rec["files"])
		}
		name := "crc32c"
		if old {
			// As a build before the CRC-32C wrote it.
			sums := map[string]any{}
			for f := range crcs {
				s, err := modelio.SHA256File(filepath.Join(ckpt, f))
				if err != nil {
					t.Fatal(err)
				}
				sums[f] = s
			}
			delete(rec, "crc32c")
			rec["files"] = sums
			raw, _ := json.Marshal(rec)
			os.WriteFile(state, raw, 0o644)
			name = "sha256"
		}
		optim := filepath.Join(ckpt, "optim.bin")
		intact, _ := os.ReadFile(optim)
		flipped := bytes.Clone(intact)
		flipped[len(flipped)-8] ^= 1
		os.WriteFile(optim, flipped, 0o644)
		resume := func() (*RunResult, error) {
			return TrainRun(context.Background(), RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: dir, Threads: 2, Resume: true})
		}
		if _, err := resume(); !errors.Is(err, modelio.ErrCorrupt) || !strings.Contains(err.Error(), "fails its "+name+" check") {
			t.Errorf("old state %v: a flipped byte in optim.bin: %v, want a failed %s check", old, err, name)
		}
		os.WriteFile(optim, intact, 0o644)
		res, err := resume()
		if err != nil {
			t.Fatalf("old state %v: resume: %v", old, err)
		}
		if res.Manifest.WeightsFile != want.Manifest.WeightsFile {
			t.Errorf("old state %v: weights %s, want %s", old, res.Manifest.WeightsFile, want.Manifest.WeightsFile)
		}
	}
}

// interruptedCheckpoint trains cfg into dir until the end of its first
// epoch and returns the checkpoint's directory and its state.json, decoded.
func interruptedCheckpoint(t *testing.T, cfg config.Config, dir string) (string, map[string]any) {
	t.Helper()
	interruptAfterEpoch(t, cfg, dir)
	c, err := modelio.Open(dir).ReadCheckpoint()
	if err != nil || c == nil {
		t.Fatalf("checkpoint: %v %v", c, err)
	}
	ckpt := filepath.Join(dir, modelio.TrainingDir, c.Dir)
	raw, _ := os.ReadFile(filepath.Join(ckpt, "state.json"))
	var rec map[string]any
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	return ckpt, rec
}

// A run killed before its first checkpoint has only its staged config:
// --resume says so and starts again from it, to an uninterrupted run's
// weights.
func TestResumeBeforeFirstCheckpoint(t *testing.T) {
	cfg := synthConfig("mhp", "index")
	cfg.Train.Epochs = 1
	want := trainTo(t, cfg, filepath.Join(t.TempDir(), "ref"))
	dir := filepath.Join(t.TempDir(), "run")
	staged := modelio.Open(dir).Training(modelio.ConfigFile)
	if err := os.MkdirAll(filepath.Dir(staged), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(staged, []byte("name: unit\n"), 0o644)
	var log []string
	res, err := TrainRun(context.Background(), RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: dir, Threads: 2, Resume: true,
		Log: func(format string, args ...any) { log = append(log, fmt.Sprintf(format, args...)) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Manifest.WeightsFile != want.Manifest.WeightsFile {
		t.Errorf("weights %s, want an uninterrupted run's %s", res.Manifest.WeightsFile, want.Manifest.WeightsFile)
	}
	if !slices.ContainsFunc(log, func(l string) bool {
		return strings.Contains(l, "no checkpoint yet: starting the run again from its staged config")
	}) {
		t.Errorf("the log does not say the run starts again: %q", log)
	}
}
