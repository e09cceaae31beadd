package train

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/heads"
	"github.com/mhe-xlc/mhe/internal/nn"
)

// train.rowwise_tables keeps one optimizer value a row for MHC's label
// tables and Adam's two a weight for everything else; the memory estimate
// and the plan price the difference exactly; the model learns; and a run
// interrupted after an epoch resumes to the bytes of an uninterrupted one
// (the row-wise state is checkpointed).
func TestRowwiseTables(t *testing.T) {
	cfg := synthConfig("mhc", "index")
	cfg.Head.BottleneckDim, cfg.Head.Beam = 16, 4
	cfg.Train.RowwiseTables = true
	m, _, splits := prepared(t, &cfg)
	tables := map[*nn.Param]bool{}
	var tableParams, tableRows int64
	for _, p := range m.Head.(*heads.MHCHead).Tables() {
		tables[p] = true
		tableParams += int64(p.Size())
		tableRows += int64(p.Rows)
	}
	if len(tables) != 2 || !m.Plan.RowwiseTables {
		t.Fatalf("%d tables, plan rowwise %v: want the level-2 embedding and bias, row-wise", len(tables), m.Plan.RowwiseTables)
	}
	for _, p := range m.Params() {
		switch {
		case tables[p] && (p.M != nil || len(p.V) != p.Rows):
			t.Errorf("table %s: m %d v %d, want no m and %d values", p.Name, len(p.M), len(p.V), p.Rows)
		case !tables[p] && (len(p.M) != p.Size() || len(p.V) != p.Size()):
			t.Errorf("%s: m %d v %d, want Adam's %d each", p.Name, len(p.M), len(p.V), p.Size())
		}
	}
	element := cfg
	element.Train.RowwiseTables = false
	if em, _, _ := prepared(t, &element); rowwiseWouldHelp(m) || !rowwiseWouldHelp(em) {
		t.Errorf("the memory warning's advice: row-wise model %v, Adam's %v; want false, true", rowwiseWouldHelp(m), rowwiseWouldHelp(em))
	}
	features, labels := splits.Train.NumFeatures(), splits.Train.NumLabels()
	row, err := TrainingMemory(&cfg, features, labels)
	if err != nil {
		t.Fatal(err)
	}
	full, err := TrainingMemory(&element, features, labels)
	if err != nil {
		t.Fatal(err)
	}
	saved := 4 * (2*tableParams - tableRows)
	if full.Model-row.Model != saved {
		t.Errorf("training memory %d bytes row-wise, %d element-wise: saves %d, want %d", row.Model, full.Model, full.Model-row.Model, saved)
	}
	req := m.Plan.Request()
	req.RowwiseTables = false
	plain, err := heads.NewPlan(req)
	if err != nil {
		t.Fatal(err)
	}
	if plain.OptimizerBytes-m.Plan.OptimizerBytes != saved || plain.RowwiseTables {
		t.Errorf("plan optimizer bytes %d row-wise, %d element-wise: saves %d, want %d", m.Plan.OptimizerBytes, plain.OptimizerBytes, plain.OptimizerBytes-m.Plan.OptimizerBytes, saved)
	}

	want := trainTo(t, cfg, filepath.Join(t.TempDir(), "ref"))
	if acc, _ := want.Test.Get("acc@1"); acc < 0.6 {
		t.Errorf("accuracy %.3f: the model did not learn", acc)
	}
	if ref := trainTo(t, element, filepath.Join(t.TempDir(), "element")); ref.Manifest.WeightsFile == want.Manifest.WeightsFile {
		t.Error("row-wise tables trained the same weights as Adam's: the setting did nothing")
	}
	dir := filepath.Join(t.TempDir(), "run")
	interruptAfterEpoch(t, cfg, dir)
	res, err := TrainRun(context.Background(), RunOptions{Config: &cfg, ConfigYAML: []byte("name: unit\n"), Dir: dir, Threads: 2, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Manifest.WeightsFile != want.Manifest.WeightsFile {
		t.Errorf("resumed run: weights %s, want %s", res.Manifest.WeightsFile, want.Manifest.WeightsFile)
	}
}

// Row-wise state is a second moment, which SGD does not keep: the config
// says so rather than training something else.
func TestRowwiseTablesNeedAdam(t *testing.T) {
	cfg := synthConfig("mhc", "index")
	cfg.Train.RowwiseTables, cfg.Train.Optimizer = true, "sgd"
	err := cfg.Validate()
	if !errors.Is(err, config.ErrInvalid) || err == nil || !strings.Contains(err.Error(), "train.rowwise_tables") {
		t.Errorf("rowwise tables with sgd: %v, want an invalid-config error naming train.rowwise_tables", err)
	}
}
