package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/spf13/cobra"

	"github.com/mhe-xlc/mhe/internal/atomicfile"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/report"
	"github.com/mhe-xlc/mhe/internal/synth"
	"github.com/mhe-xlc/mhe/internal/train"
)

func newDataCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "Generate, inspect and convert datasets",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErrorf("mhe data needs a subcommand: synth, stats or convert")
		},
	}
	cmd.AddCommand(newSynthCmd(s, nil), newStatsCmd(s, nil), newConvertCmd(s, nil))
	return cmd
}

// readFlags are the options every command that reads a data file shares.
type readFlags struct {
	Format      string
	LabelBase   int
	FeatureBase int
	Features    int
	Labels      int
	SingleLabel bool
	formatFlag  string // the flag that sets Format, named in hints
	Quiet       bool   // no reading progress
}

func (r *readFlags) add(f interface {
	StringVar(*string, string, string, string)
	IntVar(*int, string, int, string)
	BoolVar(*bool, string, bool, string)
}, formatFlag string) {
	r.formatFlag = formatFlag
	f.StringVar(&r.Format, formatFlag, "auto", "input format: auto, xc, xc-matrix, libsvm")
	f.IntVar(&r.LabelBase, "label-base", 0, "smallest label id of a LIBSVM file (0 or 1)")
	f.IntVar(&r.FeatureBase, "feature-base", 1, "smallest feature id of a LIBSVM file (0 or 1)")
	f.IntVar(&r.Features, "num-features", 0, "declared feature dimension of a file without header (0 = infer)")
	f.IntVar(&r.Labels, "num-labels", 0, "declared label count of a file without header (0 = infer)")
	f.BoolVar(&r.SingleLabel, "single-label", false, "require exactly one label per row")
	f.BoolVar(&r.Quiet, "quiet", false, "no progress on stderr while a large file is read")
}

// reading reports on stderr the loading of file with opt, when it lasts
// more than a few seconds (progress.read), unless --quiet; call the
// function it returns once the file is read.
func (r *readFlags) reading(s *streams, opt *data.ReadOptions, file string) (done func()) {
	return readingProgress(s, r.Quiet, opt, file)
}

// readingProgress is readFlags.reading for any command that reads a data
// file, quiet or not.
func readingProgress(s *streams, quiet bool, opt *data.ReadOptions, file string) (done func()) {
	if quiet {
		return func() {}
	}
	pr := newProgress(s.errOut, s.errTTY, false)
	opt.Progress = func(done, size int64) {
		pr.handle(train.Event{Phase: "read", File: file, Bytes: done, Size: size})
	}
	return pr.finishBar
}

// streamProgress is readingProgress for a file read as a stream (a
// prediction file mhe eval scores): in, from data.Open, reports after
// each read how far into its file it is; a stream of unknown size (stdin)
// reports nothing. Call done once the stream is read.
func streamProgress(s *streams, quiet bool, in io.Reader, file string) (r io.Reader, done func()) {
	pos, ok := in.(interface{ Progress() (done, size int64) })
	if quiet || !ok {
		return in, func() {}
	}
	var opt data.ReadOptions
	done = readingProgress(s, quiet, &opt, file)
	return &reportingReader{Reader: in, pos: pos, report: opt.Progress}, done
}

// reportingReader calls report with pos's position after each Read.
type reportingReader struct {
	io.Reader
	pos    interface{ Progress() (done, size int64) }
	report func(done, size int64)
}

func (r *reportingReader) Read(p []byte) (int, error) {
	n, err := r.Reader.Read(p)
	if done, size := r.pos.Progress(); size > 0 {
		r.report(done, size)
	}
	return n, err
}

// flagSettings names a command's reading flags for the reader's hints:
// formatFlag and the --label-base and --feature-base every reading command
// has.
func flagSettings(formatFlag string) data.Settings {
	return data.Settings{Format: formatFlag, LabelBase: "--label-base", FeatureBase: "--feature-base"}
}

func (r *readFlags) options() (data.ReadOptions, error) {
	f, err := data.ParseFormat(r.Format)
	if err != nil {
		return data.ReadOptions{}, usageError{err}
	}
	if r.LabelBase != 0 && r.LabelBase != 1 || r.FeatureBase != 0 && r.FeatureBase != 1 {
		return data.ReadOptions{}, usageErrorf("index bases are 0 or 1")
	}
	return data.ReadOptions{Format: f, LabelBase: r.LabelBase, FeatureBase: r.FeatureBase,
		NumFeatures: r.Features, NumLabels: r.Labels, SingleLabel: r.SingleLabel, Settings: flagSettings("--" + r.formatFlag)}, nil
}

// ---- synth ----

type synthOptions struct {
	Params     synth.Params
	Out        string
	TestOut    string
	TestN      int
	Format     string
	Quiet      bool
	OutputJSON bool
}

func newSynthCmd(s *streams, runF func(*synthOptions) error) *cobra.Command {
	o := &synthOptions{}
	cmd := &cobra.Command{
		Use:   "synth",
		Short: "Write the built-in synthetic dataset (deterministic, power-law labels)",
		Long: `Write mhe's built-in synthetic dataset in XC format (or LIBSVM): deterministic
for a seed, learnable (each label has a signature of features its examples
carry, plus noise features), with a power-law label frequency like real
extreme classification data. Values are term counts.

Rows are streamed: 10^6 examples over 10^6 labels need memory for the label
model only. A path ending in .gz is gzip-compressed. --test-out writes held-out
rows drawn from the same label model.

The summary on stderr ends with a "generated by:" line: the command, every
generator parameter spelled out (defaults included), that writes the same
rows again when given --out (and --test-out).`,
		Example: `  mhe data synth --examples 20000 --features 5000 --labels 2000 --seed 1 --out train.txt \
      --test-examples 5000 --test-out test.txt
  mhe data synth --examples 1000000 --features 1000000 --labels 1000000 --out big.txt.gz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return synthRun(s, o)
		},
	}
	f := cmd.Flags()
	p := &o.Params
	f.IntVar(&p.Examples, "examples", 0, "number of training rows (required)")
	f.IntVar(&p.Features, "features", 0, "feature dimension D (required)")
	f.IntVar(&p.Labels, "labels", 0, "number of labels C (required)")
	f.Uint64Var(&p.Seed, "seed", 1, "random seed")
	f.BoolVar(&p.SingleLabel, "single-label", false, "one label per row (multi-class)")
	f.Float64Var(&p.AvgLabels, "avg-labels", synth.DefaultAvgLabels, "mean labels per row (multi-label)")
	f.IntVar(&p.AvgFeatures, "avg-features", synth.DefaultAvgFeatures, "mean feature draws per row")
	f.Float64Var(&p.Exponent, "exponent", synth.DefaultExponent, "power-law exponent of the label frequency (0: every label alike)")
	f.Float64Var(&p.Noise, "noise", synth.DefaultNoise, "share of feature draws unrelated to the labels (0: none)")
	f.IntVar(&p.Signature, "signature", synth.DefaultSignature, "features that characterise a label")
	f.StringVar(&o.Out, "out", "", "output file (required; .gz compresses; - for stdout)")
	f.IntVar(&o.TestN, "test-examples", 0, "number of held-out rows for --test-out")
	f.StringVar(&o.TestOut, "test-out", "", "write held-out rows to this file")
	f.StringVar(&o.Format, "format", "xc", "output format: xc or libsvm")
	f.BoolVar(&o.Quiet, "quiet", false, "no summary on stderr")
	return cmd
}

func synthRun(s *streams, o *synthOptions) error {
	if o.Out == "" {
		return usageErrorf("--out FILE is required")
	}
	if o.Params.Examples < 1 || o.Params.Features < 1 || o.Params.Labels < 2 {
		return usageErrorf("--examples, --features and --labels are required (examples >= 1, features >= 1, labels >= 2)")
	}
	// The generator reads a zero here as its default: a 0 given on the
	// command line would be replaced without a word.
	for _, f := range []struct {
		flag string
		zero bool
	}{{"--avg-labels", o.Params.AvgLabels == 0}, {"--avg-features", o.Params.AvgFeatures == 0}, {"--signature", o.Params.Signature == 0}} {
		if f.zero {
			return usageErrorf("%s 0: give a value >= 1", f.flag)
		}
	}
	if (o.TestOut == "") != (o.TestN == 0) {
		return usageErrorf("--test-out and --test-examples go together")
	}
	if err := checkOutputs([]fileRef{{"--out", o.Out}, {"--test-out", o.TestOut}}, nil); err != nil {
		return err
	}
	format, err := data.ParseFormat(o.Format)
	if err != nil || (format != data.FormatXC && format != data.FormatLibSVM) {
		return usageErrorf("--format %q: want xc or libsvm", o.Format)
	}
	model, err := synth.NewModel(o.Params)
	if err != nil {
		return err
	}
	p := model.Params()
	write := func(path string, n int, stream uint64) error {
		return writeMaybeGzip(s.out, path, func(w io.Writer) error {
			bw := bufio.NewWriterSize(w, 1<<20)
			rw := data.NewRowWriter(bw, data.WriteOptions{Format: format, LabelBase: 0, FeatureBase: 1})
			if err := rw.Header(n, p.Features, p.Labels); err != nil {
				return err
			}
			if err := model.Write(rw, n, stream); err != nil {
				return err
			}
			return bw.Flush()
		})
	}
	if err := write(o.Out, p.Examples, synth.StreamTrain); err != nil {
		return err
	}
	if o.TestOut != "" {
		if err := write(o.TestOut, o.TestN, synth.StreamTest); err != nil {
			return err
		}
	}
	if !o.Quiet {
		fmt.Fprintf(s.errOut, "wrote %s: %d examples, %d features, %d labels (seed %d, %s)\n", o.Out, p.Examples, p.Features, p.Labels, p.Seed, format)
		if o.TestOut != "" {
			fmt.Fprintf(s.errOut, "wrote %s: %d held-out examples\n", o.TestOut, o.TestN)
		}
		fmt.Fprintf(s.errOut, "generated by: %s\n", synthCommand(p, fmt.Sprint(format), o.TestN))
	}
	return nil
}

// synthCommand is the mhe data synth command line, less its output paths,
// that writes the rows p and format describe: every generator parameter
// spelled out, defaults included, so that a job's log says how its data
// was made and a later version's defaults cannot change what the line
// means.
func synthCommand(p synth.Params, format string, testN int) string {
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	args := []string{"mhe data synth", "--examples", strconv.Itoa(p.Examples), "--features", strconv.Itoa(p.Features),
		"--labels", strconv.Itoa(p.Labels), "--seed", strconv.FormatUint(p.Seed, 10)}
	if p.SingleLabel {
		args = append(args, "--single-label")
	} else {
		args = append(args, "--avg-labels", num(p.AvgLabels))
	}
	args = append(args, "--avg-features", strconv.Itoa(p.AvgFeatures), "--signature", strconv.Itoa(p.Signature),
		"--exponent", num(p.Exponent), "--noise", num(p.Noise), "--format", format)
	if testN > 0 {
		args = append(args, "--test-examples", strconv.Itoa(testN))
	}
	return strings.Join(args, " ")
}

// writeMaybeGzip writes path atomically (gzip-compressed when it ends in
// .gz), or stdout when path is "-".
func writeMaybeGzip(stdout io.Writer, path string, fn func(io.Writer) error) error {
	if path == "-" {
		return fn(stdout)
	}
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		if !strings.HasSuffix(path, ".gz") {
			return fn(w)
		}
		zw := gzip.NewWriter(w)
		if err := fn(zw); err != nil {
			return err
		}
		return zw.Close()
	})
}

// ---- stats ----

type statsOptions struct {
	File   string
	Read   readFlags
	Rows   string
	Column int
	Format string
}

func newStatsCmd(s *streams, runF func(*statsOptions) error) *cobra.Command {
	o := &statsOptions{}
	cmd := &cobra.Command{
		Use:   "stats FILE",
		Short: "Describe a dataset: sizes, nnz, labels per example, label-frequency quantiles, empty rows",
		Long: `Describe a dataset: sizes, nnz, labels per example, label-frequency quantiles,
empty rows. The file is counted while it is read, holding no row, so a file
too large to load can be described; with --rows, the split's rows are loaded.`,
		Example: `  mhe data stats $MHE_DATA_DIR/Delicious/delicious_train.txt
  mhe data stats $MHE_DATA_DIR/Bibtex/Bibtex_data.txt.gz --rows $MHE_DATA_DIR/Bibtex/bibtex_trSplit.txt --format json
  mhe data stats $MHE_DATA_DIR/Letter/letter.scale.libsvm.txt --data-format libsvm --label-base 1`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			if runF != nil {
				return runF(o)
			}
			return statsRun(s, o)
		},
	}
	f := cmd.Flags()
	o.Read.add(f, "data-format")
	f.StringVar(&o.Rows, "rows", "", "XC split file selecting rows")
	f.IntVar(&o.Column, "column", 1, "split column (1-based)")
	f.StringVar(&o.Format, "format", "table", "output: table or json")
	return cmd
}

func statsRun(s *streams, o *statsOptions) error {
	format, err := report.ParseFormat(o.Format, report.Table, report.JSON)
	if err != nil {
		return usageError{err}
	}
	opt, err := o.Read.options()
	if err != nil {
		return err
	}
	var st data.Stats
	defer o.Read.reading(s, &opt, o.File)()
	if o.Rows == "" {
		// Counted while reading: a file too large to load can be described.
		if st, err = data.DescribeFile(o.File, opt); err != nil {
			return err
		}
	} else {
		ds, err := loadDataset(o.File, o.Rows, o.Column, opt)
		if err != nil {
			return err
		}
		st = data.Describe(ds)
	}
	if format == report.JSON {
		return writeJSON(s.out, struct {
			File string `json:"file"`
			data.Stats
		}{o.File, st})
	}
	g := &report.Grid{Header: []string{"file", o.File}}
	add := func(k, v string) { g.Rows = append(g.Rows, []string{k, v}) }
	add("examples", group(int64(st.Examples)))
	add("features", fmt.Sprintf("%s (%s used)", group(int64(st.Features)), group(int64(st.FeaturesUsed))))
	add("labels", fmt.Sprintf("%s (%s used)", group(int64(st.Labels)), group(int64(st.LabelsUsed))))
	add("nnz", group(st.NNZ))
	add("label assignments", group(st.LabelAssignments))
	add("features per example", fmt.Sprintf("%.2f", st.AvgFeatures))
	add("labels per example", fmt.Sprintf("%.3f", st.AvgLabels))
	q := st.LabelFrequency
	add("label frequency", fmt.Sprintf("min %d  p25 %d  median %d  p75 %d  p90 %d  p99 %d  max %d", q.Min, q.P25, q.Median, q.P75, q.P90, q.P99, q.Max))
	add("empty rows", fmt.Sprintf("%d without labels, %d without features, %d without either", st.Empty.NoLabels, st.Empty.NoFeatures, st.Empty.Neither))
	add("single-label", strconv.FormatBool(st.SingleLabel))
	return g.Write(s.out, report.Table)
}

// loadDataset reads a data file and keeps the rows of a split file.
func loadDataset(path, rows string, column int, opt data.ReadOptions) (*data.Dataset, error) {
	if rows == "" {
		return data.ReadFile(path, opt)
	}
	// Only the split's rows are parsed (of a file with a header).
	ds, _, _, err := data.ReadRowsFile(path, opt, func(n int) ([]int, error) {
		return data.ReadSplit(rows, column, n)
	})
	return ds, err
}

// ---- convert ----

type convertOptions struct {
	In, Out        string
	Read           readFlags
	Rows           string
	Column         int
	To             string
	OutLabelBase   int
	OutFeatureBase int
	LabelsOut      string
}

func newConvertCmd(s *streams, runF func(*convertOptions) error) *cobra.Command {
	o := &convertOptions{}
	cmd := &cobra.Command{
		Use:   "convert IN OUT",
		Short: "Convert between XC BoW, XC sparse-matrix and LIBSVM files (optionally one split)",
		Example: `  mhe data convert $MHE_DATA_DIR/Letter/letter.scale.libsvm.txt letter.xc.txt --from libsvm --label-base 1 --to xc
  mhe data convert $MHE_DATA_DIR/Bibtex/Bibtex_data.txt.gz trn_X_Xf.txt --rows $MHE_DATA_DIR/Bibtex/bibtex_trSplit.txt \
      --to xc-matrix --labels-out trn_X_Y.txt`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.In, o.Out = args[0], args[1]
			if runF != nil {
				return runF(o)
			}
			return convertRun(s, o)
		},
	}
	f := cmd.Flags()
	o.Read.add(f, "from")
	f.StringVar(&o.Rows, "rows", "", "XC split file selecting rows")
	f.IntVar(&o.Column, "column", 1, "split column (1-based)")
	f.StringVar(&o.To, "to", "xc", "output format: xc, libsvm or xc-matrix (features; labels with --labels-out)")
	f.IntVar(&o.OutLabelBase, "out-label-base", 0, "smallest label id written to LIBSVM")
	f.IntVar(&o.OutFeatureBase, "out-feature-base", 1, "smallest feature id written to LIBSVM")
	f.StringVar(&o.LabelsOut, "labels-out", "", "with --to xc-matrix: write the label matrix here")
	return cmd
}

func convertRun(s *streams, o *convertOptions) error {
	to, err := data.ParseFormat(o.To)
	if err != nil || to == data.FormatAuto {
		return usageErrorf("--to %q: want xc, libsvm or xc-matrix", o.To)
	}
	if o.LabelsOut != "" && to != data.FormatXCMatrix {
		return usageErrorf("--labels-out goes with --to xc-matrix")
	}
	// OUT may be IN: a conversion in place reads the input whole before
	// the output replaces it.
	if err := checkOutputs([]fileRef{{"OUT", o.Out}, {"--labels-out", o.LabelsOut}}, nil); err != nil {
		return err
	}
	opt, err := o.Read.options()
	if err != nil {
		return err
	}
	read := o.Read.reading(s, &opt, o.In)
	ds, err := loadDataset(o.In, o.Rows, o.Column, opt)
	read()
	if err != nil {
		return err
	}
	wopt := data.WriteOptions{Format: to, LabelBase: o.OutLabelBase, FeatureBase: o.OutFeatureBase}
	if err := writeMaybeGzip(s.out, o.Out, func(w io.Writer) error { return data.Write(w, ds, wopt) }); err != nil {
		return err
	}
	if o.LabelsOut != "" {
		return writeMaybeGzip(s.out, o.LabelsOut, func(w io.Writer) error { return data.WriteMatrix(w, ds.Y) })
	}
	if to == data.FormatXCMatrix && ds.Y.NNZ() > 0 {
		// A feature matrix holds no labels: say so rather than drop them
		// without a word.
		fmt.Fprintf(s.errOut, "data convert: note: %s holds the features only; the %d label assignments were not written (give --labels-out FILE for the label matrix)\n", o.Out, ds.Y.NNZ())
	}
	return nil
}
