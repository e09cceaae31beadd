package train

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/flock"
	"github.com/mhe-xlc/mhe/internal/memlimit"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/nn"
)

func TestModelAndDataBytes(t *testing.T) {
	w := nn.NewParam("w", 10, 4, true, true)      // W and a dense gradient
	e := nn.NewParamShape("e", 5, 2, true, false) // shape only: priced all the same
	r := nn.NewParamShape("r", 5, 2, true, false) // row-wise state under Adam: a value a row
	r.RowState = true
	sgd, _ := nn.NewOptimizer(nn.SGD, 0, 0)
	adam, _ := nn.NewOptimizer(nn.Adam, 0, 0)
	momentum, _ := nn.NewOptimizer(nn.SGD, 0.9, 0)
	for _, c := range []struct {
		opt  *nn.Optimizer
		swa  bool
		want int64
	}{
		{sgd, false, 4 * (2*40 + 10 + 10)},
		{adam, false, 4 * (4*40 + 3*10 + 10 + 5)},
		{adam, true, 4 * (5*40 + 4*10 + 2*10 + 5)},
		{momentum, false, 4 * (3*40 + 2*10 + 2*10)}, // sgd keeps its momentum per element
	} {
		if got := modelBytes([]*nn.Param{w, e, r}, c.opt, c.swa); got != c.want {
			t.Errorf("%s (momentum %g) swa %v: %d bytes, want %d", c.opt.Kind, c.opt.Momentum, c.swa, got, c.want)
		}
	}
	ds := &data.Dataset{
		X: &data.CSR{Rows: 2, Cols: 9, Indptr: []int64{0, 2, 3}, Indices: []int32{1, 4, 2}, Values: []float32{1, 2, 3}},
		Y: &data.CSR{Rows: 2, Cols: 3, Indptr: []int64{0, 1, 2}, Indices: []int32{0, 2}},
	}
	if got, want := dataBytes([]*data.Dataset{ds}), int64(8*3+4*6+8*3+4*2); got != want {
		t.Errorf("data: %d bytes, want %d", got, want)
	}
}

// TrainingMemory prices a model from its config without allocating it:
// exactly what training allocates for every head, optimizer and weight
// average (so mhe plan --config tells a cluster job how much to ask for).
func TestTrainingMemoryIsAllocation(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*config.Config)
	}{
		{"vanilla adam", func(c *config.Config) { c.Head.Method = "vanilla" }},
		{"mhp sgd momentum", func(c *config.Config) { c.Head.Method = "mhp"; c.Train.Optimizer = "sgd" }},
		{"mhp sgd plain", func(c *config.Config) { c.Head.Method = "mhp"; c.Train.Optimizer = "sgd"; c.Train.Momentum = 0 }},
		{"mhc bottleneck", func(c *config.Config) { c.Head.Method = "mhc"; c.Head.BottleneckDim = 16; c.Head.Beam = 4 }},
		{"mhc rowwise tables", func(c *config.Config) {
			c.Head.Method, c.Head.BottleneckDim, c.Head.Beam = "mhc", 16, 4
			c.Train.RowwiseTables = true
		}},
		{"mhc rowwise tables, adamw, swa", func(c *config.Config) {
			c.Head.Method, c.Head.BottleneckDim, c.Head.Beam = "mhc", 0, 4
			c.Train.RowwiseTables, c.Train.Optimizer, c.Train.Average = true, "adamw", "swa"
		}},
		{"vanilla ignores rowwise tables", func(c *config.Config) { c.Head.Method = "vanilla"; c.Train.RowwiseTables = true }},
		{"mhc no bottleneck, swa", func(c *config.Config) {
			c.Head.Method, c.Head.BottleneckDim, c.Head.Beam, c.Head.PathScore = "mhc", 0, 4, "last"
			c.Train.Average = "swa"
		}},
		{"mhs, two hidden layers", func(c *config.Config) { c.Head.Method = "mhs"; c.Head.Heads = 3; c.Encoder.Hidden = []int{48, 32} }},
		{"linear mhc, hashed features", func(c *config.Config) {
			c.Encoder = config.EncoderConfig{Type: "linear", Activation: "relu", HashFeatures: 128}
			c.Head.Method, c.Head.BottleneckDim = "mhc", 8
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := synthConfig("vanilla", "index")
			tc.set(&cfg)
			m, trainer, splits := prepared(t, &cfg)
			pool := trainer.Pool
			var allocated int64
			for _, p := range m.Params() {
				allocated += 4 * int64(len(p.W)+len(p.G)+len(p.M)+len(p.V))
				if cfg.Train.Average == "swa" {
					allocated += 4 * int64(p.Size())
				}
			}
			got, err := TrainingMemory(&cfg, splits.Train.NumFeatures(), splits.Train.NumLabels())
			if err != nil {
				t.Fatal(err)
			}
			if got.Model != allocated || got.Model == 0 {
				t.Errorf("TrainingMemory prices the model at %d bytes, training allocates %d", got.Model, allocated)
			}
			// The batch buffers: those of the trainer after a run, and
			// those of the predictor that scores rows beside it.
			if err := trainer.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			buffers := 4 * (trainer.ws.floats() + NewPredictor(m, pool, 5).ws.floats())
			if got.Workspace != buffers || buffers == 0 {
				t.Errorf("TrainingMemory prices the batch buffers at %d bytes, training allocates %d", got.Workspace, buffers)
			}
		})
	}
}

func TestMemoryWarning(t *testing.T) {
	lim := memlimit.Limit{Bytes: 8 << 30, Source: "/sys/fs/cgroup/job/memory.max"}
	if w := memoryWarning(Memory{Model: 5 << 30, Workspace: 1 << 30}, 1<<30, lim, true); w != "" {
		t.Errorf("a run that fits is warned about: %s", w)
	}
	if w := memoryWarning(Memory{Model: 9 << 30}, 1<<30, memlimit.Limit{}, true); w != "" {
		t.Errorf("an unknown limit warns: %s", w)
	}
	// The batch buffers alone tip it over.
	if w := memoryWarning(Memory{Model: 6 << 30, Workspace: 1 << 30}, 1536<<20, lim, false); !strings.Contains(w, "batch buffers 1.00 GiB") {
		t.Errorf("a run over the limit by its batch buffers: %q", w)
	}
	w := memoryWarning(Memory{Model: 7 << 30, Workspace: 512 << 20}, 1<<30, lim, false)
	for _, want := range []string{"allocates 8.50 GiB (model 7.00 GiB, batch buffers 512 MiB, data 1.00 GiB) but may use only 8.00 GiB (/sys/fs/cgroup/job/memory.max)", "killed", "head.method mhc", "train.batch_size"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning lacks %q: %s", want, w)
		}
	}
	if strings.Contains(w, "rowwise") {
		t.Errorf("the warning names train.rowwise_tables where it would not help: %s", w)
	}
	// An MHC model under Adam is also told of row-wise tables.
	if w := memoryWarning(Memory{Model: 7 << 30, Workspace: 512 << 20}, 1<<30, lim, true); !strings.Contains(w, "shrink the model: train.rowwise_tables: true") {
		t.Errorf("warning lacks train.rowwise_tables: %s", w)
	}
}

// A run says what it allocates before its first batch, and warns when that
// is more than the process may use.
func TestTrainRunMemoryWarning(t *testing.T) {
	for _, limit := range []memlimit.Limit{{}, {Bytes: 1 << 30, Source: "roomy"}, {Bytes: 2 << 10, Source: "/sys/fs/cgroup/tiny/memory.max"}} {
		cfg := synthConfig("vanilla", "index")
		cfg.Train.Epochs = 1
		var log strings.Builder
		res, err := TrainRun(context.Background(), RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: t.TempDir(), Threads: 2,
			MemoryLimit: limit, Log: func(f string, a ...any) { fmt.Fprintf(&log, f+"\n", a...) }})
		if err != nil {
			t.Fatal(err)
		}
		adam, _ := nn.NewOptimizer(nn.Adam, 0, 0)
		model := modelBytes(res.Model.Params(), adam, false)
		buffers := workspaceBytes(res.Model.Net, cfg.Train.BatchSize)
		if want := "memory: " + FormatBytes(model) + " allocated for the model (weights, gradients, optimizer state), " + FormatBytes(buffers) + " for batch buffers"; !strings.Contains(log.String(), want) {
			t.Errorf("limit %+v: the log lacks %q:\n%s", limit, want, log.String())
		}
		warned := strings.Contains(log.String(), "warning: this run allocates")
		if want := limit.Bytes == 2<<10; warned != want || want && !strings.Contains(log.String(), "(/sys/fs/cgroup/tiny/memory.max)") {
			t.Errorf("limit %+v: warned %v, want %v:\n%s", limit, warned, want, log.String())
		}
	}
}

// A tensor larger than one allocation may take is refused before anything
// is allocated, naming the tensor and the ceiling (the Go runtime would die
// of the allocation without a message); below the ceiling the run trains.
func TestTrainRunRefusesTensorAboveAllocCeiling(t *testing.T) {
	defer func(f func() memlimit.Limit) { allocCeiling = f }(allocCeiling)
	cfg := synthConfig("vanilla", "index") // 500 features × 64 hidden: 125 KiB
	cfg.Train.Epochs = 1
	for _, c := range []struct {
		limit memlimit.Limit
		want  string
	}{
		{memlimit.Limit{Bytes: 100 << 10, Source: "a small test ceiling"}, "tensor enc.0.w is 500 × 64 floats, 125 KiB in one block, more than one allocation may take here (100 KiB: a small test ceiling)"},
		{memlimit.Limit{Bytes: 200 << 10, Source: "a roomier one"}, ""},
		{memlimit.Limit{}, ""},
	} {
		allocCeiling = func() memlimit.Limit { return c.limit }
		dir := t.TempDir()
		_, err := TrainRun(context.Background(), RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: dir, Threads: 2})
		if c.want == "" {
			if err != nil {
				t.Errorf("ceiling %+v: %v", c.limit, err)
			}
			continue
		}
		if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ceiling %+v: %v, want a config error with %q", c.limit, err, c.want)
		}
	}
}

// A label count whose per-label arrays alone exceed the process's memory
// is refused before they are allocated, naming the largest label id the
// rows use (the count is usually a wrong header).
func TestCheckLabelArrays(t *testing.T) {
	y := &data.CSR{Rows: 2, Cols: 1 << 30, Indptr: []int64{0, 1, 2}, Indices: []int32{3, 7}, Values: []float32{1, 1}}
	check := func(limit memlimit.Limit) error {
		return CheckLabelArrays("train.txt", y, labelArrayBytes, "training's per-label arrays", limit)
	}
	err := check(memlimit.Limit{Bytes: 8 << 30, Source: "a test limit"})
	if want := "train.txt declares 1073741824 labels, and training's per-label arrays need 24.00 GiB for them, more than this process may use (8.00 GiB: a test limit); its rows use label ids up to 7"; !errors.Is(err, data.ErrInput) || err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("%v, want an input error with %q", err, want)
	}
	if err := check(memlimit.Limit{Bytes: 32 << 30}); err != nil {
		t.Errorf("within the limit: %v", err)
	}
	if err := check(memlimit.Limit{}); err != nil {
		t.Errorf("no limit known: %v", err)
	}
	empty := &data.CSR{Rows: 1, Cols: 1 << 30, Indptr: []int64{0, 0}}
	if err := CheckLabelArrays("t.txt", empty, 24, "x", memlimit.Limit{Bytes: 1 << 20}); err == nil || !strings.Contains(err.Error(), "it holds no label") {
		t.Errorf("no label in the rows: %v", err)
	}
}

// A training batch's buffer beyond one allocation is refused too (vanilla's
// scores are batch × C floats), but a batch size beyond the training rows
// only trains in batches of every row, as before.
func TestTrainRunBatchBuffers(t *testing.T) {
	defer func(f func() memlimit.Limit) { allocCeiling = f }(allocCeiling)
	allocCeiling = func() memlimit.Limit { return memlimit.Limit{Bytes: 1 << 20, Source: "a test ceiling"} }
	cfg := synthConfig("vanilla", "index") // 3000 training rows, 60 labels
	cfg.Train.Epochs = 1
	cfg.Encoder.Hidden = []int{16}
	cfg.Train.BatchSize = 1 << 20
	if _, err := TrainRun(context.Background(), RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: t.TempDir(), Threads: 2}); err != nil {
		t.Fatalf("a batch of 2^20 over 3000 rows: %v", err)
	}
	cfg.Data.Synth.Labels = 200
	cfg.Data.Synth.Examples = 5000
	cfg.Train.BatchSize = 4000 // 4000 × 200 floats: 3.05 MiB
	_, err := TrainRun(context.Background(), RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: t.TempDir(), Threads: 2})
	if want := "a training batch's buffer is 4000 × 200 floats"; !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), want) {
		t.Errorf("%v, want a config error with %q", err, want)
	}
}

// A model directory that could not be locked is warned about, naming it
// and the cause; a locked one is not.
func TestWarnUnlocked(t *testing.T) {
	var got []string
	warnf := func(format string, args ...any) { got = append(got, fmt.Sprintf(format, args...)) }
	warnUnlocked(&modelio.Dir{Path: "/scratch/m"}, warnf)
	if len(got) != 0 {
		t.Errorf("a locked directory warned: %q", got)
	}
	cause := fmt.Errorf("/scratch/m/training/lock: %w (function not implemented)", flock.ErrUnsupported)
	warnUnlocked(&modelio.Dir{Path: "/scratch/m", Unlocked: cause}, warnf)
	if len(got) != 1 || !strings.Contains(got[0], "training without a lock on /scratch/m (/scratch/m/training/lock: flock: this file system does not support file locks (function not implemented))") ||
		!strings.Contains(got[0], "give every job its own --out") {
		t.Errorf("warning %q", got)
	}
}

// A damaged head.plan file is reported before the data is read (minutes on
// a large dataset) and before the model directory is made: here the data
// file does not exist, and the plan file's error is the one returned.
func TestTrainRunChecksPlanFileFirst(t *testing.T) {
	tmp := t.TempDir()
	plan := filepath.Join(tmp, "plan.yaml")
	os.WriteFile(plan, []byte("method: mhc\nlabels: ten\nlengths: [5, 2]\n"), 0o644)
	cfg := config.Default()
	cfg.Data.Train = filepath.Join(tmp, "no-such-data.txt")
	cfg.Head.Plan = plan
	out := filepath.Join(tmp, "model")
	_, err := TrainRun(context.Background(), RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: out, Threads: 1})
	if err == nil || !strings.Contains(err.Error(), plan+":2: `ten` is not a whole number") {
		t.Errorf("got %v, want the plan file's error", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the model directory was made")
	}
}

// Each memory check lets a need equal to the limit through and refuses one
// byte more; FormatBytes changes unit at exactly a MiB and a GiB.
func TestMemoryLimitsAtTheEdge(t *testing.T) {
	lim := memlimit.Limit{Bytes: 8 << 30, Source: "a test limit"}
	if w := memoryWarning(Memory{Model: 7 << 30, Workspace: 512 << 20}, 512<<20, lim, false); w != "" {
		t.Errorf("a run of exactly the limit is warned about: %s", w)
	}
	if w := memoryWarning(Memory{Model: 7 << 30, Workspace: 512 << 20}, 512<<20+1, lim, false); w == "" {
		t.Error("a run one byte over the limit is not warned about")
	}
	y := &data.CSR{Rows: 1, Cols: 1 << 20, Indptr: []int64{0, 1}, Indices: []int32{0}, Values: []float32{1}}
	if err := CheckLabelArrays("t.txt", y, 24, "x", memlimit.Limit{Bytes: 24 << 20}); err != nil {
		t.Errorf("label arrays of exactly the limit: %v", err)
	}
	err := CheckLabelArrays("t.txt", y, 24, "x", memlimit.Limit{Bytes: 24<<20 - 1})
	if err == nil || !strings.Contains(err.Error(), "its rows use label ids up to 0") {
		t.Errorf("label arrays one byte over the limit: %v, want a refusal naming label id 0", err)
	}
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0 KiB"}, {1<<20 - 1, "1024 KiB"}, {1 << 20, "1 MiB"}, {1<<30 - 1, "1024 MiB"}, {1 << 30, "1.00 GiB"}, {3 << 29, "1.50 GiB"},
	} {
		if got := FormatBytes(c.n); got != c.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

// A tensor or a batch buffer of exactly one allocation's ceiling is
// allowed, one byte more is refused, and the refusal gives its shape.
func TestCheckTensorSizesAtTheEdge(t *testing.T) {
	cfg := synthConfig("vanilla", "index") // 500 features, 60 labels
	cfg.Encoder.Hidden = []int{16}
	m, err := Build(Spec{Config: &cfg, Labels: 60, Features: 500, ShapesOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	largest := int64(0) // bytes of the largest tensor: 500 × 16 floats
	for _, p := range m.Params() {
		largest = max(largest, 4*int64(p.Size()))
	}
	if largest != 4*500*16 {
		t.Fatalf("largest tensor %d bytes, want %d", largest, 4*500*16)
	}
	if err := checkTensorSizes(m, 1, memlimit.Limit{Bytes: largest}); err != nil {
		t.Errorf("a tensor of exactly the ceiling: %v", err)
	}
	if err := checkTensorSizes(m, 1, memlimit.Limit{Bytes: largest - 1}); err == nil || !strings.Contains(err.Error(), "500 × 16 floats") {
		t.Errorf("a tensor one byte over the ceiling: %v", err)
	}
	// The batch buffers: 200 rows × the widest layer (the 60 scores) is
	// 48,000 bytes, past the largest tensor.
	if err := checkTensorSizes(m, 200, memlimit.Limit{Bytes: 200 * 60 * 4}); err != nil {
		t.Errorf("a batch buffer of exactly the ceiling: %v", err)
	}
	if err := checkTensorSizes(m, 200, memlimit.Limit{Bytes: 200*60*4 - 1}); err == nil || !strings.Contains(err.Error(), "200 × 60 floats") {
		t.Errorf("a batch buffer one byte over the ceiling: %v", err)
	}
}
