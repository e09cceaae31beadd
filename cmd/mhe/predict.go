package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/mhe-xlc/mhe/internal/atomicfile"
	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/eval"
	"github.com/mhe-xlc/mhe/internal/heads"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/nn"
	"github.com/mhe-xlc/mhe/internal/record"
	"github.com/mhe-xlc/mhe/internal/report"
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
	f.IntVar(&o.Threads, "threads", 0, "worker threads (0 = all CPUs); output does not depend on it")
	f.StringArrayVar(&o.Sets, "set", nil, "override a key of the model's config (key=value), e.g. data.dir")
	f.BoolVar(&o.Quiet, "quiet", false, "no summary on stderr")
	f.IntVar(&o.Beam, "beam", 0, beamHelp)
	return cmd
}

// modelsHelp and ensembleHelp describe --model of predict and eval.
const (
	modelsHelp   = "model directory (required); repeat it to rank with an ensemble of the models"
	ensembleHelp = `With --model given more than once, the models are an ensemble (as in the
paper's MHC ensembles, or Parabel's trees): each ranks its own top-K, every
model scores the union of those labels, and labels are ranked by the mean
score. The models must be trained on the same dataset (same labels and
features; label orders, heads and seeds may differ); the input is read with
the first model's config, and each model preprocesses it as its own
training data was.`
)

// checkModelFlags refuses an empty --model among several (an unset shell
// variable, say).
func checkModelFlags(dirs []string) error {
	for i, d := range dirs {
		if d == "" {
			return usageErrorf("--model number %d of %d is empty: give a model directory", i+1, len(dirs))
		}
	}
	return nil
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// member is one opened --model directory.
type member struct {
	dir    string
	m      *train.Model
	man    *modelio.Manifest
	cfg    *config.Config
	verify func() error
	close  func() error
}

// members are the opened --model directories of predict or eval.
type members []member

// openMembers opens every model directory with openModelDeferred (the
// weights are hashed in the background: call verify before writing
// anything) and sets the prediction beam: of the model, or of an
// ensemble's MHC members (at least one must be MHC).
func openMembers(dirs, sets []string, beam int) (members, error) {
	var ms members
	for _, dir := range dirs {
		m, man, cfg, verify, closeFn, err := openModelDeferred(dir, sets)
		if err != nil {
			ms.close()
			return nil, err
		}
		ms = append(ms, member{dir: dir, m: m, man: man, cfg: cfg, verify: verify, close: closeFn})
	}
	if err := ms.setPredictBeam(beam); err != nil {
		ms.close()
		return nil, err
	}
	return ms, nil
}

func (ms members) setPredictBeam(beam int) error {
	if len(ms) == 1 || beam == 0 {
		return ms[0].m.SetPredictBeam(beam)
	}
	var firstErr error
	set := 0
	for _, x := range ms {
		if x.m.Method != heads.MHC {
			continue
		}
		if err := x.m.SetPredictBeam(beam); err != nil && firstErr == nil {
			firstErr = err
		}
		set++
	}
	if firstErr != nil {
		return firstErr
	}
	if set == 0 {
		return usageErrorf("--beam sets the prediction beam of MHC models; none of the %d models is MHC", len(ms))
	}
	return nil
}

func (ms members) close() {
	for _, x := range ms {
		x.close()
	}
}

// trainSeconds adds up the members' training times from the run records
// their directories hold (0 when any is missing: a partial sum would pass
// for the whole).
func (ms members) trainSeconds() float64 {
	var sum float64
	for _, x := range ms {
		raw, err := os.ReadFile(modelio.Open(x.dir).File("result.json"))
		if err != nil {
			return 0
		}
		var r record.Record
		if json.Unmarshal(raw, &r) != nil || r.Timing.TrainSeconds <= 0 {
			return 0
		}
		sum += r.Timing.TrainSeconds
	}
	return sum
}

// verify reports the first damaged model.
func (ms members) verify() error {
	for _, x := range ms {
		if err := x.verify(); err != nil {
			return err
		}
	}
	return nil
}

func (ms members) models() []*train.Model {
	out := make([]*train.Model, len(ms))
	for i, x := range ms {
		out[i] = x.m
	}
	return out
}

// ranker ranks raw rows with the model, or the ensemble of the models.
func (ms members) ranker(pool *nn.Pool, k int) (train.Ranker, error) {
	r, err := train.NewRanker(ms.models(), pool, k)
	return r, ms.memberError(err)
}

// memberError marks an ensemble the models cannot form for its exit code
// and names the members in order.
func (ms members) memberError(err error) error {
	if err == nil {
		return nil
	}
	if len(ms) > 1 {
		dirs := make([]string, len(ms))
		for i, x := range ms {
			dirs[i] = fmt.Sprintf("%d: %s", i+1, x.dir)
		}
		err = fmt.Errorf("%w (members in --model order: %s)", err, strings.Join(dirs, ", "))
	}
	return modelError(err)
}

// beamHelp describes the prediction beam flag of predict and eval.
const beamHelp = "MHC: beam width kept per level when predicting (0 = the training beam; wider is slower and closer to the exact top-K)"

// openModel loads a model directory and its config (MHE_* and --set apply).
func openModel(dir string, sets []string) (*train.Model, *modelio.Manifest, *config.Config, func() error, error) {
	m, man, cfg, verify, closeFn, err := openModelDeferred(dir, sets)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if err := verify(); err != nil {
		closeFn()
		return nil, nil, nil, nil, err
	}
	return m, man, cfg, closeFn, nil
}

// openModelDeferred is openModel with the weights' checksum checked in the
// background while the caller reads its input: nothing may be written
// before verify returns nil (train.OpenModel).
func openModelDeferred(dir string, sets []string) (*train.Model, *modelio.Manifest, *config.Config, func() error, func() error, error) {
	m, man, verify, closeFn, err := train.OpenModel(dir)
	if err != nil {
		return nil, nil, nil, nil, nil, modelError(err)
	}
	cfg, err := loadConfig(configInput{File: modelio.Open(dir).File(modelio.ConfigFile), Sets: sets})
	if err != nil {
		closeFn()
		return nil, nil, nil, nil, nil, err
	}
	return m, man, &cfg, func() error { return modelError(verify()) }, closeFn, nil
}

// modelError marks a damaged or incompatible model for its exit code.
func modelError(err error) error {
	if err != nil && train.IsModelError(err) {
		return fmt.Errorf("%w: %w", ErrModel, err)
	}
	return err
}

// trainedRowsScored describes, in a phrase, the rows of src that the model
// in dir trained on or chose its weights on ("" when none): a --set or an
// MHE_* variable that moves the config's test split (data.holdout_fold,
// data.test_rows, ...) can land it on them. cfg is the config scoring src;
// the model's rows come from its own config.yaml, resolved against cfg's
// data directory.
func trainedRowsScored(dir string, man *modelio.Manifest, cfg *config.Config, src *train.Source, what string) (string, error) {
	if src == nil {
		return "", nil
	}
	path := modelio.Open(dir).File(modelio.ConfigFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrModel, err)
	}
	saved := config.Default()
	if err := yaml.Unmarshal(raw, &saved); err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrModel, path, err)
	}
	trained := train.WithRowKeys(cfg, &saved)
	n, first, err := train.TrainedRows(trained, man.TrainingData, src)
	if err != nil || n == 0 {
		return "", err
	}
	var diff []string
	now, then := train.RowKeys(cfg), train.RowKeys(&saved)
	for _, k := range slices.Sorted(maps.Keys(now)) {
		if now[k] != then[k] {
			diff = append(diff, fmt.Sprintf("%s %s, the model's %s", k, keyValue(now[k]), keyValue(then[k])))
		}
	}
	why := ""
	if len(diff) > 0 {
		why = " (" + strings.Join(diff, "; ") + ")"
	}
	return fmt.Sprintf("%d of the %d %s of %s (row %d first) are rows the model in %s trained on or chose its weights on%s", n, src.Len(), what, src.Path, first+1, dir, why), nil
}

// keyValue shows a config value in a message: strings quoted, so that an
// empty one shows.
func keyValue(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

func setThreads(n int) (int, func()) {
	if n <= 0 {
		n = runtime.NumCPU()
	}
	prev := runtime.GOMAXPROCS(n)
	return n, func() { runtime.GOMAXPROCS(prev) }
}

// rowSource yields input rows one at a time.
type rowSource interface {
	Next(row *data.Row) error
	Rows() int // -1 when unknown before the end
}

type datasetSource struct {
	ds *data.Dataset
	i  int
}

func (d *datasetSource) Next(row *data.Row) error {
	if d.i >= d.ds.Rows() {
		return io.EOF
	}
	row.Indices, row.Values = d.ds.X.Row(d.i)
	row.Labels, _ = d.ds.Y.Row(d.i)
	d.i++
	return nil
}
func (d *datasetSource) Rows() int { return d.ds.Rows() }

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
	m, cfg := ms[0].m, ms[0].cfg
	o.checkInput = true
	src, closeSrc, err := openRows(s, &o.inputOptions, cfg, inputDim(m))
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
		for i, n := range names[:m.Labels] {
			if n == "" || strings.ContainsAny(n, " \t") {
				return data.InputError(fmt.Errorf("%s:%d: label name %q is empty or has whitespace, which the label:score format cannot hold; use ids (drop --names)", o.Names, i+1, n))
			}
		}
	}
	for _, x := range ms {
		if msg, err := trainedRowsScored(x.dir, x.man, cfg, src.src, src.what()); err != nil {
			return err
		} else if msg != "" {
			// Predictions on training rows have their uses; scores of
			// them do not, which mhe eval --model refuses.
			fmt.Fprintf(s.errOut, "predict: warning: %s\n", msg)
		}
	}
	threads, restore := setThreads(o.Threads)
	defer restore()
	pool := nn.NewPool(threads)
	r, err := ms.ranker(pool, o.TopK)
	if err != nil {
		return err
	}
	start := time.Now()
	rows := 0
	write := func(w io.Writer) (err error) {
		rows, err = streamPredictions(w, r, m.Labels, src, o, names)
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
		secs := time.Since(start).Seconds()
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
		test, src, err := train.LoadTest(cfg)
		if err != nil {
			return nil, nop, err
		}
		if test == nil {
			return nil, nop, usageErrorf("the model's config has no test split; give --input FILE")
		}
		return &inputRows{rowSource: &datasetSource{ds: test}, dim: dim, src: src}, nop, nil
	}
	opt, err := train.ReadOptions(&cfg.Data)
	if err != nil {
		return nil, nop, err
	}
	opt.NumFeatures, opt.NumLabels, opt.SingleLabel = 0, 0, false
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
		r := &inputRows{rowSource: &datasetSource{ds: ds}, dim: dim, input: true}
		if h != nil {
			if sum, err := h.Wait(); err == nil {
				r.src = &train.Source{Path: o.Input, SHA256: sum, FileRows: n, Rows: rows}
			}
		}
		return r, nop, nil
	}
	var rc io.ReadCloser
	name := o.Input
	if o.Input == "-" {
		rc, err = data.OpenReader(io.NopCloser(s.in), "<stdin>")
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
	r := &inputRows{rowSource: &readerSource{rd: rd}, dim: dim, input: true}
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
	// --input file read whole with --rows (nil for generated data, stdin
	// and a streamed --input).
	src *train.Source
	// input says the rows are --input's; a streamed --input file is hashed
	// by hash (for inputOptions.checkInput) while it is read.
	input bool
	hash  *modelio.FileHash
	path  string
}

// what names the rows in messages.
func (r *inputRows) what() string {
	if r.input {
		return "input rows"
	}
	return "test rows"
}

// streamedSource is a streamed --input file as a Source once all its rows
// were read (nil when it was not hashed).
func (r *inputRows) streamedSource(rows int) *train.Source {
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

// streamPredictions ranks batch by batch and writes one line per row; it
// returns the number of rows. labels is the label count (for --header).
func streamPredictions(w io.Writer, r train.Ranker, labels int, src rowSource, o *predictOptions, names []string) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	if o.Header {
		rows := src.Rows()
		if rows < 0 {
			return 0, usageErrorf("--header needs the row count up front; this input has no header (give --rows, or an XC file)")
		}
		fmt.Fprintf(bw, "%d %d\n", rows, labels)
	}
	n := 0
	var line []byte
	flush := func() error {
		r.Run()
		n += r.Len()
		for i := range r.Len() {
			labels, scores := r.Result(i)
			line = formatPrediction(line[:0], labels, scores, o.Threshold, names)
			if _, err := bw.Write(line); err != nil {
				return err
			}
		}
		r.Reset()
		return nil
	}
	r.Reset()
	if err := batchRows(nil, src, r, flush); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// rowQueue is a batch of preprocessed rows (train.Predictor, train.Encoder).
type rowQueue interface {
	Add(ids []int32, vals []float32)
	Full() bool
}

// batchRows reads every row of src, preprocesses it as the model's training
// data was (m nil: q takes raw rows), queues it on q, and calls flush
// whenever q is full and once at the end.
func batchRows(m *train.Model, src rowSource, q rowQueue, flush func() error) error {
	var row data.Row
	var scratch train.RowScratch
	for {
		err := src.Next(&row)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		ids, vals := row.Indices, row.Values
		if m != nil {
			ids, vals = m.Prep.ApplyRow(&scratch, ids, vals)
		}
		q.Add(ids, vals)
		if q.Full() {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// formatPrediction appends "l:s l:s\n" (scores with 6 decimals).
func formatPrediction(b []byte, labels []int32, scores []float32, threshold float64, names []string) []byte {
	first := true
	for i, l := range labels {
		if float64(scores[i]) < threshold {
			break
		}
		if !first {
			b = append(b, ' ')
		}
		first = false
		if names != nil {
			b = append(b, names[l]...)
		} else {
			b = strconv.AppendInt(b, int64(l), 10)
		}
		b = append(b, ':')
		b = strconv.AppendFloat(b, float64(scores[i]), 'f', 6, 32)
	}
	return append(b, '\n')
}

// evalModel predicts the test split of a model's config and evaluates it.
func evalModel(s *streams, o *evalOptions, format report.Format, policy eval.EmptyPolicy) error {
	if o.Pred != "" || o.Truth != "" {
		return usageErrorf("--model evaluates the config's test split; drop --pred and --truth")
	}
	// Flags that describe --pred/--truth files have nothing to act on here;
	// refuse them rather than ignore them.
	for _, f := range []string{"truth-format", "rows", "column", "train", "train-rows", "inv-prop", "dataset", "single-label", "pred-names", "label-base", "feature-base"} {
		if o.changed(f) {
			return usageErrorf("--%s describes --pred/--truth files; --model reads the test split and training label counts its config and model give (drop --%s, or --set a config key)", f, f)
		}
	}
	ms, err := openMembers(o.Models, o.ConfigSets, o.Beam)
	if err != nil {
		return err
	}
	defer ms.close()
	m, man, cfg := ms[0].m, ms[0].man, ms[0].cfg
	test, src, err := train.LoadTest(cfg)
	// A damaged model is reported before any error of the data, as
	// when the weights were hashed first.
	if verr := ms.verify(); verr != nil {
		return verr
	}
	if err != nil {
		return err
	}
	if test == nil {
		return usageErrorf("the model's config has no test split to evaluate")
	}
	if !o.AllowTrainRows {
		for _, x := range ms {
			if msg, err := trainedRowsScored(x.dir, x.man, cfg, src, "test rows"); err != nil {
				return err
			} else if msg != "" {
				return usageErrorf("%s; metrics on them overstate the model. Score the test rows the model was trained for (drop that --set), train a model for these rows, or pass --allow-train-rows to score them anyway", msg)
			}
		}
	}
	threads, restore := setThreads(o.Threads)
	defer restore()
	ec := cfg.Eval
	ec.K, ec.EmptyRows = o.K, string(policy)
	if o.A > 0 {
		ec.A, ec.B = o.A, o.B
	}
	if o.Against != "" {
		ev, err := train.OriginalEvaluator(m, ec, cfg.Name, true)
		if err != nil {
			return err
		}
		if err := train.AddRanked(ms.models(), nn.NewPool(threads), test, ev); err != nil {
			return ms.memberError(err)
		}
		cs, err := compareWith(s, o, ev, test.Y, nil)
		if err != nil {
			return err
		}
		return writeComparison(s.out, o, o.Model, ev.Result(), cs, modelPropInfo(m, ec, cfg.Name), format)
	}
	names, err := data.ReadNamesFor(o.Names, m.Labels)
	if err != nil {
		return err
	}
	start := time.Now()
	ev, err := train.OriginalEvaluator(m, ec, cfg.Name, false)
	if err != nil {
		return err
	}
	var more []train.RowScorer
	var pl *eval.PerLabel
	if o.PerLabel != "" {
		pl = eval.NewPerLabel(m.Labels, o.PerLabelK)
		more = append(more, pl)
	}
	if err := train.AddRanked(ms.models(), nn.NewPool(threads), test, ev, more...); err != nil {
		return ms.memberError(err)
	}
	res := ev.Result()
	if err := writePerLabel(o.PerLabel, pl, names); err != nil {
		return err
	}
	if o.Result != "" {
		secs := time.Since(start).Seconds()
		rec := evalRecord(cfg.Name, res, secs)
		rec.ModelDir, rec.Seed, rec.Threads, rec.Config, rec.Epochs = o.Model, man.Seed, threads, *cfg, man.Epochs
		rec.Plan = planRecord(m)
		rec.Extra = map[string]any{}
		if o.Beam > 0 {
			rec.Extra["predict_beam"] = o.Beam
		}
		if len(ms) > 1 {
			// The size, not the directories: ensembles of other seeds
			// are replicates of one experiment in mhe report.
			rec.Extra["ensemble"] = len(ms)
			rec.ModelDir = strings.Join(o.Models, ",")
			// The members' classifiers together (heads may differ).
			rec.Plan.Params = 0
			for _, x := range ms {
				rec.Plan.Params += x.m.Plan.Params
			}
			if rec.Plan.VanillaParams > 0 {
				rec.Plan.ParamRatio = float64(rec.Plan.Params) / float64(rec.Plan.VanillaParams)
			}
			rec.Timing.TrainSeconds = ms.trainSeconds()
		}
		if len(rec.Extra) == 0 {
			rec.Extra = nil
		}
		rec.Data = man.TrainingData
		rec.Timing.SetPredict(secs, res.Rows)
		if err := record.Write(o.Result, rec); err != nil {
			return err
		}
	}
	return writeEvalResult(s.out, res, modelPropInfo(m, ec, cfg.Name), format)
}

// modelPropInfo describes the propensities a model's evaluation used.
func modelPropInfo(m *train.Model, ec config.EvalConfig, name string) propInfo {
	if m.LabelCounts == nil {
		return propInfo{}
	}
	p := eval.PropensityParams{A: ec.A, B: ec.B}.Or(name)
	return propInfo{weights: []float64{}, params: p, source: "training label counts", n: m.TrainRows}
}
