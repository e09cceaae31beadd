// Package train is mhe's training engine: it loads the splits a run
// configuration names, builds the encoder and head, runs mini-batch
// optimisation on a deterministic worker pool, checkpoints every epoch, and
// predicts in batches. For a given seed its models and predictions are
// byte-identical whatever the number of threads.
package train

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"unsafe"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/synth"
)

// Splits are the datasets of a run, with labels in their original ids.
type Splits struct {
	Train      *data.Dataset
	Validation *data.Dataset // nil when there is none
	Test       *data.Dataset // nil when there is none
	// Info identifies the data (paths and sha256) for the manifest.
	Info []modelio.DataInfo
	// Empty counts the training rows without labels/features (before any
	// dropping); Dropped is how many were dropped.
	Empty   data.EmptyCounts
	Dropped int
	// ValidationFromTrain says the validation rows were held out of the
	// training file (train.validation_fraction).
	ValidationFromTrain bool

	progress func(Event) // reading progress (nil: none)
}

// readProgress is the reader's Progress callback for a file: Events of
// phase "read" to s.progress, nil without one.
func (s *Splits) readProgress(path string) func(done, size int64) {
	if s.progress == nil {
		return nil
	}
	return func(done, size int64) {
		s.progress(Event{Phase: "read", File: path, Bytes: done, Size: size})
	}
}

// ConfigSettings names the reading options by their config keys, for the
// fixes the reader's messages suggest.
var ConfigSettings = data.Settings{Format: "data.format", LabelBase: "data.label_base", FeatureBase: "data.feature_base"}

// ReadOptions turns the data section into reader options.
func ReadOptions(d *config.DataConfig) (data.ReadOptions, error) {
	f, err := data.ParseFormat(d.Format)
	if err != nil {
		return data.ReadOptions{}, fmt.Errorf("%w: data.format: %v", config.ErrInvalid, err)
	}
	return data.ReadOptions{Format: f, LabelBase: d.LabelBase, FeatureBase: d.FeatureBase,
		NumFeatures: d.NumFeatures, NumLabels: d.NumLabels, SingleLabel: d.SingleLabel, Settings: ConfigSettings}, nil
}

// LoadSplits reads (or generates) the train, validation and test rows of a
// run configuration.
func LoadSplits(cfg *config.Config, seed uint64, progress func(Event)) (*Splits, error) {
	s := &Splits{progress: progress}
	var err error
	if cfg.Data.Synth.Labels > 0 {
		err = s.loadSynth(cfg)
	} else {
		err = s.loadFiles(cfg)
	}
	if err != nil {
		return nil, err
	}
	s.Empty = data.CountEmpty(s.Train)
	s.Train, s.Dropped = data.DropEmpty(s.Train, cfg.Data.DropEmptyLabels, cfg.Data.DropEmptyFeatures)
	if s.Validation == nil && cfg.Train.ValidationFraction > 0 {
		n := s.Train.Rows()
		nv := int(cfg.Train.ValidationFraction * float64(n))
		if nv < 1 || nv >= n {
			return nil, fmt.Errorf("%w: train.validation_fraction %g leaves %d validation rows of %d", config.ErrInvalid, cfg.Train.ValidationFraction, nv, n)
		}
		perm := rand.New(rand.NewPCG(seed, 0x7a11d)).Perm(n)
		val, tr := slices.Clone(perm[:nv]), slices.Clone(perm[nv:])
		slices.Sort(val)
		slices.Sort(tr)
		s.Validation, s.Train = s.Train.Subset(val), s.Train.Subset(tr)
		s.ValidationFromTrain = true
	}
	if s.Train.Rows() == 0 {
		return nil, data.InputError(fmt.Errorf("no training rows left (after splits and dropping empty rows)"))
	}
	s.unifyDims()
	return s, nil
}

// unifyDims gives every split the same dimensions (LIBSVM files infer them
// from the ids they hold).
func (s *Splits) unifyDims() {
	f, l := 0, 0
	for _, d := range s.all() {
		f, l = max(f, d.NumFeatures()), max(l, d.NumLabels())
	}
	for _, d := range s.all() {
		d.X.Cols, d.Y.Cols = f, l
	}
}

func (s *Splits) all() []*data.Dataset {
	var out []*data.Dataset
	for _, d := range []*data.Dataset{s.Train, s.Validation, s.Test} {
		if d != nil {
			out = append(out, d)
		}
	}
	return out
}

func (s *Splits) loadSynth(cfg *config.Config) error {
	sc := cfg.Data.Synth
	m, err := synth.NewModel(synth.Params{Examples: sc.Examples, Features: sc.Features, Labels: sc.Labels, Seed: sc.Seed,
		SingleLabel: sc.SingleLabel, AvgLabels: sc.AvgLabels, AvgFeatures: sc.AvgFeatures, Exponent: sc.Exponent, Noise: sc.Noise})
	if err != nil {
		return fmt.Errorf("%w: data.synth: %v", config.ErrInvalid, err)
	}
	s.Train = m.Rows(sc.Examples, synth.StreamTrain)
	name := fmt.Sprintf("synthetic(examples=%d,features=%d,labels=%d,seed=%d)", sc.Examples, sc.Features, sc.Labels, sc.Seed)
	s.Info = append(s.Info, modelio.DataInfo{Role: "train", Path: name, SHA256: hashDataset(s.Train), Rows: s.Train.Rows()})
	if sc.TestExamples > 0 {
		s.Test = m.Rows(sc.TestExamples, synth.StreamTest)
		s.Info = append(s.Info, modelio.DataInfo{Role: "test", Path: name, SHA256: hashDataset(s.Test), Rows: s.Test.Rows()})
	}
	return nil
}

// hashDataset is the sha256 of a dataset's arrays (for generated data).
func hashDataset(d *data.Dataset) string {
	h := sha256.New()
	var b [8]byte
	for _, m := range []*data.CSR{d.X, d.Y} {
		binary.LittleEndian.PutUint64(b[:], uint64(m.Rows))
		h.Write(b[:])
		binary.LittleEndian.PutUint64(b[:], uint64(m.Cols))
		h.Write(b[:])
		h.Write(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(m.Indptr))), len(m.Indptr)*8))
		h.Write(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(m.Indices))), len(m.Indices)*4))
		h.Write(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(m.Values))), len(m.Values)*4))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// readDataset reads a data file (recorded in s.Info) and returns it with
// its Source: every row of the file.
func (s *Splits) readDataset(cfg *config.Config, role, file, labels string) (*data.Dataset, *Source, error) {
	opt, err := ReadOptions(&cfg.Data)
	if err != nil {
		return nil, nil, err
	}
	path := cfg.Path(file)
	opt.Progress = s.readProgress(path)
	sum := modelio.HashLater(path) // on another core while the file is parsed
	defer sum.Cancel()
	var ds *data.Dataset
	if opt.Format == data.FormatXCMatrix {
		if labels == "" {
			return nil, nil, fmt.Errorf("%w: data.%s_labels: format xc-matrix needs the label matrix of %s", config.ErrInvalid, role, file)
		}
		ds, err = data.ReadXCPair(path, cfg.Path(labels), opt)
	} else {
		ds, err = data.ReadFile(path, opt)
	}
	if err != nil {
		return nil, nil, err
	}
	src, err := s.source(role, path, ds.Rows(), sum)
	if err != nil {
		return nil, nil, err
	}
	return ds, src, nil
}

// source records a data file of n rows that was read for role, with its
// sha256 from h, in s.Info (the run record's data section).
func (s *Splits) source(role, path string, n int, h *modelio.FileHash) (*Source, error) {
	sum, err := h.Wait()
	if err != nil {
		return nil, data.InputError(err)
	}
	s.Info = append(s.Info, modelio.DataInfo{Role: role, Path: path, SHA256: sum, Rows: n})
	return &Source{Path: path, SHA256: sum, FileRows: n}, nil
}

func (s *Splits) loadFiles(cfg *config.Config) error {
	d := &cfg.Data
	if err := checkDataFiles(cfg, dataFiles(d, false)); err != nil {
		return err
	}
	full, trainSrc, err := s.readDataset(cfg, "train", d.Train, d.TrainLabels)
	if err != nil {
		return err
	}
	if trainSrc.Rows, err = TrainRowIndices(cfg, full.Rows()); err != nil {
		return err
	}
	s.Train = full
	if trainSrc.Rows != nil {
		s.Train = full.Subset(trainSrc.Rows)
	}
	var testSrc *Source
	if s.Test, testSrc, err = s.testSplit(cfg, full, trainSrc); err != nil {
		return err
	}
	if testSrc != nil && testSrc.SHA256 == trainSrc.SHA256 {
		if err := disjoint(cfg, trainSrc, testSrc); err != nil {
			return err
		}
	}
	if d.Validation != "" {
		if s.Validation, _, err = s.readDataset(cfg, "validation", d.Validation, d.ValidationLabels); err != nil {
			return err
		}
	}
	return nil
}

// Source names the rows of one data file that a split holds.
type Source struct {
	Path     string // the file, as the configuration resolves it
	SHA256   string // of the file
	FileRows int    // rows in the file
	Rows     []int  // the rows the split holds (0-based); nil = every row
}

// Len is how many rows the split holds.
func (s *Source) Len() int {
	if s.Rows == nil {
		return s.FileRows
	}
	return len(s.Rows)
}

// TrainRowIndices lists the rows of the training file (n rows) that a
// configuration's training split holds, before train.validation_fraction
// holds some out and before empty rows are dropped; nil means every row.
func TrainRowIndices(cfg *config.Config, n int) ([]int, error) {
	d := &cfg.Data
	switch {
	case d.TrainRows != "":
		return data.ReadSplit(cfg.Path(d.TrainRows), d.SplitColumn, n)
	case d.Test != "":
		return nil, nil
	case d.HoldoutEvery > 0:
		tr, _, err := holdoutRows(cfg, n)
		return tr, err
	}
	return nil, nil
}

// holdoutRows splits the training file (n rows) by data.holdout_every and
// data.holdout_fold. A side left empty is an error: a file shorter than the
// rule's period has no row for it (and an empty list would read as every
// row).
func holdoutRows(cfg *config.Config, n int) (train, test []int, err error) {
	d := &cfg.Data
	train, test = data.HoldoutRows(n, d.HoldoutEvery, d.HoldoutFold)
	return train, test, checkHoldout(cfg, n, len(test))
}

// checkHoldout refuses a holdout rule that leaves a side of a file of n
// rows empty (test of them test rows).
func checkHoldout(cfg *config.Config, n, test int) error {
	d := &cfg.Data
	fold := data.HoldoutFold(d.HoldoutEvery, d.HoldoutFold)
	switch {
	case test == 0:
		return fmt.Errorf("%w: data.holdout_every %d holds out the rows i %% %d == %d, and %s has none of them (%d rows): give a test file, or a smaller data.holdout_fold", config.ErrInvalid, d.HoldoutEvery, d.HoldoutEvery, fold-1, cfg.Path(d.Train), n)
	case test == n:
		return fmt.Errorf("%w: data.holdout_every %d holds out every row of %s (%d rows), leaving none to train on", config.ErrInvalid, d.HoldoutEvery, cfg.Path(d.Train), n)
	}
	return nil
}

// testSplit reads the test rows of a configuration and names their source
// (nil, nil, nil: there are none). full is the training file and trainSrc
// its source when the caller has read it; with nil, testSplit reads the
// training file if the test rows come from it.
func (s *Splits) testSplit(cfg *config.Config, full *data.Dataset, trainSrc *Source) (*data.Dataset, *Source, error) {
	d := &cfg.Data
	var err error
	// pick chooses the test rows of a file of n rows.
	pick := func(n int) ([]int, error) {
		if d.TestRows != "" {
			return data.ReadSplit(cfg.Path(d.TestRows), d.SplitColumn, n)
		}
		_, rows, err := holdoutRows(cfg, n)
		return rows, err
	}
	if d.Test != "" {
		if d.TestRows != "" {
			return s.readRows(cfg, "test", d.Test, d.TestLabels, pick)
		}
		return s.readDataset(cfg, "test", d.Test, d.TestLabels)
	}
	if d.TestRows == "" && d.HoldoutEvery == 0 {
		return nil, nil, nil
	}
	if full == nil { // predict or eval: only the test rows are parsed
		if d.TestRows == "" {
			// A holdout rule is a predicate on the row index: read without
			// listing the rows a header declares (a damaged one can
			// declare 2^31).
			return s.readRowsWith(cfg, "train", d.Train, d.TrainLabels, pick, func(path string, opt data.ReadOptions) (*data.Dataset, []int, int, error) {
				ds, rows, n, err := data.ReadRowsWhereFile(path, opt, func(i int) bool { return data.IsHoldoutRow(i, d.HoldoutEvery, d.HoldoutFold) })
				if err == nil {
					err = checkHoldout(cfg, n, len(rows))
				}
				return ds, rows, n, err
			})
		}
		return s.readRows(cfg, "train", d.Train, d.TrainLabels, pick)
	}
	src := &Source{Path: trainSrc.Path, SHA256: trainSrc.SHA256, FileRows: trainSrc.FileRows}
	if src.Rows, err = pick(full.Rows()); err != nil {
		return nil, nil, err
	}
	return full.Subset(src.Rows), src, nil
}

// readRows is readDataset for the rows of a file that pick chooses (a split
// file's or a holdout rule's): an XC file's other rows are passed over
// unparsed (data.ReadRowsFile).
func (s *Splits) readRows(cfg *config.Config, role, file, labels string, pick func(int) ([]int, error)) (*data.Dataset, *Source, error) {
	return s.readRowsWith(cfg, role, file, labels, pick, func(path string, opt data.ReadOptions) (*data.Dataset, []int, int, error) {
		return data.ReadRowsFile(path, opt, pick)
	})
}

// readRowsWith is readRows with the rows of a data file (not an XC
// matrix pair, which pick chooses from) read by read.
func (s *Splits) readRowsWith(cfg *config.Config, role, file, labels string, pick func(int) ([]int, error),
	read func(path string, opt data.ReadOptions) (*data.Dataset, []int, int, error)) (*data.Dataset, *Source, error) {
	opt, err := ReadOptions(&cfg.Data)
	if err != nil {
		return nil, nil, err
	}
	if opt.Format == data.FormatXCMatrix {
		ds, src, err := s.readDataset(cfg, role, file, labels)
		if err != nil {
			return nil, nil, err
		}
		if src.Rows, err = pick(ds.Rows()); err != nil {
			return nil, nil, err
		}
		return ds.Subset(src.Rows), src, nil
	}
	path := cfg.Path(file)
	opt.Progress = s.readProgress(path)
	sum := modelio.HashLater(path)
	defer sum.Cancel()
	ds, rows, n, err := read(path, opt)
	if err != nil {
		return nil, nil, err
	}
	src, err := s.source(role, path, n, sum)
	if err != nil {
		return nil, nil, err
	}
	src.Rows = rows
	return ds, src, nil
}

// Overlap counts the rows that two sources of the same file share and
// returns the first of them (-1 when none).
func Overlap(a, b *Source) (n, first int) {
	if a.SHA256 != b.SHA256 || a.FileRows != b.FileRows {
		return 0, -1
	}
	in := make([]bool, a.FileRows)
	if a.Rows == nil {
		for i := range in {
			in[i] = true
		}
	}
	for _, r := range a.Rows {
		in[r] = true
	}
	first = -1
	count := func(r int) {
		if in[r] {
			n++
			if first < 0 || r < first {
				first = r
			}
		}
	}
	if b.Rows == nil {
		for r := range b.FileRows {
			count(r)
		}
	} else {
		for _, r := range b.Rows {
			count(r)
		}
	}
	return n, first
}

// disjoint refuses test rows that are also training rows of the same file:
// split files that share rows are an input error (exit 3), a data.test that
// repeats the training file is a configuration error (exit 2).
func disjoint(cfg *config.Config, train, test *Source) error {
	n, first := Overlap(train, test)
	if n == 0 {
		return nil
	}
	d := &cfg.Data
	if d.TrainRows != "" && d.TestRows != "" {
		also := ""
		if n > 1 {
			also = fmt.Sprintf(" (and %d more)", n-1)
		}
		if d.Test != "" {
			also += fmt.Sprintf(", and data.test %s is the training file (same sha256)", test.Path)
		}
		return data.InputError(fmt.Errorf("%w: row %d is in both %s and %s%s; train and test must not overlap (same split column?)", data.ErrSplit, first+1, cfg.Path(d.TrainRows), cfg.Path(d.TestRows), also))
	}
	return fmt.Errorf("%w: data.test %s is the training file (same sha256), and %d of its %d test rows are training rows (row %d first); give the test file, or split the training file with data.train_rows and data.test_rows or data.holdout_every", config.ErrInvalid, test.Path, n, test.Len(), first+1)
}

// DescribeSplits is a one-line summary for logs.
func (s *Splits) Describe() string {
	var parts []string
	parts = append(parts, fmt.Sprintf("train %d rows", s.Train.Rows()))
	if s.Validation != nil {
		parts = append(parts, fmt.Sprintf("validation %d", s.Validation.Rows()))
	}
	if s.Test != nil {
		parts = append(parts, fmt.Sprintf("test %d", s.Test.Rows()))
	}
	parts = append(parts, fmt.Sprintf("%d features, %d labels", s.Train.NumFeatures(), s.Train.NumLabels()))
	return strings.Join(parts, ", ")
}

// LoadTest reads only the test rows of a run configuration (for predict and
// eval on a model), or returns nil when the configuration has none, with
// the file and rows they come from (nil for generated data).
func LoadTest(cfg *config.Config, progress func(Event)) (*data.Dataset, *Source, error) {
	d := &cfg.Data
	s := &Splits{progress: progress}
	if d.Synth.Labels > 0 {
		if d.Synth.TestExamples == 0 {
			return nil, nil, nil
		}
		if err := s.loadSynth(cfg); err != nil {
			return nil, nil, err
		}
		return s.Test, nil, nil
	}
	if err := checkDataFiles(cfg, dataFiles(d, true)); err != nil {
		return nil, nil, err
	}
	return s.testSplit(cfg, nil, nil)
}
