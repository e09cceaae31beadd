package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mhe-xlc/mhe/internal/atomicfile"
	"github.com/mhe-xlc/mhe/internal/buildinfo"
	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/heads"
	"github.com/mhe-xlc/mhe/internal/report"
	"github.com/mhe-xlc/mhe/internal/train"
)

type planOptions struct {
	Labels        int
	Data          string
	DataFormat    string
	LabelBase     int
	ConfigFile    string
	Sets          []string
	Method        string
	Heads         string
	Budget        string
	Lengths       []int
	Groups        int
	Dim           int
	BottleneckDim int
	Beam          int
	Samples       int
	Optimizer     string
	RowwiseTables bool
	Format        string
	Out           string
	Model         string
	Codes         string
	Names         string

	changed func(string) bool
	// trainMemory is what training the config's model allocates for its
	// tensors and batch buffers (--config without head flags; zero: not
	// known).
	trainMemory train.Memory
	// rowwiseMemory is trainMemory with train.rowwise_tables, for an MHC
	// config under Adam that does not set it (zero otherwise).
	rowwiseMemory train.Memory
}

func newPlanCmd(s *streams, runF func(*planOptions) error) *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Plan MHE heads: lengths, confusion degree, parameters and cost vs vanilla",
		Long: `Plan the heads of an MHE classifier (SPEC §3) for C labels and report the
lengths, padding codes, confusion degree D, classifier parameters,
multiply-adds per example (training and prediction) and bytes for weights and
optimizer state, beside the vanilla C-way classifier.

The label count comes from --labels, --data FILE (its header, or a scan), or
--config FILE (data.num_labels, or the training file). --lengths evaluates a
given layout (C defaults to their product). --heads auto --budget P picks the
smallest number of heads whose classifier has at most P parameters.
--out plan.yaml writes a plan file that a run config takes as head.plan.

--model DIR reports the heads of a trained model instead. --codes FILE
writes the label structure as CSV, one line per label in id order:
label,name,code,h1,...,hH, where code is the label's position after the
label order and h1..hH its digits (for MHC: h1 the level-1 group, h2 the node
in it; for MHS: h1 the group). With --model the label order is the model's
(index, frequency, random or cluster); without, it must be index. --names
fills the name column. --codes - writes the CSV to stdout instead of the plan
report.`,
		Example: `  mhe plan --labels 3993 --heads 2 --method mhp --format json
  mhe plan --method mhc --lengths 172,23
  mhe plan --labels 670091 --method mhc --groups 8400
  mhe plan --labels 1000000 --method mhp --heads auto --budget 2M --dim 512
  mhe plan --config configs/eurlex4k-mhc.yaml --out plan.yaml
  mhe plan --model runs/bibtex-mhc --codes codes.csv --names labels.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.changed = cmd.Flags().Changed
			if runF != nil {
				return runF(o)
			}
			return planRun(s, o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Labels, "labels", 0, "number of labels C")
	f.StringVar(&o.Data, "data", "", "read C from a data file")
	f.StringVar(&o.DataFormat, "data-format", "auto", "format of --data: auto, xc, xc-matrix, libsvm")
	f.IntVar(&o.LabelBase, "label-base", 0, "smallest label id of a LIBSVM --data file")
	f.StringVar(&o.ConfigFile, "config", "", "read C and the head settings from a run config")
	f.StringArrayVar(&o.Sets, "set", nil, "override a config key (key=value), repeatable")
	f.StringVar(&o.Method, "method", "mhp", "head: vanilla, mhp, mhc or mhs")
	f.StringVar(&o.Heads, "heads", "", "number of heads H, or auto (with --budget); default 2")
	f.StringVar(&o.Budget, "budget", "", "parameter budget for --heads auto (e.g. 2000000, 2M, 500k)")
	f.IntSliceVar(&o.Lengths, "lengths", nil, "evaluate these head lengths, most significant first (e.g. 172,23)")
	f.IntVar(&o.Groups, "groups", 0, "MHC/MHS: the authors' rule, n groups of ceil(C/n) labels")
	f.IntVar(&o.Dim, "dim", 0, fmt.Sprintf("encoder output width d (default %d, or from --config)", heads.DefaultDim))
	f.IntVar(&o.BottleneckDim, "bottleneck-dim", heads.DefaultBottleneckDim, "MHC bottleneck width d_h; 0 = no projection (deeper levels score the encoder output)")
	f.IntVar(&o.Beam, "beam", 0, fmt.Sprintf("MHC beam width K (default %d)", heads.DefaultBeam))
	f.IntVar(&o.Samples, "samples", 0, "MHS heads per example S (default 1)")
	f.StringVar(&o.Optimizer, "optimizer", "", "optimizer whose state is counted: sgd, adam, adamw, plain (default adam)")
	f.BoolVar(&o.RowwiseTables, "rowwise-tables", false, "count MHC's label tables at one optimizer value a row (train.rowwise_tables; adam and adamw)")
	f.StringVar(&o.Format, "format", "table", "output: table or json")
	f.StringVar(&o.Out, "out", "", "also write the plan as YAML for head.plan")
	f.Var(newOnceString(&o.Model, "plan reports one model's heads; run it once per model"), "model", "report the heads of a trained model directory")
	f.StringVar(&o.Codes, "codes", "", "write each label's code as CSV (label,name,code,h1..hH); - for stdout")
	f.StringVar(&o.Names, "names", "", "label name file for --codes (line i names label i)")
	return cmd
}

func planRun(s *streams, o *planOptions) error {
	format, err := report.ParseFormat(o.Format, report.Table, report.JSON)
	if err != nil {
		return usageError{err}
	}
	method, err := heads.ParseMethod(o.Method)
	if err != nil {
		return err
	}
	req := heads.Request{
		Method: method, Labels: o.Labels, Lengths: o.Lengths, Groups: o.Groups, Dim: o.Dim,
		BottleneckDim: o.BottleneckDim, Beam: o.Beam, Samples: o.Samples, Optimizer: o.Optimizer,
		RowwiseTables: o.RowwiseTables,
	}
	sources := 0
	for _, set := range []bool{o.changed("labels"), o.Data != "", o.ConfigFile != "", o.Model != ""} {
		if set {
			sources++
		}
	}
	if sources > 1 {
		return usageErrorf("give the label count one way: --labels, --data, --config or --model")
	}
	if o.Names != "" && o.Codes == "" {
		return usageErrorf("--names names the labels of --codes; add --codes FILE")
	}
	if o.Model != "" {
		return planModelRun(s, o, format)
	}
	if err := checkOutputs(o.outputs(), []fileRef{{"--config", o.ConfigFile}, {"--data", o.Data}, {"--names", o.Names}}); err != nil {
		return err
	}
	labelOrder := "index"
	if o.changed("labels") && o.Labels < 1 {
		return usageErrorf("--labels %d: need at least one label", o.Labels)
	}
	switch {
	case o.Data != "":
		dims, err := peekDims(o.Data, data.ReadOptions{Format: data.Format(o.DataFormat), LabelBase: o.LabelBase, FeatureBase: 1, Settings: data.Settings{Format: "--data-format", LabelBase: "--label-base"}})
		if err != nil {
			return err
		}
		req.Labels = dims.labels
	case o.ConfigFile != "":
		if labelOrder, err = planFromConfig(s, o, &req); err != nil {
			return err
		}
	}
	if o.Codes != "" && labelOrder != "index" {
		return usageErrorf("--codes: the config's head.label_order %s is computed when training; train the model and run mhe plan --model DIR --codes %s", labelOrder, o.Codes)
	}
	if o.Heads != "" && o.Heads != "auto" {
		h, err := strconv.Atoi(o.Heads)
		if err != nil || h < 1 {
			return usageErrorf("--heads %q: want a number >= 1 or auto", o.Heads)
		}
		req.Heads = h
	}
	if o.Budget != "" {
		b, err := parseCount(o.Budget)
		if err != nil {
			return usageErrorf("--budget %q: %v", o.Budget, err)
		}
		req.Budget = b
	}
	if o.Heads == "auto" && req.Budget == 0 {
		return usageErrorf("--heads auto needs --budget (the most classifier parameters allowed)")
	}
	if o.Heads == "auto" {
		req.Heads = 0
	} else if req.Budget > 0 && req.Heads == 0 && len(req.Lengths) == 0 {
		return usageErrorf("--budget only chooses heads with --heads auto")
	}
	if req.Method == heads.MHC && req.BottleneckDim == 0 {
		req.NoBottleneck = true
	}
	plan, err := heads.NewPlan(req)
	if err != nil {
		return err
	}
	return writePlan(s, o, format, plan, nil)
}

// writePlan writes the codes (--codes), the plan file (--out) and the plan
// report; perm is the label order (nil: index).
func writePlan(s *streams, o *planOptions, format report.Format, plan *heads.Plan, perm []int32) error {
	for _, w := range plan.Warnings() {
		fmt.Fprintf(s.errOut, "plan: warning: %s\n", w)
	}
	if o.Codes != "" {
		if err := writeCodes(s, o, plan, perm); err != nil {
			return err
		}
	}
	if o.Out != "" {
		err := atomicfile.WriteFile(o.Out, 0o644, func(w io.Writer) error {
			return heads.WritePlanFile(w, plan.File(), "mhe "+buildinfo.Get().Version)
		})
		if err != nil {
			return err
		}
	}
	if o.Codes == "-" {
		return nil
	}
	if format == report.JSON {
		return writeJSON(s.out, struct {
			*heads.Plan
			TrainMemoryBytes     int64 `json:"train_memory_bytes,omitempty"`
			ModelMemoryBytes     int64 `json:"model_memory_bytes,omitempty"`
			WorkspaceMemoryBytes int64 `json:"workspace_memory_bytes,omitempty"`
			RowwiseMemoryBytes   int64 `json:"rowwise_tables_train_memory_bytes,omitempty"`
		}{plan, o.trainMemory.Total(), o.trainMemory.Model, o.trainMemory.Workspace, o.rowwiseMemory.Total()})
	}
	return writePlanTable(s.out, plan, o.trainMemory, o.rowwiseMemory)
}

// planModelRun reports the heads of a trained model: its plan (with the
// optimizer of its config unless --optimizer or --rowwise-tables says
// otherwise) and, with
// --codes, its label order.
func planModelRun(s *streams, o *planOptions, format report.Format) error {
	for _, flag := range []string{"method", "heads", "budget", "lengths", "groups", "dim", "bottleneck-dim", "beam", "samples", "set", "data-format", "label-base"} {
		if o.changed(flag) {
			return usageErrorf("--%s: a trained model's heads are fixed; drop it, or plan without --model", flag)
		}
	}
	m, man, cfg, closeFn, err := openModel(o.Model, nil)
	if err != nil {
		return err
	}
	defer closeFn()
	if err := checkOutputs(o.outputs(), append([]fileRef{{"--names", o.Names}}, modelFiles(o.Model, man, cfg)...)); err != nil {
		return err
	}
	req := m.Plan.Request()
	req.Optimizer, req.RowwiseTables = cfg.Train.Optimizer, cfg.Train.RowwiseTables
	if o.Optimizer != "" {
		req.Optimizer = o.Optimizer
	}
	if o.changed("rowwise-tables") {
		req.RowwiseTables = o.RowwiseTables
	}
	plan, err := heads.NewPlan(req)
	if err != nil {
		return err
	}
	return writePlan(s, o, format, plan, m.Perm)
}

// writeCodes writes every label's code (heads.WriteCodes) to --codes.
func writeCodes(s *streams, o *planOptions, plan *heads.Plan, perm []int32) error {
	codec, err := heads.NewCodec(plan.Labels, plan.Lengths)
	if err != nil {
		return err
	}
	names, err := data.ReadNamesFor(o.Names, plan.Labels)
	if err != nil {
		return err
	}
	if o.Codes == "-" {
		return heads.WriteCodes(s.out, codec, perm, names)
	}
	return atomicfile.WriteFile(o.Codes, 0o644, func(w io.Writer) error {
		return heads.WriteCodes(w, codec, perm, names)
	})
}

// planFromConfig fills req from a run config (explicit flags win) and
// returns the config's label order. A config that mhe train would refuse
// is still planned, with a warning that says why, so that its cost can be
// read while it is being fixed.
func planFromConfig(s *streams, o *planOptions, req *heads.Request) (string, error) {
	in := configInput{File: o.ConfigFile, Sets: o.Sets}
	cfg, err := loadConfig(in)
	if err != nil {
		return "", err
	}
	if err := validate(&cfg, in); err != nil {
		fmt.Fprintf(s.errOut, "plan: warning: mhe train refuses this config as it stands: %v\n", err)
	}
	h := cfg.Head
	if h.Plan != "" {
		pf, err := heads.ReadPlanFile(h.Plan)
		if err != nil {
			return "", err
		}
		h.Method, h.Lengths, h.Heads = string(pf.Method), pf.Lengths, 0
		if pf.Beam > 0 {
			h.Beam = pf.Beam
		}
		if pf.BottleneckDim > 0 {
			h.BottleneckDim = pf.BottleneckDim
		}
		if pf.Samples > 0 {
			h.Samples = pf.Samples
		}
	}
	if !o.changed("method") {
		m, err := heads.ParseMethod(h.Method)
		if err != nil {
			return "", err
		}
		req.Method = m
	}
	if !o.changed("lengths") && !o.changed("heads") && !o.changed("groups") {
		req.Lengths, req.Groups = h.Lengths, h.Groups
		if h.Heads > 0 && len(h.Lengths) == 0 {
			o.Heads = strconv.Itoa(h.Heads)
		}
	}
	if !o.changed("beam") {
		req.Beam = h.Beam
	}
	if !o.changed("bottleneck-dim") {
		req.BottleneckDim = h.BottleneckDim
	}
	if !o.changed("samples") {
		req.Samples = h.Samples
	}
	if !o.changed("optimizer") {
		req.Optimizer = cfg.Train.Optimizer
	}
	if !o.changed("rowwise-tables") {
		req.RowwiseTables = cfg.Train.RowwiseTables
	}
	dims, err := configDims(&cfg, req.Dim == 0 && cfg.Encoder.Type == "linear" && cfg.Encoder.HashFeatures == 0)
	if err != nil {
		return "", err
	}
	req.Labels = dims.labels
	if req.Dim == 0 {
		req.Dim = encoderWidth(&cfg, dims.features)
	}
	o.trainMemory, o.rowwiseMemory = train.Memory{}, train.Memory{}
	if dims.features > 0 && !slices.ContainsFunc([]string{"method", "lengths", "heads", "groups", "budget", "beam", "bottleneck-dim", "samples", "optimizer", "rowwise-tables", "dim"}, o.changed) {
		// The head flags reshape the plan, not the config's model: priced
		// only as the config stands (a config train would refuse too,
		// after the warning above; one TrainingMemory cannot build gets
		// no figure).
		if n, err := train.TrainingMemory(&cfg, dims.features, dims.labels); err == nil {
			o.trainMemory = n
		}
		// What row-wise tables would take, where that is less (an MHC
		// config under Adam that does not set them).
		if rw := cfg; o.trainMemory.Total() > 0 && !rw.Train.RowwiseTables {
			rw.Train.RowwiseTables = true
			if n, err := train.TrainingMemory(&rw, dims.features, dims.labels); err == nil && n.Total() < o.trainMemory.Total() {
				o.rowwiseMemory = n
			}
		}
	}
	return cfg.Head.LabelOrder, nil
}

// encoderWidth is d, the width of the encoder output the heads read.
func encoderWidth(cfg *config.Config, features int) int {
	if cfg.Encoder.Type == "mlp" && len(cfg.Encoder.Hidden) > 0 {
		return cfg.Encoder.Hidden[len(cfg.Encoder.Hidden)-1]
	}
	if cfg.Encoder.HashFeatures > 0 {
		return cfg.Encoder.HashFeatures
	}
	return features
}

type dims struct{ labels, features int }

// configDims finds C (and D when needFeatures) from a config without
// loading the data when it can: declared counts, the synthetic generator,
// or the header of the training file.
func configDims(cfg *config.Config, needFeatures bool) (dims, error) {
	d := dims{labels: cfg.Data.NumLabels, features: cfg.Data.NumFeatures}
	if s := cfg.Data.Synth; s.Labels > 0 {
		if d.labels == 0 {
			d.labels = s.Labels
		}
		if d.features == 0 {
			d.features = s.Features
		}
	}
	if d.labels > 0 && (d.features > 0 || !needFeatures) {
		return d, nil
	}
	if cfg.Data.Train == "" {
		return d, fmt.Errorf("%w: set data.num_labels (or data.train) to plan from this config", config.ErrInvalid)
	}
	opt := data.ReadOptions{Format: data.Format(cfg.Data.Format), LabelBase: cfg.Data.LabelBase, FeatureBase: cfg.Data.FeatureBase, Settings: train.ConfigSettings}
	path := cfg.Path(cfg.Data.Train)
	if cfg.Data.Format == string(data.FormatXCMatrix) {
		path = cfg.Path(cfg.Data.TrainLabels)
	}
	if err := train.CheckTrainFile(cfg); err != nil {
		return d, fmt.Errorf("%w\nor set data.num_labels in the config to plan without the data", err)
	}
	got, err := peekDims(path, opt)
	if err != nil {
		return d, fmt.Errorf("%w (set data.num_labels in the config to plan without the data)", err)
	}
	if d.labels == 0 {
		d.labels = got.labels
	}
	if d.features == 0 {
		d.features = got.features
	}
	return d, nil
}

// peekDims reads the dimensions from a data file's header, scanning the
// file only when it has none (LIBSVM).
func peekDims(path string, opt data.ReadOptions) (dims, error) {
	if _, err := data.ParseFormat(string(opt.Format)); err != nil {
		return dims{}, usageError{err}
	}
	f, err := data.Open(path)
	if err != nil {
		return dims{}, err
	}
	defer f.Close()
	rd, err := data.NewReader(f, path, opt)
	if err != nil {
		return dims{}, err
	}
	if h := rd.Header(); h.Present {
		if rd.Format() == data.FormatXCMatrix {
			return dims{labels: h.Features}, nil
		}
		return dims{labels: h.Labels, features: h.Features}, nil
	}
	var row data.Row
	for {
		err := rd.Read(&row)
		if err == io.EOF {
			break
		}
		if err != nil {
			return dims{}, err
		}
	}
	return dims{labels: rd.NumLabels(), features: rd.NumFeatures()}, nil
}

// parseCount reads 2000000, 2e6, 2M, 500k, 1.5G.
func parseCount(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := 1.0
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'k', 'K':
			mult, s = 1e3, s[:n-1]
		case 'm', 'M':
			mult, s = 1e6, s[:n-1]
		case 'g', 'G':
			mult, s = 1e9, s[:n-1]
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) || v*mult > math.MaxInt64/2 {
		return 0, fmt.Errorf("want a non-negative count such as 2000000, 2e6, 2M or 500k")
	}
	return int64(v * mult), nil
}

func writePlanTable(w io.Writer, p *heads.Plan, trainMemory, rowwiseMemory train.Memory) error {
	lengths := make([]string, len(p.Lengths))
	for i, l := range p.Lengths {
		lengths[i] = strconv.Itoa(l)
	}
	kv := &report.Grid{}
	add := func(k, v string) { kv.Rows = append(kv.Rows, []string{k, v}) }
	add("method", string(p.Method))
	add("labels (C)", group(int64(p.Labels)))
	add("heads (H)", strconv.Itoa(p.Heads))
	add("lengths", strings.Join(lengths, " x "))
	add("padding codes", group(p.Padding))
	switch p.Method {
	case heads.MHP:
		add("confusion degree D", fmt.Sprintf("%.4g (max over head orders: heads are combined in parallel)", p.ConfusionDegree))
	case heads.MHC:
		add("confusion degree D", fmt.Sprintf("%.4g (this order; descending lengths minimise it)", p.ConfusionDegree))
		add("beam (K)", strconv.Itoa(p.Beam))
		add("bottleneck (d_h)", strconv.Itoa(p.BottleneckDim))
	case heads.MHS:
		add("group size", strconv.Itoa(p.GroupSize))
		add("heads per example (S)", strconv.Itoa(p.Samples))
	}
	add("encoder width (d)", strconv.Itoa(p.Dim))
	if n := trainMemory.Total(); n > 0 {
		add("training memory", fmt.Sprintf("%s (%s bytes: model %s, its weights, gradients and optimizer state; batch buffers %s; data not included)",
			train.FormatBytes(n), group(n), train.FormatBytes(trainMemory.Model), train.FormatBytes(trainMemory.Workspace)))
	}
	if n := rowwiseMemory.Total(); n > 0 {
		add("with row-wise tables", fmt.Sprintf("%s (train.rowwise_tables: true keeps one optimizer value a row of the label tables instead of two a weight; it changes the weights)",
			train.FormatBytes(n)))
	}
	if err := kv.Write(w, report.Table); err != nil {
		return err
	}
	fmt.Fprintln(w)
	g := &report.Grid{Header: []string{"classifier", string(p.Method), "vanilla", "ratio"}, RightAlign: []bool{false, true, true, true}}
	row := func(name string, a, b int64) {
		ratio := "-"
		if b > 0 {
			ratio = fmt.Sprintf("%.4g", float64(a)/float64(b))
		}
		g.Rows = append(g.Rows, []string{name, group(a), group(b), ratio})
	}
	row("parameters", p.Params, p.Vanilla.Params)
	row("mult-adds/example, train", p.FlopsTrain, p.Vanilla.FlopsTrain)
	row("mult-adds/example, predict", p.FlopsPredict, p.Vanilla.FlopsPredict)
	row("weight bytes", p.WeightBytes, p.Vanilla.WeightBytes)
	opt := p.Optimizer
	if p.RowwiseTables {
		opt += ", row-wise tables"
	}
	row("optimizer bytes ("+opt+")", p.OptimizerBytes, p.Vanilla.OptimizerBytes)
	return g.Write(w, report.Table)
}

// group writes 1234567 as 1,234,567.
func group(v int64) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func writeJSON(w io.Writer, v any) error { return report.WriteJSON(w, v) }

// outputs are the files plan writes, for checkOutputs.
func (o *planOptions) outputs() []fileRef { return []fileRef{{"--out", o.Out}, {"--codes", o.Codes}} }
