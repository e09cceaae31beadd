package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mhe-xlc/mhe/internal/atomicfile"
	"github.com/mhe-xlc/mhe/internal/buildinfo"
	"github.com/mhe-xlc/mhe/internal/clock"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/eval"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/record"
	"github.com/mhe-xlc/mhe/internal/report"
	"github.com/mhe-xlc/mhe/internal/train"
)

type evalOptions struct {
	Pred        string
	Truth       string
	TruthFormat string
	LabelBase   int
	FeatureBase int
	Rows        string
	Column      int
	Train       string
	TrainRows   string
	InvProp     string
	A, B        float64
	Dataset     string
	K           []int
	Format      string
	EmptyRows   string
	SingleLabel string
	PerLabel    string
	PerLabelK   int
	PerLabelT   float64
	Names       string
	PredNames   bool
	Model       string
	Models      []string // every --model: one model or an ensemble's members
	ConfigSets  []string
	Threads     int
	Result      string
	Against     string
	Resamples   int
	Seed        uint64
	Beam        int
	// AllowTrainRows lets --model score test rows the model trained on.
	AllowTrainRows bool
	// Quiet: no progress on stderr (reading large files, mhe eval --model
	// on a long test split).
	Quiet bool

	changed func(string) bool
}

func newEvalCmd(s *streams, runF func(*evalOptions) error) *cobra.Command {
	o := &evalOptions{}
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Score predictions: P@k, nDCG@k, PSP@k, PSnDCG@k, R@k, top-k accuracy",
		Long: `Evaluate a prediction file against the true labels with the definitions of
pyxclib, napkinXC and the XC repository (see README, "Metrics"):
P@k and nDCG@k (log2 discounts), PSP@k and PSnDCG@k normalised as a ratio of
means with inverse propensities from the TRAINING label counts (--train, or
--inv-prop FILE), R@k, and top-k accuracy for single-label data.

Predictions: one line per truth row of label:score pairs (any order; ranked by
score), an empty line for a row without predictions, optional "rows cols"
header: the output of mhe predict, napkinXC, pyxclib and Parabel score files.
--pred - reads standard input.

Rows without true labels count as 0 (pyxclib); --empty-rows skip leaves them
out. Tables are in percent with 2 decimals; JSON holds fractions.

--against B.txt compares --pred (A), or with --model the model's predictions
of its test split, with a prediction file for the same rows (another model, or
a peer tool's score file), row by row: for every
metric A, B, A - B with its 95% paired-bootstrap interval, and the p-value of
an approximate randomization test (each row's A and B predictions swapped at
random). --resamples and --seed fix the draws; the output does not depend on
the machine or the thread count.

--model given more than once evaluates the ensemble of the models (mean
score over the union of their top-K; see mhe predict --help) on the first
model's test split, with the first model's training label counts for the
propensities; no model may have trained on those rows.`,
		Example: `  mhe eval --pred pred.txt --truth $MHE_DATA_DIR/Bibtex/Bibtex_data.txt.gz \
      --rows $MHE_DATA_DIR/Bibtex/bibtex_tstSplit.txt --column 1 \
      --train $MHE_DATA_DIR/Bibtex/Bibtex_data.txt.gz --train-rows $MHE_DATA_DIR/Bibtex/bibtex_trSplit.txt
  mhe predict --model run/ --out - | mhe eval --pred - --truth test.txt --format json
  mhe eval --pred mhc.txt --against plt.txt --truth test.txt --resamples 10000
  mhe eval --model runs/bibtex-mhc --against plt-bibtex.txt
  mhe eval --model runs/rcv1-s1 --model runs/rcv1-s2 --model runs/rcv1-s3`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.changed = cmd.Flags().Changed
			o.Model = firstOf(o.Models)
			if runF != nil {
				return runF(o)
			}
			return evalRun(s, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Pred, "pred", "", "prediction file (- for stdin)")
	f.StringVar(&o.Truth, "truth", "", "data file with the true labels")
	f.StringVar(&o.TruthFormat, "truth-format", "auto", "format of --truth and --train: auto, xc, xc-matrix (a label matrix), libsvm")
	f.IntVar(&o.LabelBase, "label-base", 0, "smallest label id of LIBSVM files")
	f.IntVar(&o.FeatureBase, "feature-base", 1, "smallest feature id of LIBSVM files")
	f.StringVar(&o.Rows, "rows", "", "XC split file selecting the truth rows")
	f.IntVar(&o.Column, "column", 1, "split column J (1-based) of --rows and --train-rows")
	f.StringVar(&o.Train, "train", "", "training data: label counts for the propensities")
	f.StringVar(&o.TrainRows, "train-rows", "", "XC split file selecting the training rows of --train")
	f.StringVar(&o.InvProp, "inv-prop", "", "file of inverse propensities, one per label (instead of --train)")
	f.Float64Var(&o.A, "A", 0, "propensity A (default by dataset: 0.55; 0.5 Wikipedia; 0.6 Amazon-670K/3M)")
	f.Float64Var(&o.B, "B", 0, "propensity B (default by dataset: 1.5; 0.4 Wikipedia; 2.6 Amazon-670K/3M)")
	f.StringVar(&o.Dataset, "dataset", "", "dataset name choosing A/B (default: the truth file path)")
	f.IntSliceVar(&o.K, "k", eval.DefaultK, "cut-offs")
	f.StringVar(&o.Format, "format", "table", "output: table, json, csv or markdown")
	f.StringVar(&o.EmptyRows, "empty-rows", "zero", "rows without true labels: zero (count as 0, pyxclib) or skip")
	f.StringVar(&o.SingleLabel, "single-label", "auto", "report top-k accuracy: auto (when every row has one label), true, false")
	f.StringVar(&o.PerLabel, "per-label", "", "write per-label precision, recall, F1 and support (CSV) to this file; the output adds their macro and micro averages")
	f.IntVar(&o.PerLabelK, "per-label-k", 0, "predicted set for --per-label: the first K predictions of a row (0 = all; with --model, the largest --k)")
	f.Float64Var(&o.PerLabelT, "per-label-threshold", 0, "predicted set for --per-label: only predictions scoring at least T (of the first --per-label-k), as mhe predict --threshold keeps")
	f.StringVar(&o.Names, "names", "", "label name file: names beside ids in --per-label")
	f.BoolVar(&o.PredNames, "pred-names", false, "--pred holds label names (mhe predict --names), mapped with --names")
	f.StringArrayVar(&o.Models, "model", nil, "predict the test split of a model's config and evaluate it in one step (repeat it for an ensemble of the models)")
	f.StringArrayVar(&o.ConfigSets, "set", nil, "with --model: override a config key (key=value)")
	f.IntVar(&o.Threads, "threads", 0, "with --model: worker threads (0 = all CPUs this process may use)")
	f.StringVar(&o.Result, "result", "", "also write the run record (JSON: data and checksums, metrics, times, machine, version) here")
	f.StringVar(&o.Against, "against", "", "prediction file (B) for the same rows: compare --pred or --model (A) with it (paired bootstrap, randomization test)")
	f.IntVar(&o.Resamples, "resamples", 1000, "with --against: bootstrap resamples and random swaps")
	f.Uint64Var(&o.Seed, "seed", 1, "with --against: seed of the resamples")
	f.IntVar(&o.Beam, "beam", 0, "with --model: "+beamHelp)
	f.BoolVar(&o.Quiet, "quiet", false, "no progress on stderr while large files are read or the test split is predicted")
	f.BoolVar(&o.AllowTrainRows, "allow-train-rows", false, "with --model: score test rows that the model trained on or chose its weights on (refused by default: such metrics overstate the model)")
	return cmd
}

func evalRun(s *streams, o *evalOptions) error {
	start := clock.Start()
	format, err := report.ParseFormat(o.Format, report.Table, report.JSON, report.CSV, report.Markdown)
	if err != nil {
		return usageError{err}
	}
	policy, err := eval.ParseEmptyPolicy(o.EmptyRows)
	if err != nil {
		return usageError{err}
	}
	if err := o.checkCommon(); err != nil {
		return err
	}
	if len(o.Models) > 0 {
		if err := checkModelFlags(o.Models); err != nil {
			return err
		}
		return evalModel(s, o, format, policy)
	}
	if err := o.checkFiles(); err != nil {
		return err
	}
	return evalFiles(s, o, format, policy, start)
}

// checkCommon checks the flags that go with --pred and --model alike.
func (o *evalOptions) checkCommon() error {
	for _, f := range []string{"per-label-k", "per-label-threshold"} {
		if o.changed(f) && o.PerLabel == "" {
			return usageErrorf("--%s chooses the predicted set of --per-label's counts; give --per-label FILE too", f)
		}
	}
	if o.changed("per-label-threshold") && (math.IsNaN(o.PerLabelT) || math.IsInf(o.PerLabelT, 0)) {
		return usageErrorf("--per-label-threshold %g: give a finite score (mhe's scores are probabilities in [0, 1])", o.PerLabelT)
	}
	if (o.A > 0) != (o.B > 0) || !(o.A >= 0) || !(o.B >= 0) || math.IsInf(o.A, 1) || math.IsInf(o.B, 1) { // NaN fails >= 0
		return usageErrorf("--A and --B go together and must be finite and > 0")
	}
	// Standard input can be read once: by one of the files.
	var stdin []string
	for _, f := range []struct{ flag, path string }{{"pred", o.Pred}, {"truth", o.Truth}, {"against", o.Against}, {"train", o.Train}, {"inv-prop", o.InvProp}} {
		if f.path == "-" {
			stdin = append(stdin, "--"+f.flag)
		}
	}
	if len(stdin) > 1 {
		both := "both"
		if len(stdin) > 2 {
			both = "all"
		}
		return usageErrorf("%s cannot %s read standard input (-); give files for all but one", strings.Join(stdin, " and "), both)
	}
	if o.Against != "" {
		switch {
		case o.PerLabel != "" || o.Result != "":
			return usageErrorf("--per-label and --result describe one prediction file; drop them with --against")
		}
	} else if o.changed("resamples") || o.changed("seed") {
		return usageErrorf("--resamples and --seed set up --against; give --against B.txt")
	}
	return nil
}

// checkFiles checks the flags of an evaluation of --pred against --truth.
func (o *evalOptions) checkFiles() error {
	if o.Beam != 0 {
		return usageErrorf("--beam sets how a model predicts; it goes with --model (or mhe predict --beam)")
	}
	if o.AllowTrainRows {
		return usageErrorf("--allow-train-rows lets --model score its own training rows; it goes with --model (mhe eval --pred cannot tell which rows a model trained on)")
	}
	if o.Pred == "" || o.Truth == "" {
		return usageErrorf("give --pred FILE and --truth FILE (or --model DIR)")
	}
	if o.Train != "" && o.InvProp != "" {
		return usageErrorf("give --train or --inv-prop, not both")
	}
	if o.TrainRows != "" && o.Train == "" {
		return usageErrorf("--train-rows selects rows of --train; give --train too")
	}
	if o.PredNames && o.Names == "" {
		return usageErrorf("--pred-names needs --names LABELNAMES")
	}
	return checkOutputs(o.outputs(), o.inputs())
}

// evalFiles scores --pred against --truth (or compares it with --against)
// and writes the result in format.
func evalFiles(s *streams, o *evalOptions, format report.Format, policy eval.EmptyPolicy, start clock.Stopwatch) error {
	fmtOpt, err := data.ParseFormat(o.TruthFormat)
	if err != nil {
		return usageError{err}
	}
	ropt := data.ReadOptions{Format: fmtOpt, LabelBase: o.LabelBase, FeatureBase: o.FeatureBase, Settings: flagSettings("--truth-format")}
	topt := ropt
	read := readingProgress(s, o.Quiet, &topt, o.Truth)
	truth, err := data.ReadLabelsFile(o.Truth, o.Rows, o.Column, topt)
	read()
	if err != nil {
		return err
	}
	if o.PerLabel != "" {
		if err := train.CheckLabelArrays(o.Truth, truth, perLabelBytes, "--per-label's counts", memoryLimit()); err != nil {
			return err
		}
	}
	names, err := data.ReadNamesFor(o.Names, truth.Cols)
	if err != nil {
		return err
	}
	opt := eval.Options{K: o.K, Empty: policy}
	switch o.SingleLabel {
	case "auto":
		opt.SingleLabel = truth.OnePerRow()
	case "true":
		opt.SingleLabel = true
	case "false":
	default:
		return usageErrorf("--single-label %q: want auto, true or false", o.SingleLabel)
	}
	prop, err := propensity(s, o, truth, ropt)
	if err != nil {
		return err
	}
	if prop.params.A > 0 && prop.n < 3 {
		// N < e: C = (ln N − 1)(B + 1)^A is negative (pyxclib computes
		// the same), and the weights rank labels backwards.
		fmt.Fprintf(s.errOut, "eval: warning: %s has %d training rows; the propensity model needs at least 3 (its C = (ln N - 1)(B + 1)^A is negative below e), so PSP@k and PSnDCG@k mean nothing here\n", o.Train, prop.n)
	}
	opt.InvPropensity = prop.weights
	opt.KeepRows = o.Against != ""
	ev, err := eval.NewEvaluator(opt)
	if err != nil {
		return err
	}
	var pl *eval.PerLabel
	if o.PerLabel != "" {
		pl = o.newPerLabel(truth.Cols, o.PerLabelK)
	}
	var ids map[string]int32
	if o.PredNames {
		ids = make(map[string]int32, len(names))
		for i, n := range names {
			ids[n] = int32(i)
		}
	}
	if err := evalPredictions(s, o.Pred, o.Quiet, ids, truth, ev, pl); err != nil {
		return err
	}
	if err := checkScoredRows(ev.Result(), o.Truth); err != nil {
		return err
	}
	if o.Against != "" {
		cs, err := compareWith(s, o, ev, truth, ids)
		if err != nil {
			return err
		}
		return writeComparison(s.out, o, o.Pred, ev.Result(), cs, prop, format, s.warnings())
	}
	res := ev.Result()
	if err := writePerLabel(o.PerLabel, pl, names); err != nil {
		return err
	}
	if err := writeFilesRecord(o, res, pl, start, s.warnings()); err != nil {
		return err
	}
	return writeEvalResult(s.out, res, pl, prop, format, s.warnings())
}

// writeFilesRecord writes --result (if given) for an evaluation of --pred
// against --truth that began at start: the metrics, and both files with
// their checksums, and the warnings written so far.
func writeFilesRecord(o *evalOptions, res eval.Result, pl *eval.PerLabel, start clock.Stopwatch, warns []string) error {
	if o.Result == "" {
		return nil
	}
	rec := evalRecord(o.Dataset, res, pl, start.Seconds(), warns)
	if rec.Name == "" {
		rec.Name = strings.TrimSuffix(filepath.Base(o.Truth), filepath.Ext(o.Truth))
	}
	for _, f := range []struct{ role, path string }{{"truth", o.Truth}, {"predictions", o.Pred}} {
		info := modelio.DataInfo{Role: f.role, Path: f.path, Rows: res.Rows}
		if f.path != "-" {
			var err error
			if info.SHA256, err = modelio.SHA256File(f.path); err != nil {
				return err
			}
		}
		rec.Data = append(rec.Data, info)
	}
	return record.Write(o.Result, rec)
}

// checkScoredRows refuses an evaluation that scored no row: its metrics
// would read 0, like a model that never ranks a true label.
func checkScoredRows(res eval.Result, truth string) error {
	switch {
	case res.Rows > 0:
		return nil
	case res.EmptyRows > 0:
		return data.InputError(fmt.Errorf("%s: none of its %d rows has a true label, and --empty-rows skip leaves no row to score; --empty-rows zero counts them as 0, as pyxclib does",
			truth, res.EmptyRows))
	default:
		return data.InputError(fmt.Errorf("%s has no rows to score", truth))
	}
}

// evalRecord is the run record of an evaluation; pl (nil without
// --per-label) adds its macro and micro averages as extra.per_label, and
// warns are the warnings the command wrote before it.
func evalRecord(name string, res eval.Result, pl *eval.PerLabel, wall float64, warns []string) *record.Record {
	u := resourceUsage()
	rec := &record.Record{Kind: "eval", Name: name, MHE: buildinfo.Get(), Machine: thisMachine(),
		Metrics: res.ByName(), NTestRows: res.Rows, NEmptyTestRows: &res.EmptyRows,
		Timing:      record.Timing{WallSeconds: wall, CPUSeconds: u.CPUSeconds, PeakRSSMiB: u.PeakRSSMiB},
		MemoryLimit: memoryRecord(), Warnings: warns}
	if pl != nil {
		rec.Extra = map[string]any{"per_label": pl.Summary()}
	}
	return rec
}

type propInfo struct {
	weights []float64
	params  eval.PropensityParams
	source  string
	n       int
}

// propensity computes inverse propensities from training counts or reads
// them from a file; none when neither is given.
func propensity(s *streams, o *evalOptions, truth *data.CSR, ropt data.ReadOptions) (propInfo, error) {
	numLabels := truth.Cols
	switch {
	case o.InvProp != "":
		w, err := eval.ReadInvPropensity(o.InvProp)
		if err != nil {
			return propInfo{}, err
		}
		if len(w) < numLabels {
			return propInfo{}, data.InputError(fmt.Errorf("%s has %d inverse propensities but the truth has %d labels; the file belongs to another dataset",
				o.InvProp, len(w), numLabels))
		}
		return propInfo{weights: w, source: o.InvProp}, nil
	case o.Train != "":
		read := readingProgress(s, o.Quiet, &ropt, o.Train)
		trainY, err := data.ReadLabelsFile(o.Train, o.TrainRows, o.Column, ropt)
		read()
		if err != nil {
			return propInfo{}, err
		}
		name := o.Dataset
		if name == "" {
			name = o.Truth
		}
		p := eval.PropensityParams{A: o.A, B: o.B}.Or(name)
		if err := train.CheckLabelArrays(o.Train, trainY, propensityBytes, "the propensities", memoryLimit()); err != nil {
			return propInfo{}, err
		}
		if numLabels > trainY.Cols {
			if err := train.CheckLabelArrays(o.Truth, truth, propensityBytes, "the propensities", memoryLimit()); err != nil {
				return propInfo{}, err
			}
		}
		counts := trainY.ColumnCounts()
		if len(counts) < numLabels {
			counts = append(counts, make([]int64, numLabels-len(counts))...)
		}
		w, err := eval.InvPropensity(counts, trainY.Rows, p)
		if err != nil {
			return propInfo{}, usageError{err}
		}
		return propInfo{weights: w, params: p, source: "training label counts", n: trainY.Rows}, nil
	}
	return propInfo{}, nil
}

// What eval keeps per label of a file's label count: --train's counts, a
// copy when they are padded to the truth's labels, and the inverse
// propensities (8 bytes each); --per-label's three counts.
const (
	propensityBytes = 24
	perLabelBytes   = 24
)

// evalPredictions scores a prediction file (labels as ids, or as names
// mapped by ids when it is not nil) against truth into ev (and pl).
// A large file's reading is reported on stderr unless quiet.
func evalPredictions(s *streams, path string, quiet bool, ids map[string]int32, truth *data.CSR, ev *eval.Evaluator, pl *eval.PerLabel) error {
	rc, name, err := openPred(s, path)
	if err != nil {
		return err
	}
	defer rc.Close()
	in, done := streamProgress(s, quiet, rc, name)
	defer done()
	var pr *eval.PredReader
	if ids != nil {
		pr = eval.NewPredReaderNames(in, name, ids)
	} else if pr, err = eval.NewPredReader(in, name); err != nil {
		return err
	}
	if err := eval.Run(pr, truth, ev, pl); err != nil {
		return err
	}
	warnForeignLabels(s.errOut, pr, name, truth.Cols)
	return nil
}

// warnForeignLabels warns (on stderr; the metrics stand) when a prediction
// file names labels its truth does not have, or declares another label
// count: the signs of 1-based ids (some tools write them) or of
// predictions made for another dataset. Such predictions count as wrong,
// and --per-label leaves them out.
func warnForeignLabels(w io.Writer, pr *eval.PredReader, name string, labels int) {
	if _, cols, ok := pr.Header(); ok {
		// The reader refused ids beyond the header's count.
		if cols != labels {
			fmt.Fprintf(w, "eval: warning: %s declares %d labels in its header but the truth has %d; were the predictions made for this dataset?\n", name, cols, labels)
		}
	} else if n := pr.Labels(); n > labels {
		fmt.Fprintf(w, "eval: warning: %s predicts label id %d, beyond the truth's %d labels (ids 0..%d; a file without a label count has as many as it names): such predictions count as wrong, and --per-label leaves them out; if the file's label ids are 1-based, subtract 1 from them\n", name, n-1, labels, labels-1)
	}
}

// compareWith scores the --against file (B) like ev scored A, against the
// same truth rows, and compares the two.
func compareWith(s *streams, o *evalOptions, ev *eval.Evaluator, truth *data.CSR, ids map[string]int32) ([]eval.Comparison, error) {
	evB, err := eval.NewEvaluator(ev.Options())
	if err != nil {
		return nil, err
	}
	if err := evalPredictions(s, o.Against, o.Quiet, ids, truth, evB, nil); err != nil {
		return nil, err
	}
	return eval.Compare(ev, evB, eval.CompareOptions{Resamples: o.Resamples, Seed: o.Seed})
}

// writeComparison writes the comparison of A (a prediction file or a
// model, named a) with --against (B).
func writeComparison(w io.Writer, o *evalOptions, a string, res eval.Result, cs []eval.Comparison, prop propInfo, format report.Format, warns []string) error {
	method := fmt.Sprintf("95%% paired-bootstrap interval of A - B and approximate-randomization p-value, %d resamples each, seed %d", o.Resamples, o.Seed)
	switch format {
	case report.JSON:
		obj := (&report.Object{}).Set("a", a).Set("b", o.Against).Set("n_rows", res.Rows).Set("n_empty_rows", res.EmptyRows).
			Set("empty_row_policy", string(res.EmptyPolicy)).Set("resamples", o.Resamples).Set("seed", o.Seed).Set("level", 0.95).
			Set("comparison", eval.ComparisonJSON(cs))
		setWarnings(obj, warns)
		if po := propJSON(prop); po != nil {
			obj.Set("propensity", po)
		}
		return writeJSON(w, obj)
	case report.Table:
		fmt.Fprintln(w, res.Summary())
		fmt.Fprintf(w, "A: %s\nB: %s\n%s\n", a, o.Against, method)
		fmt.Fprintln(w, propLine(prop))
		return eval.ComparisonGrid(cs, 0.95).Write(w, report.Table)
	default:
		return eval.ComparisonGrid(cs, 0.95).Write(w, format)
	}
}

func openPred(s *streams, path string) (io.ReadCloser, string, error) {
	if path == "-" {
		rc, err := data.OpenReader(io.NopCloser(s.in), "<stdin>")
		return rc, "<stdin>", err
	}
	rc, err := data.Open(path)
	return rc, path, err
}

// writeEvalResult writes the metrics in format; pl (nil without
// --per-label) adds the per-label averages to the table, the JSON and the
// Markdown (a second table), not to the CSV, whose one grid has a column
// per cut-off.
func writeEvalResult(w io.Writer, res eval.Result, pl *eval.PerLabel, prop propInfo, format report.Format, warns []string) error {
	switch format {
	case report.JSON:
		o := res.JSON()
		setWarnings(o, warns)
		if po := propJSON(prop); po != nil {
			o.Set("propensity", po)
		}
		if pl != nil {
			o.Set("per_label", pl.Summary())
		}
		return writeJSON(w, o)
	case report.Table:
		fmt.Fprintln(w, res.Summary())
		fmt.Fprintln(w, propLine(prop))
		if err := res.Grid().Write(w, report.Table); err != nil {
			return err
		}
		if pl != nil {
			_, err := fmt.Fprintln(w, pl.Summary().Line())
			return err
		}
		return nil
	case report.Markdown:
		if err := res.Grid().Write(w, format); err != nil || pl == nil {
			return err
		}
		sum := pl.Summary()
		if _, err := fmt.Fprintf(w, "\n%s\n\n", sum.Caption()); err != nil {
			return err
		}
		return sum.Grid().Write(w, format)
	default: // CSV: one grid, whose columns are cut-offs; the averages are in JSON
		return res.Grid().Write(w, format)
	}
}

// setWarnings lists the command's warnings (those it wrote to stderr) in
// its JSON output, as "warnings"; the key is absent when there were none.
func setWarnings(o *report.Object, warns []string) {
	if len(warns) > 0 {
		o.Set("warnings", warns)
	}
}

// propLine is the table line naming the propensities used.
func propLine(prop propInfo) string {
	switch {
	case prop.weights == nil:
		return "propensity: none (give --train or --inv-prop for PSP@k and PSnDCG@k)"
	case prop.params.A > 0:
		return fmt.Sprintf("propensity: A=%g B=%g from the label counts of %d training rows", prop.params.A, prop.params.B, prop.n)
	}
	return "propensity: inverse propensities from " + prop.source
}

// propJSON describes the propensities used, nil when there were none.
func propJSON(prop propInfo) *report.Object {
	if prop.weights == nil {
		return nil
	}
	po := (&report.Object{}).Set("source", prop.source)
	if prop.params.A > 0 {
		po.Set("a", prop.params.A).Set("b", prop.params.B).Set("n_train", prop.n)
	}
	return po
}

// writePerLabel writes --per-label's CSV (atomically) when pl is set.
func writePerLabel(path string, pl *eval.PerLabel, names []string) error {
	if pl == nil {
		return nil
	}
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error { return pl.Write(w, names) })
}

// outputs and inputs are the files the flags name, for checkOutputs
// (with --model, evalModel adds the models' files).
func (o *evalOptions) outputs() []fileRef {
	return []fileRef{{"--result", o.Result}, {"--per-label", o.PerLabel}}
}

func (o *evalOptions) inputs() []fileRef {
	return []fileRef{{"--pred", o.Pred}, {"--truth", o.Truth}, {"--rows", o.Rows}, {"--train", o.Train},
		{"--train-rows", o.TrainRows}, {"--inv-prop", o.InvProp}, {"--against", o.Against}, {"--names", o.Names}}
}

// newPerLabel counts --per-label's predicted set: a row's first k
// predictions, and those scoring at least --per-label-threshold if given.
func (o *evalOptions) newPerLabel(labels, k int) *eval.PerLabel {
	pl := eval.NewPerLabel(labels, k)
	if o.changed("per-label-threshold") {
		pl.SetThreshold(o.PerLabelT)
	}
	return pl
}
