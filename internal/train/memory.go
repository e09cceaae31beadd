package train

import (
	"fmt"
	"strings"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/heads"
	"github.com/mhe-xlc/mhe/internal/memlimit"
	"github.com/mhe-xlc/mhe/internal/nn"
)

// modelBytes is what a model's tensors take in training: each tensor's
// weights, its dense gradient (Param.Dense), the optimiser's state
// (opt.StateFloats: its slots, or a value a row for row-wise state) and,
// with swa, the weight average's copy, at 4 bytes a value. It
// reads shapes only, so it also prices a model that is not allocated
// (TrainingMemory); TestTrainingMemoryIsAllocation holds it to what
// training allocates.
func modelBytes(ps []*nn.Param, opt *nn.Optimizer, swa bool) int64 {
	var n int64
	for _, p := range ps {
		k := int64(1)
		if p.Dense {
			k++
		}
		if swa {
			k++
		}
		n += k*int64(p.Size()) + opt.StateFloats(p)
	}
	return 4 * n
}

// dataBytes is what the rows of the splits take (CSR arrays).
func dataBytes(splits []*data.Dataset) int64 {
	var n int64
	for _, d := range splits {
		for _, m := range []*data.CSR{d.X, d.Y} {
			n += 8*int64(len(m.Indptr)) + 4*int64(len(m.Indices)+len(m.Values))
		}
	}
	return n
}

// workspaceBytes is what a run's batch buffers take: the training batch's
// (activations, their gradients and dropout masks, and batch × outputs
// scores and their gradients) and the scoring batch's that evaluation
// holds beside it (PredictBatch rows, no gradients). With a vanilla head
// over C labels the scores alone are batch × C floats.
func workspaceBytes(n *Net, batch int) int64 {
	return 4 * (n.workspaceFloats(batch, true) + n.workspaceFloats(PredictBatch, false))
}

// Memory is what training a model allocates, by kind; the data comes on
// top.
type Memory struct {
	// Model is the tensors: weights, dense gradients, the optimiser's
	// state and the weight average's copy.
	Model int64
	// Workspace is the batch buffers of training and of scoring.
	Workspace int64
}

// Total is Model + Workspace.
func (m Memory) Total() int64 { return m.Model + m.Workspace }

// TrainingMemory is what training the model a config describes allocates
// for its tensors and batch buffers, with the given input features (before
// hashing) and labels, without allocating it: mhe plan --config reports it.
// The data comes on top.
func TrainingMemory(cfg *config.Config, features, labels int) (Memory, error) {
	pf, err := readPlanFile(cfg)
	if err != nil {
		return Memory{}, err
	}
	prep := Preprocess{InputFeatures: features, Hash: cfg.Encoder.HashFeatures}
	m, err := Build(Spec{Config: cfg, Labels: labels, Features: prep.Features(), Plan: pf, ShapesOnly: true})
	if err != nil {
		return Memory{}, err
	}
	opt, err := newOptimizer(cfg)
	if err != nil {
		return Memory{}, err
	}
	return memoryOf(m, cfg, opt, cfg.Train.BatchSize), nil
}

// memoryOf prices model m (allocated or shapes only) trained as cfg says
// with optimiser opt, in batches of batch rows.
func memoryOf(m *Model, cfg *config.Config, opt *nn.Optimizer, batch int) Memory {
	return Memory{
		Model:     modelBytes(m.Params(), opt, strings.EqualFold(cfg.Train.Average, "swa")),
		Workspace: workspaceBytes(m.Net, batch),
	}
}

// memoryWarning says, when a run allocates more memory than the process
// may use, that it is likely to be killed and what to change; "" otherwise.
// rowwise names train.rowwise_tables among the changes (an MHC model
// trained with Adam whose tables keep Adam's state).
func memoryWarning(mem Memory, rows int64, limit memlimit.Limit, rowwise bool) string {
	all := mem.Total() + rows
	if limit.Bytes <= 0 || all <= limit.Bytes {
		return ""
	}
	shrink := "head.method mhc or mhp instead of vanilla, a smaller train.batch_size, a smaller encoder.hidden, or encoder.hash_features"
	if rowwise {
		shrink = "train.rowwise_tables: true (one optimizer value a row of MHC's label tables instead of two a weight), " + shrink
	}
	return fmt.Sprintf("this run allocates %s (model %s, batch buffers %s, data %s) but may use only %s (%s): "+
		"unless much of it stays untouched (rows of features or labels no training row holds), it will be killed for want of memory. "+
		"Ask for more (SLURM --mem), or shrink the model: %s",
		FormatBytes(all), FormatBytes(mem.Model), FormatBytes(mem.Workspace), FormatBytes(rows), FormatBytes(limit.Bytes), limit.Source, shrink)
}

// rowwiseWouldHelp says whether train.rowwise_tables would shrink m's
// optimizer state: it applies to m and m does not use it.
func rowwiseWouldHelp(m *Model) bool {
	return !m.Plan.RowwiseTables && heads.RowwiseApplies(m.Method, m.Plan.Optimizer)
}

// labelArrayBytes is what training keeps per label before any weight: the
// training counts (int64), the label order and its inverse (int32 each)
// and the propensities the test split is scored with (float64).
const labelArrayBytes = 24

// CheckLabelArrays refuses the label count y declares (file names it)
// when arrays of bytesPerLabel bytes a label, which what names, exceed
// what the process may use: they are written whole, so all of them would
// be resident, and the process would be killed after minutes. Such a count
// is a wrong header or one stray label id (a LIBSVM file's label count is
// its largest id plus one), so the error is an input error naming the
// largest id the rows use.
func CheckLabelArrays(file string, y *data.CSR, bytesPerLabel int64, what string, limit memlimit.Limit) error {
	need := bytesPerLabel * int64(y.Cols)
	if limit.Bytes <= 0 || need <= limit.Bytes {
		return nil
	}
	used := "it holds no label"
	if m := y.MaxIndex(); m >= 0 {
		used = fmt.Sprintf("its rows use label ids up to %d", m)
	}
	return data.InputError(fmt.Errorf("%s declares %d labels, and %s need %s for them, more than this process may use (%s: %s); %s: is its header (or one label id) wrong?",
		file, y.Cols, what, FormatBytes(need), FormatBytes(limit.Bytes), limit.Source, used))
}

// allocCeiling is the largest single allocation this process may make
// (memlimit.AllocCeiling; tests replace it).
var allocCeiling = memlimit.AllocCeiling

// checkTensorSizes refuses a model (its shapes suffice) one of whose
// tensors is larger than one allocation may take here: the Go runtime
// would die of it with "fatal error: out of memory" and a stack dump.
// Each tensor's weights, gradient and optimiser state are separate
// allocations of its size.
// The batch buffers are checked too: a training batch's activations and
// scores take batch × width floats each (the scores batch × the head's
// outputs, C for vanilla).
func checkTensorSizes(m *Model, batch int, limit memlimit.Limit) error {
	if limit.Bytes <= 0 {
		return nil
	}
	for _, p := range m.Params() {
		if b := 4 * int64(p.Size()); b > limit.Bytes {
			return fmt.Errorf("%w: tensor %s is %d × %d floats, %s in one block, more than one allocation may take here (%s: %s). "+
				"Shrink it: hash the input features (encoder.hash_features, e.g. 1048576), a smaller encoder.hidden, or head.method mhc or mhp instead of vanilla",
				config.ErrInvalid, p.Name, p.Rows, p.Cols, FormatBytes(b), FormatBytes(limit.Bytes), limit.Source)
		}
	}
	widest := m.Net.Outputs
	for _, w := range m.Net.widths() {
		widest = max(widest, w)
	}
	if b := 4 * int64(batch) * int64(widest); b > limit.Bytes {
		return fmt.Errorf("%w: a training batch's buffer is %d × %d floats (rows × the widest layer), %s in one block, more than one allocation may take here (%s: %s). "+
			"Lower train.batch_size, or use head.method mhc or mhp instead of vanilla",
			config.ErrInvalid, batch, widest, FormatBytes(b), FormatBytes(limit.Bytes), limit.Source)
	}
	return nil
}

// FormatBytes is n in KiB below a MiB, in MiB below a GiB, else in GiB with
// two decimals.
func FormatBytes(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	if n < 1<<30 {
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
}
