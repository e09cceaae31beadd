package train

import (
	"fmt"

	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/memlimit"
	"github.com/mhe-xlc/mhe/internal/nn"
)

// memoryNeed is what a run allocates before its first batch, in bytes:
// every tensor with its gradient and optimiser state, plus the weight
// average's copy with swa (model), and the rows of every split (data).
// Batch workspaces come on top; they are small next to these at any size
// worth checking. The resident memory can stay below it: the optimiser
// state of an input feature no training row holds is never touched.
func memoryNeed(ps []*nn.Param, swa bool, splits []*data.Dataset) (model, rows int64) {
	for _, p := range ps {
		n := len(p.W) + len(p.G) + len(p.M) + len(p.V)
		if swa {
			n += p.Size()
		}
		model += 4 * int64(n)
	}
	for _, d := range splits {
		for _, m := range []*data.CSR{d.X, d.Y} {
			rows += 8*int64(len(m.Indptr)) + 4*int64(len(m.Indices)+len(m.Values))
		}
	}
	return model, rows
}

// memoryWarning says, when a run allocates more memory than the process
// may use, that it will probably be killed and what to change; "" otherwise.
func memoryWarning(model, rows int64, limit memlimit.Limit) string {
	if limit.Bytes <= 0 || model+rows <= limit.Bytes {
		return ""
	}
	return fmt.Sprintf("warning: this run allocates %s (model %s, data %s) but may use only %s (%s): "+
		"it will probably be killed for want of memory. Ask for more (SLURM --mem), or shrink the model: "+
		"head.method mhc or mhp instead of vanilla, a smaller encoder.hidden, or encoder.hash_features",
		byteSize(model+rows), byteSize(model), byteSize(rows), byteSize(limit.Bytes), limit.Source)
}

// byteSize is n in KiB below a MiB, in MiB below a GiB, else in GiB with
// two decimals.
func byteSize(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	if n < 1<<30 {
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
}
