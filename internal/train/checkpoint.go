package train

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/mhe-xlc/mhe/internal/buildinfo"
	"github.com/mhe-xlc/mhe/internal/jsonerr"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/nn"
)

// checkpoint saves everything needed to continue exactly where the run is:
// after `epoch` completed epochs and `batch` batches of the next one.
func (t *Trainer) checkpoint(epoch, batch int) error {
	if t.Dir == nil {
		return nil
	}
	name, path, err := t.Dir.NewCheckpointDir(epoch, batch)
	if err != nil {
		return err
	}
	ps := t.M.Params()
	var weights, optim, extra []modelio.Tensor
	for i, p := range ps {
		dims := []int{p.Rows, p.Cols}
		weights = append(weights, modelio.Tensor{Name: p.Name, Dims: dims, F32: p.W})
		if p.M != nil {
			optim = append(optim, modelio.Tensor{Name: p.Name + ".m", Dims: dims, F32: p.M})
		}
		if p.V != nil {
			optim = append(optim, modelio.Tensor{Name: p.Name + ".v", Dims: stateDims(p, p.V), F32: p.V})
		}
		if t.best != nil {
			extra = append(extra, modelio.Tensor{Name: p.Name + ".best", Dims: dims, F32: t.best[i]})
		}
		if t.swa != nil {
			extra = append(extra, modelio.Tensor{Name: p.Name + ".swa", Dims: dims, F32: t.swa[i]})
		}
	}
	st := t.state
	st.Epoch, st.Batch = epoch, batch
	files := map[string][]modelio.Tensor{"weights.bin": weights, "optim.bin": optim, "extra.bin": extra}
	sums := map[string]string{}
	for _, f := range []string{"weights.bin", "optim.bin", "extra.bin"} {
		info, err := modelio.WriteTensorsCRC(filepath.Join(path, f), files[f])
		if err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		sums[f] = info.CRC32C
	}
	rec := checkpointState{State: st, CRC32C: sums}
	if err := modelio.WriteJSON(filepath.Join(path, "state.json"), rec); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := t.writeMetrics(st.History); err != nil {
		return err
	}
	return t.Dir.CommitCheckpoint(modelio.Checkpoint{Dir: name, Epoch: epoch, Batch: batch})
}

type checkpointState struct {
	State
	// CRC32C is each file's CRC-32C (hex), which resuming checks.
	CRC32C map[string]string `json:"crc32c,omitempty"`
	// Files is each file's sha256, as checkpoints written before the
	// CRC-32C had it (a run resumed across builds); nil in new ones.
	Files map[string]string `json:"files,omitempty"`
}

// writeMetrics rewrites metrics.jsonl from the history (so a resumed run's
// log matches an uninterrupted one's epochs).
func (t *Trainer) writeMetrics(h []EpochRecord) error {
	var b []byte
	for _, r := range h {
		line, err := json.Marshal(r)
		if err != nil {
			return err
		}
		b = append(b, line...)
		b = append(b, '\n')
	}
	return writeFileAtomic(t.Dir.File(modelio.MetricsFile), b)
}

// Resume restores the newest checkpoint of dir into the trainer. It fails
// when the training data changed since the run started. When another mhe
// build wrote the checkpoint, it returns that build (and State.Builds
// gains this one).
func (t *Trainer) Resume(c *modelio.Checkpoint) (other *buildinfo.Info, err error) {
	path := t.Dir.Training(c.Dir)
	raw, err := os.ReadFile(filepath.Join(path, "state.json"))
	if err != nil {
		return nil, fmt.Errorf("%w: checkpoint: %v", modelio.ErrCorrupt, err)
	}
	var rec checkpointState
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("%w: checkpoint state %s: %s", modelio.ErrCorrupt, filepath.Join(path, "state.json"), jsonerr.Describe(raw, err))
	}
	if !slices.Equal(rec.DataSHA256, t.state.DataSHA256) {
		return nil, fmt.Errorf("%w: the training data changed since this run started (sha256 differs); start a new run with --force", modelio.ErrIncompatible)
	}
	load := func(name string) (*modelio.TensorFile, error) {
		return modelio.ReadTensors(filepath.Join(path, name), modelio.FileInfo{SHA256: rec.Files[name], CRC32C: rec.CRC32C[name]})
	}
	ps := t.M.Params()
	wf, err := load("weights.bin")
	if err != nil {
		return nil, err
	}
	defer wf.Close()
	of, err := load("optim.bin")
	if err != nil {
		return nil, err
	}
	defer of.Close()
	ef, err := load("extra.bin")
	if err != nil {
		return nil, err
	}
	defer ef.Close()
	restore := func(f *modelio.TensorFile, name string, dst []float32, rows, cols int) error {
		tt, err := f.Get(name, modelio.Float32, rows, cols)
		if err != nil {
			return err
		}
		copy(dst, tt.F32)
		return nil
	}
	for i, p := range ps {
		if err := restore(wf, p.Name, p.W, p.Rows, p.Cols); err != nil {
			return nil, err
		}
		if p.M != nil {
			if err := restore(of, p.Name+".m", p.M, p.Rows, p.Cols); err != nil {
				return nil, err
			}
		}
		if p.V != nil {
			d := stateDims(p, p.V)
			if err := restore(of, p.Name+".v", p.V, d[0], d[1]); err != nil {
				return nil, err
			}
		}
		if _, ok := ef.Tensors[p.Name+".best"]; ok {
			if t.best == nil {
				t.best = make([][]float32, len(ps))
			}
			t.best[i] = make([]float32, p.Size())
			if err := restore(ef, p.Name+".best", t.best[i], p.Rows, p.Cols); err != nil {
				return nil, err
			}
		}
		if _, ok := ef.Tensors[p.Name+".swa"]; ok {
			if t.swa == nil {
				t.swa = make([][]float32, len(ps))
			}
			t.swa[i] = make([]float32, p.Size())
			if err := restore(ef, p.Name+".swa", t.swa[i], p.Rows, p.Cols); err != nil {
				return nil, err
			}
		}
	}
	cur := t.state.Builds
	t.state = rec.State
	t.opt.SetStep(t.state.Step)
	// A checkpoint from before builds were recorded names none: unknown,
	// not another.
	if n := len(t.state.Builds); n > 0 && len(cur) > 0 && t.state.Builds[n-1] != cur[0] {
		prev := t.state.Builds[n-1]
		t.state.Builds = append(t.state.Builds, cur[0])
		return &prev, nil
	}
	if len(t.state.Builds) == 0 {
		t.state.Builds = cur
	}
	return nil, nil
}

func writeFileAtomic(path string, b []byte) error {
	return modelio.WriteBytes(path, b)
}

// stateDims is the shape of optimizer state s of p: p's rows, and p's
// columns or, for state kept by rows (nn.Param.RowState), one.
func stateDims(p *nn.Param, s []float32) []int {
	return []int{p.Rows, len(s) / p.Rows}
}
