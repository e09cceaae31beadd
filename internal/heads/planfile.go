package heads

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/mhe-xlc/mhe/internal/yamlfile"
	"go.yaml.in/yaml/v3"
)

// PlanFile is the YAML a plan is saved as (`mhe plan --out plan.yaml`) and
// `head.plan` in a run config reads. Only the layout keys are read back;
// Report is informational.
type PlanFile struct {
	Method        Method         `yaml:"method"`
	Labels        int            `yaml:"labels"`
	Lengths       []int          `yaml:"lengths,flow"`
	Beam          int            `yaml:"beam,omitempty"`
	BottleneckDim int            `yaml:"bottleneck_dim,omitempty"`
	Samples       int            `yaml:"samples,omitempty"`
	Report        map[string]any `yaml:"report,omitempty"`
}

// File returns the plan's file form.
func (p *Plan) File() PlanFile {
	f := PlanFile{Method: p.Method, Labels: p.Labels, Lengths: slices.Clone(p.Lengths)}
	switch p.Method {
	case MHC:
		f.Beam, f.BottleneckDim = p.Beam, p.BottleneckDim
	case MHS:
		f.Samples = p.Samples
	}
	f.Report = map[string]any{
		"padding": p.Padding, "confusion_degree": p.ConfusionDegree, "dim": p.Dim,
		"params": p.Params, "vanilla_params": p.Vanilla.Params, "param_ratio": p.ParamRatio,
		"flops_train": p.FlopsTrain, "flops_predict": p.FlopsPredict,
	}
	return f
}

// WritePlanFile writes f as YAML with a comment saying what made it.
func WritePlanFile(w io.Writer, f PlanFile, madeBy string) error {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# head plan written by %s; use it as head.plan in a run config\n", madeBy)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return err
	}
	enc.Close()
	_, err := w.Write(buf.Bytes())
	return err
}

// ReadPlanFile reads and validates a plan file: unknown keys, lengths that do
// not cover the labels and impossible values are errors wrapping ErrPlan.
func ReadPlanFile(path string) (PlanFile, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return PlanFile{}, fmt.Errorf("%w: plan file: %v", ErrPlan, err)
	}
	return ParsePlanFile(raw, path)
}

// ParsePlanFile is ReadPlanFile on bytes; name is used in errors.
func ParsePlanFile(raw []byte, name string) (PlanFile, error) {
	var f PlanFile
	if err := yamlfile.Decode(raw, name, &f); err != nil {
		if err == io.EOF {
			return f, fmt.Errorf("%w: %s: the plan file is empty; write one with mhe plan --out", ErrPlan, name)
		}
		return f, fmt.Errorf("%w: %v", ErrPlan, err)
	}
	if _, err := ParseMethod(string(f.Method)); err != nil {
		return f, fmt.Errorf("%s: %w", name, err)
	}
	if f.Labels < 1 {
		return f, fmt.Errorf("%w: %s: labels = %d; a plan covers at least one label", ErrPlan, name, f.Labels)
	}
	if _, err := NewCodec(f.Labels, f.Lengths); err != nil {
		return f, fmt.Errorf("%s: %w", name, err)
	}
	if f.Beam < 0 || f.BottleneckDim < 0 || f.Samples < 0 {
		return f, fmt.Errorf("%w: %s: beam, bottleneck_dim and samples must be >= 1 when given", ErrPlan, name)
	}
	if f.Method == MHC && len(f.Lengths) < 2 {
		return f, fmt.Errorf("%w: %s: a cascade needs at least two lengths", ErrPlan, name)
	}
	if f.Method == MHS && len(f.Lengths) != 2 {
		return f, fmt.Errorf("%w: %s: mhs lengths are [groups, group size]", ErrPlan, name)
	}
	return f, nil
}
