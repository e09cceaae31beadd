package train

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/memlimit"
	"github.com/mhe-xlc/mhe/internal/nn"
)

func TestMemoryNeed(t *testing.T) {
	w := nn.NewParam("w", 10, 4, true, true) // W and a dense gradient
	w.M, w.V = make([]float32, 40), make([]float32, 40)
	e := nn.NewParamShape("e", 5, 2, true, true) // W only
	ds := &data.Dataset{
		X: &data.CSR{Rows: 2, Cols: 9, Indptr: []int64{0, 2, 3}, Indices: []int32{1, 4, 2}, Values: []float32{1, 2, 3}},
		Y: &data.CSR{Rows: 2, Cols: 3, Indptr: []int64{0, 1, 2}, Indices: []int32{0, 2}},
	}
	for _, c := range []struct {
		swa         bool
		model, rows int64
	}{
		{false, 4 * (160 + 10), 8*3 + 4*6 + 8*3 + 4*2},
		{true, 4 * (160 + 40 + 10 + 10), 8*3 + 4*6 + 8*3 + 4*2},
	} {
		model, rows := memoryNeed([]*nn.Param{w, e}, c.swa, []*data.Dataset{ds})
		if model != c.model || rows != c.rows {
			t.Errorf("swa %v: model %d data %d bytes, want %d and %d", c.swa, model, rows, c.model, c.rows)
		}
	}
}

func TestMemoryWarning(t *testing.T) {
	lim := memlimit.Limit{Bytes: 8 << 30, Source: "/sys/fs/cgroup/job/memory.max"}
	if w := memoryWarning(6<<30, 1<<30, lim); w != "" {
		t.Errorf("a run that fits is warned about: %s", w)
	}
	if w := memoryWarning(9<<30, 1<<30, memlimit.Limit{}); w != "" {
		t.Errorf("an unknown limit warns: %s", w)
	}
	w := memoryWarning(7<<30, 1536<<20, lim)
	for _, want := range []string{"allocates 8.50 GiB (model 7.00 GiB, data 1.50 GiB) but may use only 8.00 GiB (/sys/fs/cgroup/job/memory.max)", "killed", "head.method mhc"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning lacks %q: %s", want, w)
		}
	}
}

// A run says what it allocates before its first batch, and warns when that
// is more than the process may use.
func TestTrainRunMemoryWarning(t *testing.T) {
	for _, limit := range []memlimit.Limit{{}, {Bytes: 1 << 30, Source: "roomy"}, {Bytes: 1 << 10, Source: "/sys/fs/cgroup/tiny/memory.max"}} {
		cfg := synthConfig("vanilla", "index")
		cfg.Train.Epochs = 1
		var log strings.Builder
		res, err := TrainRun(context.Background(), RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: t.TempDir(), Threads: 2,
			MemoryLimit: limit, Log: func(f string, a ...any) { fmt.Fprintf(&log, f+"\n", a...) }})
		if err != nil {
			t.Fatal(err)
		}
		model, _ := memoryNeed(res.Model.Params(), false, nil)
		if want := "memory: " + byteSize(model) + " allocated for the model"; !strings.Contains(log.String(), want) {
			t.Errorf("limit %+v: the log lacks %q:\n%s", limit, want, log.String())
		}
		warned := strings.Contains(log.String(), "warning: this run allocates")
		if want := limit.Bytes == 1<<10; warned != want || want && !strings.Contains(log.String(), "(/sys/fs/cgroup/tiny/memory.max)") {
			t.Errorf("limit %+v: warned %v, want %v:\n%s", limit, warned, want, log.String())
		}
	}
}
