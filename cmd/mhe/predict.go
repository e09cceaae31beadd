package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mhe-xlc/mhe/internal/atomicfile"
	"github.com/mhe-xlc/mhe/internal/clock"
	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/eval"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/nn"
	"github.com/mhe-xlc/mhe/internal/train"
)

// inputOptions name the rows a model reads (predict, embed).
type inputOptions struct {
	Input       string
	InputFormat string
	LabelBase   int
	FeatureBase int
	Rows        string
	Column      int

	// checkInput hashes an --input file so that rows a model trained on
	// can be recognised (predict).
	checkInput bool
	changed    func(string) bool
	// progress reports the loading of the config's test split (nil:
	// nothing).
	progress func(train.Event)
}

func addInputFlags(f *pflag.FlagSet, o *inputOptions, what string) {
	f.StringVar(&o.Input, "input", "", "rows to "+what+" (- for stdin; default: the config's test split)")
	f.StringVar(&o.InputFormat, "input-format", "", "format of --input: auto, xc, xc-matrix (a feature matrix) or libsvm (default: the model config's)")
	f.IntVar(&o.LabelBase, "label-base", 0, "smallest label id of a LIBSVM input (default: the model config's)")
	f.IntVar(&o.FeatureBase, "feature-base", 1, "smallest feature id of a LIBSVM input (default: the model config's)")
	f.StringVar(&o.Rows, "rows", "", "XC split file selecting rows of --input")
	f.IntVar(&o.Column, "column", 1, "split column (1-based)")
}

type predictOptions struct {
	// Models are the --model directories: one model, or the members of an
	// ensemble; Model is the first.
	Models []string
	Model  string
	inputOptions
	TopK      int
	Threshold float64
	Out       string
	Names     string
	Header    bool
	Threads   int
	Sets      []string
	Quiet     bool
	Beam      int
}

func newPredictCmd(s *streams, runF func(*predictOptions) error) *cobra.Command {
	o := &predictOptions{}
	cmd := &cobra.Command{
		Use:   "predict",
		Short: "Rank labels for input rows with a trained model",
		Long: `Predict the top-K labels of every input row with a trained model: one output
line per input row, "label:score" pairs by decreasing score (scores are
probabilities with 6 decimals, label ids as in the data), an empty line when
nothing passes --threshold. Without --input, the test split of the model's
config is predicted. Input is streamed in batches: memory does not grow with
the number of rows (except with --rows, which loads the input to select rows).

The input is read with the model config's data format and index bases unless
--input-format / --label-base / --feature-base say otherwise. Labels in the
input are ignored.

` + ensembleHelp,
		Example: `  mhe predict --model runs/bibtex --out pred.txt
  mhe predict --model runs/rcv1-s1 --model runs/rcv1-s2 --model runs/rcv1-s3 --out ens.txt
  mhe predict --model runs/bibtex --input new.txt --topk 10 --out - | head
  mhe predict --model runs/delicious --threshold 0.5 --names $MHE_DATA_DIR/Delicious/delicious_label_names.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.changed = cmd.Flags().Changed
			o.Model = firstOf(o.Models)
			if runF != nil {
				return runF(o)
			}
			return predictRun(s, o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.Models, "model", nil, modelsHelp)
	addInputFlags(f, &o.inputOptions, "predict")
	f.IntVar(&o.TopK, "topk", 5, "labels per row (with --threshold: the most considered)")
	f.Float64Var(&o.Threshold, "threshold", 0, "keep only labels with score >= T (instead of exactly K)")
	f.StringVar(&o.Out, "out", "-", "output file, - for stdout")
	f.StringVar(&o.Names, "names", "", "label name file: write names instead of ids")
	f.BoolVar(&o.Header, "header", false, `start with a "rows labels" header (pyxclib reads the file directly)`)
	f.IntVar(&o.Threads, "threads", 0, "worker threads (0 = all CPUs this process may use); output does not depend on it")
	f.StringArrayVar(&o.Sets, "set", nil, "override a key of the model's config (key=value), e.g. data.dir")
	f.BoolVar(&o.Quiet, "quiet", false, "no summary on stderr")
	f.IntVar(&o.Beam, "beam", 0, beamHelp)
	return cmd
}

// rowSource yields input rows one at a time, and knows how many there are.
type rowSource interface {
	train.RowSource
	Rows() int // -1 when unknown before the end
}

type readerSource struct {
	rd *data.Reader
}

func (r *readerSource) Next(row *data.Row) error { return r.rd.Read(row) }
func (r *readerSource) Rows() int {
	if h := r.rd.Header(); h.Present {
		return h.Rows
	}
	return -1
}

func predictRun(s *streams, o *predictOptions) error {
	if o.Model == "" {
		return usageErrorf("give --model DIR")
	}
	if err := checkModelFlags(o.Models); err != nil {
		return err
	}
	if o.TopK < 1 {
		return usageErrorf("--topk %d must be >= 1", o.TopK)
	}
	if o.changed("threshold") && !(o.Threshold >= 0 && o.Threshold <= 1) { // NaN fails both
		return usageErrorf("--threshold %g: scores are probabilities, give a value in [0, 1]", o.Threshold)
	}
	if err := o.check(); err != nil {
		return err
	}
	if o.changed("threshold") && !o.changed("topk") {
		o.TopK = 100
	}
	ms, err := openMembers(o.Models, o.Sets, o.Beam)
	if err != nil {
		return err
	}
	defer ms.close()
	if err := checkOutputs([]fileRef{{"--out", o.Out}},
		append([]fileRef{{"--input", o.Input}, {"--rows", o.Rows}, {"--names", o.Names}}, ms.files()...)); err != nil {
		return err
	}
	m, cfg := ms[0].m, ms[0].cfg
	// A ranking holds each label once: a larger --topk (or the 100 of
	// --threshold) would only size buffers for labels that do not exist.
	o.TopK = min(o.TopK, m.Labels)
	o.checkInput = true
	pr := newProgress(s.errOut, s.errTTY, o.Quiet)
	o.progress = pr.handle
	src, closeSrc, err := openRows(s, &o.inputOptions, cfg, inputDim(m))
	pr.finishBar()
	// The input was opened (the test split read) while the weights were
	// hashed. Nothing is written before they pass, and a damaged model is
	// reported before any error of the input, as when they were hashed
	// first.
	if verr := ms.verify(); verr != nil {
		if err == nil {
			closeSrc()
		}
		return verr
	}
	if err != nil {
		return err
	}
	defer closeSrc()
	names, err := data.ReadNamesFor(o.Names, m.Labels)
	if err != nil {
		return err
	}
	if names != nil {
		if err := eval.CheckPredNames(names[:m.Labels], o.Names); err != nil {
			return err
		}
	}
	ms.warnChangedData(s.errOut, "predict", src.src)
	for _, x := range ms {
		if msg, err := trainedRowsScored(x.dir, x.man, cfg, src.src, src.what()); err != nil {
			return err
		} else if msg != "" {
			// Predictions on training rows have their uses; scores of
			// them do not, which mhe eval --model refuses.
			fmt.Fprintf(s.errOut, "predict: warning: %s\n", msg)
		}
	}
	threads, restore := setThreads(o.Threads, s.errOut, "predict")
	defer restore()
	pool := nn.NewPool(threads)
	r, err := ms.ranker(pool, o.TopK)
	if err != nil {
		return err
	}
	start := clock.Start()
	rows := 0
	prog := newRowProgress(s.errOut, s.errTTY, o.Quiet, "predict", int64(src.Rows()))
	write := func(w io.Writer) (err error) {
		rows, err = streamPredictions(w, r, m.Labels, countedRows{src, prog}, o, names)
		prog.finish()
		return err
	}
	if o.Out == "-" {
		err = write(s.out)
	} else {
		err = atomicfile.WriteFile(o.Out, 0o644, write)
	}
	if err == nil {
		src.warnIgnored(s.errOut, "predict")
		// A streamed --input file is recognised once it has been read.
		if whole := src.streamedSource(rows); whole != nil {
			for _, x := range ms {
				if msg, err := trainedRowsScored(x.dir, x.man, cfg, whole, "input rows"); err == nil && msg != "" {
					fmt.Fprintf(s.errOut, "predict: warning: %s\n", msg)
				}
			}
		}
	}
	if err == nil && !o.Quiet {
		secs := start.Seconds()
		ens := ""
		if len(ms) > 1 {
			ens = fmt.Sprintf(", an ensemble of %d models", len(ms))
		}
		fmt.Fprintf(s.errOut, "predict: %d rows in %.2fs, %.0f rows/s (threads %d%s)\n", rows, secs, float64(rows)/secs, threads, ens)
	}
	return err
}

func (o *inputOptions) check() error {
	if o.Rows != "" && o.Input == "" {
		return usageErrorf("--rows selects rows of --input; give --input")
	}
	return nil
}

// openRows opens the rows a model reads: --input, or the config's test split.
// The source counts rows with feature ids at or beyond dim, the model's input
// dimension, which the encoder cannot use (dim 0: any id is usable, as with
// feature hashing); an XC header declaring more features than dim is refused
// before any row is read.
func openRows(s *streams, o *inputOptions, cfg *config.Config, dim int) (*inputRows, func(), error) {
	nop := func() {}
	if o.Input == "" {
		test, src, err := train.LoadTest(cfg, o.progress)
		if err != nil {
			return nil, nop, err
		}
		if test == nil {
			return nil, nop, usageErrorf("the model's config has no test split; give --input FILE (or --set data.test=FILE)")
		}
		return &inputRows{rowSource: &train.DatasetRows{DS: test}, dim: dim, src: src}, nop, nil
	}
	opt, err := train.ReadOptions(&cfg.Data)
	if err != nil {
		return nil, nop, err
	}
	opt.NumFeatures, opt.NumLabels, opt.SingleLabel = 0, 0, false
	opt.Settings = flagSettings("--input-format")
	if o.InputFormat != "" {
		if opt.Format, err = data.ParseFormat(o.InputFormat); err != nil {
			return nil, nop, usageError{err}
		}
	}
	if o.changed("label-base") {
		opt.LabelBase = o.LabelBase
	}
	if o.changed("feature-base") {
		opt.FeatureBase = o.FeatureBase
	}
	if o.Rows != "" {
		var h *modelio.FileHash
		if o.checkInput && o.Input != "-" {
			h = modelio.HashLater(o.Input)
			defer h.Cancel()
		}
		ds, rows, n, err := data.ReadRowsFile(o.Input, opt, func(n int) ([]int, error) {
			return data.ReadSplit(o.Rows, o.Column, n)
		})
		if err != nil {
			return nil, nop, err
		}
		r := &inputRows{rowSource: &train.DatasetRows{DS: ds}, dim: dim, input: true}
		if h != nil {
			if sum, err := h.Wait(); err == nil {
				r.src = &train.Source{Path: o.Input, SHA256: sum, FileRows: n, Rows: rows}
			}
		}
		return r, nop, nil
	}
	var rc io.ReadCloser
	var stdinHash hash.Hash
	name := o.Input
	if o.Input == "-" {
		in := s.in
		if o.checkInput {
			// Hashed as it is read, so that a training file piped in is
			// recognised once it has been read whole.
			stdinHash = sha256.New()
			in = io.TeeReader(s.in, stdinHash)
		}
		rc, err = data.OpenReader(io.NopCloser(in), "<stdin>")
		name = "<stdin>"
	} else {
		rc, err = data.Open(o.Input)
	}
	if err != nil {
		return nil, nop, err
	}
	rd, err := data.NewReader(rc, name, opt)
	if err != nil {
		rc.Close()
		return nil, nop, err
	}
	if h := rd.Header(); dim > 0 && h.Present && h.Features > dim {
		rc.Close()
		return nil, nop, fmt.Errorf("%w: %s declares %d features, but the model was trained on %d: is it from the same dataset (same feature ids)?", ErrInputMismatch, name, h.Features, dim)
	}
	r := &inputRows{rowSource: &readerSource{rd: rd}, dim: dim, input: true, stdinHash: stdinHash}
	if o.checkInput && o.Input != "-" {
		r.hash = modelio.HashLater(o.Input)
		r.path = o.Input
	}
	return r, func() {
		rc.Close()
		if r.hash != nil {
			r.hash.Cancel()
		}
	}, nil
}

// inputRows is a rowSource that counts the rows holding feature ids the
// model cannot use.
type inputRows struct {
	rowSource
	dim     int // the model's input dimension; 0 = every id is usable
	ignored int // rows with at least one id >= dim
	// src names the file and rows of the config's test split, or of an
	// --input file read whole with --rows (nil for generated data and a
	// streamed --input or stdin, which streamedSource describes once read).
	src *train.Source
	// input says the rows are --input's; a streamed --input file is hashed
	// by hash (for inputOptions.checkInput) while it is read.
	input bool
	hash  *modelio.FileHash
	path  string
	// stdinHash hashes standard input as it is read (for checkInput).
	stdinHash hash.Hash
}

// what names the rows in messages.
func (r *inputRows) what() string {
	if r.input {
		return "input rows"
	}
	return "test rows"
}

// streamedSource is a streamed --input file, or standard input, as a
// Source once all its rows were read (nil when it was not hashed).
func (r *inputRows) streamedSource(rows int) *train.Source {
	if r.stdinHash != nil {
		return &train.Source{Path: "<stdin>", SHA256: hex.EncodeToString(r.stdinHash.Sum(nil)), FileRows: rows}
	}
	if r.hash == nil {
		return nil
	}
	sum, err := r.hash.Wait()
	if err != nil {
		return nil
	}
	return &train.Source{Path: r.path, SHA256: sum, FileRows: rows}
}

func (r *inputRows) Next(row *data.Row) error {
	err := r.rowSource.Next(row)
	if err == nil && r.dim > 0 && len(row.Indices) > 0 && int(row.Indices[len(row.Indices)-1]) >= r.dim {
		r.ignored++ // Indices are sorted: the last is the largest
	}
	return err
}

// warnIgnored tells (on stderr, even with --quiet) how many rows had
// feature ids beyond the model's, which the encoder skipped.
func (r *inputRows) warnIgnored(w io.Writer, cmd string) {
	if r.ignored > 0 {
		fmt.Fprintf(w, "%s: warning: %d rows have feature ids >= %d, the model's input dimension; those features were ignored (is the input from the model's dataset?)\n", cmd, r.ignored, r.dim)
	}
}

// inputDim is the input dimension openRows checks rows against: none with
// feature hashing, which maps any id into the model's buckets.
func inputDim(m *train.Model) int {
	if m.Prep.Hash > 0 {
		return 0
	}
	return m.Prep.InputFeatures
}

// streamPredictions ranks src batch by batch and writes one line per row;
// it returns the number of rows. labels is the label count (for --header).
func streamPredictions(w io.Writer, r train.Ranker, labels int, src rowSource, o *predictOptions, names []string) (int, error) {
	pw := eval.NewPredWriter(w, names, o.Threshold)
	if o.Header {
		rows := src.Rows()
		if rows < 0 {
			return 0, usageErrorf("--header needs the row count up front; this input has no header (give --rows, or an XC file)")
		}
		if err := pw.Header(rows, labels); err != nil {
			return 0, err
		}
	}
	n, err := train.RankRows(r, src, pw.Write)
	if err != nil {
		return n, err
	}
	return n, pw.Flush()
}
