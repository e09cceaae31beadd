// Package record writes self-describing JSON results of mhe runs: what was
// trained on what, with which config and code, on which machine, and what it
// scored and cost. A result file alone is enough to rerun its row.
package record

import (
	"cmp"
	"os"
	"runtime"

	"github.com/mhe-xlc/mhe/internal/buildinfo"
	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/hostcpu"
	"github.com/mhe-xlc/mhe/internal/modelio"
)

// Machine describes the computer a run used. CPUID tells apart CPUs that
// a virtual machine names alike ("AMD EPYC" for two generations), and
// Kernels (set by the commands that train and predict: nn.Kernels) which
// vector kernels ran; times of runs differing in either are not comparable,
// while their metrics are (every kernel set computes the same bits).
type Machine struct {
	CPU      string `json:"cpu"`
	CPUID    string `json:"cpu_id"`
	Kernels  string `json:"kernels"`
	Cores    int    `json:"cores"`
	Platform string `json:"platform"`
	Hostname string `json:"hostname"`
}

// ThisMachine names this machine: the CPU's model and identity
// (hostcpu.Identify), the core count, the platform and the host.
func ThisMachine() Machine {
	m := Machine{Cores: runtime.NumCPU(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	m.Hostname, _ = os.Hostname()
	var name string
	name, m.CPUID = hostcpu.Identify()
	m.CPU = cmp.Or(name, "unknown")
	return m
}

// Label names the machine's CPU for a table: "AMD EPYC (AuthenticAMD family
// 25 model 1 stepping 1), avx kernels"; what the record lacks is left out.
func (m Machine) Label() string {
	l := m.CPU
	if m.CPUID != "" {
		l += " (" + m.CPUID + ")"
	}
	if m.Kernels != "" {
		l += ", " + m.Kernels + " kernels"
	}
	return l
}

// Kind is Label with the platform: what tells apart machines whose times
// are not comparable ("…, avx kernels, linux/amd64").
func (m Machine) Kind() string { return m.Label() + ", " + m.Platform }

// Plan is the head layout of a run.
type Plan struct {
	Method          string  `json:"method"`
	Loss            string  `json:"loss"`
	Lengths         []int   `json:"lengths"`
	ConfusionDegree float64 `json:"confusion_degree"`
	Params          int64   `json:"params"`
	VanillaParams   int64   `json:"vanilla_params"`
	ParamRatio      float64 `json:"param_ratio"`
}

// Timing is the cost of a run.
type Timing struct {
	TrainSeconds          float64 `json:"train_seconds,omitempty"`
	TrainExamples         int64   `json:"train_examples,omitempty"`
	TrainExamplesPerSec   float64 `json:"train_examples_per_sec,omitempty"`
	MicrosPerTrainExample float64 `json:"us_per_train_example,omitempty"`
	PredictSeconds        float64 `json:"predict_seconds,omitempty"`
	PredictRows           int     `json:"predict_rows,omitempty"`
	PredictRowsPerSec     float64 `json:"predict_rows_per_sec,omitempty"`
	MsPerPredictRow       float64 `json:"ms_per_predict_row,omitempty"`
	WallSeconds           float64 `json:"wall_seconds"`
	CPUSeconds            float64 `json:"cpu_seconds"`
	PeakRSSMiB            float64 `json:"peak_rss_mib"`
}

// MemoryLimit is the memory a process was allowed: its cgroup's limit
// (SLURM's --mem), the RAM, or MHE_MEMORY_LIMIT's share (Source says
// which), and the heap size Go's collector was held under (0: none, as
// when GOMEMLIMIT was set). Beside Timing.PeakRSSMiB it tells how close a
// run came to being killed.
type MemoryLimit struct {
	Bytes       int64  `json:"bytes"`
	Source      string `json:"source"`
	GCHeapBytes int64  `json:"gc_heap_bytes"`
}

// SetPredict records a prediction of rows rows that took secs seconds,
// with the derived rates when both are positive.
func (t *Timing) SetPredict(secs float64, rows int) {
	t.PredictSeconds, t.PredictRows = secs, rows
	if secs > 0 && rows > 0 {
		t.PredictRowsPerSec = float64(rows) / secs
		t.MsPerPredictRow = 1e3 * secs / float64(rows)
	}
}

// Epoch is one epoch of a run's history (a line of metrics.jsonl): its
// loss, learning rate, time and, when the run validated, the validation
// metrics and whether they were the best so far.
type Epoch struct {
	Epoch          int     `json:"epoch"`
	Loss           float64 `json:"loss"`
	LR             float64 `json:"lr"`
	Seconds        float64 `json:"seconds"`
	ExamplesPerSec float64 `json:"examples_per_sec"`
	// SelectedShare (MHS) is the mean share of the classifier's outputs a
	// training step computed.
	SelectedShare float64            `json:"selected_share,omitempty"`
	Validation    map[string]float64 `json:"validation,omitempty"`
	Best          bool               `json:"best,omitempty"`
}

// The weights a model ends with (Record.KeptWeights).
const (
	KeptAverage = "average" // a weight average (train.average: swa)
	KeptBest    = "best"    // early stopping's best epoch
	KeptLast    = "last"    // the last epoch's
)

// Record is one result file.
type Record struct {
	Kind     string         `json:"kind"` // "train" or "eval"
	Name     string         `json:"name"`
	ModelDir string         `json:"model_dir,omitempty"`
	Plan     Plan           `json:"plan"`
	Seed     uint64         `json:"seed"`
	Threads  int            `json:"threads"`
	MHE      buildinfo.Info `json:"mhe"`
	// Builds lists the mhe builds that trained the model, in order, when
	// a resumed run changed build (omitted when MHE alone did).
	Builds    []buildinfo.Info   `json:"builds,omitempty"`
	Machine   Machine            `json:"machine"`
	Data      []modelio.DataInfo `json:"data"`
	Epochs    int                `json:"epochs"`
	Metrics   map[string]float64 `json:"metrics"`
	NTestRows int                `json:"n_test_rows"`
	// NEmptyTestRows: how many test rows had no true labels (counted as
	// 0 or left out, by config.eval.empty_rows); with Metrics and the
	// config it gives the test result back as it was printed. Omitted
	// when no test rows were scored, and by builds before it was kept.
	NEmptyTestRows *int   `json:"n_empty_test_rows,omitempty"`
	Timing         Timing `json:"timing"`
	// MemoryLimit: what the process was allowed (omitted when unknown).
	MemoryLimit *MemoryLimit `json:"memory_limit,omitempty"`
	ModelSize   int64        `json:"model_bytes"`
	History     []Epoch      `json:"history,omitempty"`
	// Warnings are those the run wrote to stderr before its record, as its
	// JSON output lists them (omitted when there were none).
	Warnings []string `json:"warnings,omitempty"`
	// KeptWeights names the weights the model ends with (KeptAverage,
	// KeptBest or KeptLast); empty in records written before mhe recorded
	// it.
	KeptWeights string `json:"kept_weights,omitempty"`
	// AverageValidation: the validation metrics of a weight average
	// (train.average: swa), the weights the model kept, which no epoch of
	// History validated.
	AverageValidation map[string]float64 `json:"average_validation,omitempty"`
	Config            config.Config      `json:"config"`
	Extra             map[string]any     `json:"extra,omitempty"`
}

// Write saves the record atomically as indented JSON.
func Write(path string, r *Record) error {
	return modelio.WriteJSON(path, r)
}

// Marshal returns the bytes Write writes.
func Marshal(r *Record) ([]byte, error) { return modelio.JSONBytes(r) }
