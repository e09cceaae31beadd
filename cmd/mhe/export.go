package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mhe-xlc/mhe/internal/atomicfile"
	"github.com/mhe-xlc/mhe/internal/buildinfo"
	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/report"
	"github.com/mhe-xlc/mhe/internal/train"
)

// exportRecordFile is the provenance file mhe data export writes beside
// the splits.
const exportRecordFile = "export.json"

// splitNames are the splits mhe data export writes, in order.
var splitNames = []string{"train", "validation", "test"}

type exportOptions struct {
	Config         string
	Model          string
	Sets           []string
	OutDir         string
	To             string
	Gzip           bool
	OutLabelBase   int
	OutFeatureBase int
	Format         string
	Quiet          bool
	Force          bool
}

func newExportCmd(s *streams, runF func(*exportOptions) error) *cobra.Command {
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export (--config FILE | --model DIR) --out-dir DIR",
		Short: "Write the train, validation and test rows of a run config (or a model's) as data files, for other tools",
		Long: `Write the rows a run config gives mhe train as data files: train.txt,
validation.txt (when the run has validation rows) and test.txt (when it has
test rows) in --out-dir, so that another tool (napkinXC, Omikuji, PECOS,
fastText, LIBLINEAR) trains and is scored on exactly the split mhe uses.
The config's split rules all apply: split files (data.train_rows,
data.test_rows), the every-nth rule (data.holdout_every, data.holdout_fold),
the validation rows drawn by the seed (train.validation_fraction), empty
rows dropped (data.drop_empty_labels, data.drop_empty_features) and
generated data (data.synth). Values are as the files hold them: tf-idf and
normalisation (data.tfidf, data.normalize) are applied when mhe trains, and
are not in the files. Labels keep their original ids.

--model DIR exports the rows of the config the model was trained with, and
warns when a data file differs from the one it recorded. MHE_* variables
and --set apply to either config, as for mhe train.

export.json records the mhe version, the resolved config, the sha256 of the
files read, and each file written with its rows and sha256. Files already in
--out-dir are replaced only with --force.`,
		Example: `  mhe data export --config configs/rcv1-mhc.yaml --out-dir splits/rcv1 --to libsvm
  mhe data export --model runs/bibtex-mhc --out-dir splits/bibtex
  mhe data export --config configs/stackex-cs-mhc.yaml --set data.holdout_fold=2 --out-dir splits/cs-fold2 --gzip`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return exportRun(s, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Config, "config", "", "run config (YAML) whose splits to write")
	f.StringVar(&o.Model, "model", "", "model directory: the splits of the config it was trained with")
	f.StringArrayVar(&o.Sets, "set", nil, "override a config key (key=value), repeatable")
	f.StringVar(&o.OutDir, "out-dir", "", "directory for train.txt, validation.txt, test.txt and export.json (created if missing)")
	f.StringVar(&o.To, "to", "xc", "output format: xc or libsvm")
	f.BoolVar(&o.Gzip, "gzip", false, "write .txt.gz files")
	f.IntVar(&o.OutLabelBase, "out-label-base", 0, "smallest label id written to LIBSVM")
	f.IntVar(&o.OutFeatureBase, "out-feature-base", 1, "smallest feature id written to LIBSVM")
	f.StringVar(&o.Format, "format", "table", "summary on stdout: table or json (export.json's contents)")
	f.BoolVar(&o.Quiet, "quiet", false, "no progress on stderr while a large file is read")
	f.BoolVar(&o.Force, "force", false, "replace the files of an earlier export in --out-dir")
	return cmd
}

// exportedSplit is one file mhe data export wrote (the JSON keys are API).
type exportedSplit struct {
	Split    string `json:"split"`
	File     string `json:"file"`
	Rows     int    `json:"rows"`
	Features int    `json:"features"`
	Labels   int    `json:"labels"`
	SHA256   string `json:"sha256"`
}

// exportRecord is export.json.
type exportRecord struct {
	MHEVersion string             `json:"mhe_version"`
	MHECommit  string             `json:"mhe_commit"`
	Model      string             `json:"model,omitempty"`
	Format     string             `json:"format"`
	Values     string             `json:"values"`
	Source     []modelio.DataInfo `json:"source"`
	Splits     []exportedSplit    `json:"splits"`
	Config     config.Config      `json:"config"`
	Changed    []string           `json:"changed_since_training,omitempty"`
}

func exportRun(s *streams, o *exportOptions) (rerr error) {
	summary, err := report.ParseFormat(o.Format, report.Table, report.JSON)
	if err != nil {
		return usageError{err}
	}
	to, err := data.ParseFormat(o.To)
	if err != nil || (to != data.FormatXC && to != data.FormatLibSVM) {
		return usageErrorf("--to %q: want xc or libsvm (mhe data convert turns a file into xc-matrix)", o.To)
	}
	switch {
	case (o.Config == "") == (o.Model == ""):
		return usageErrorf("give the run config as --config FILE or a model directory as --model DIR (one of them)")
	case o.OutDir == "":
		return usageErrorf("--out-dir DIR is required: the directory the files go to")
	}
	rec := exportRecord{Format: string(to), Values: "as the data files hold them: tf-idf and normalisation are applied when mhe trains", Model: o.Model}
	cfgFile := o.Config
	var man *modelio.Manifest
	if o.Model != "" {
		dir := modelio.Open(o.Model)
		if man, err = dir.ReadManifest(); err != nil {
			return fmt.Errorf("%w: %w", ErrModel, err)
		}
		if err := dir.VerifyFile(man, modelio.ConfigFile); err != nil {
			return fmt.Errorf("%w: %w", ErrModel, err)
		}
		cfgFile = dir.File(modelio.ConfigFile)
	}
	cfg, err := loadConfig(configInput{File: cfgFile, Sets: o.Sets})
	if err != nil {
		return err
	}
	ext := ".txt"
	if o.Gzip {
		ext = ".txt.gz"
	}
	var outputs []fileRef
	for _, name := range splitNames {
		outputs = append(outputs, fileRef{"--out-dir", filepath.Join(o.OutDir, name+ext)})
	}
	var inputs []fileRef
	for _, kv := range train.DataFiles(&cfg, false) {
		inputs = append(inputs, fileRef{kv[0], kv[1]})
	}
	undo, err := mkdirUndo(o.OutDir)
	if err != nil {
		return usageErrorf("--out-dir: %v", err)
	}
	// A failed export leaves no directory it created behind.
	defer func() {
		if rerr != nil {
			undo()
		}
	}()
	if err := checkOutputs(outputs, inputs); err != nil {
		return err
	}
	if !o.Force {
		for _, out := range append(outputs, fileRef{"--out-dir", filepath.Join(o.OutDir, exportRecordFile)}) {
			if _, err := os.Lstat(out.path); err == nil {
				return usageErrorf("--out-dir: %s exists; give --force to replace the files of an export, or another directory", out.path)
			}
		}
	}
	pr := newProgress(s.errOut, s.errTTY, o.Quiet)
	splits, err := train.LoadSplits(&cfg, cfg.Train.Seed, pr.handle)
	pr.finishBar()
	if err != nil {
		return err
	}
	if man != nil {
		// The files were hashed while they were read (splits.Info).
		read := func(path string) (string, error) {
			for _, in := range splits.Info {
				if in.Path == path {
					return in.SHA256, nil
				}
			}
			return modelio.SHA256File(path)
		}
		for _, c := range train.CompareData(man, &cfg, read) {
			switch {
			case c.Err != nil:
				fmt.Fprintf(s.errOut, "data export: warning: %s cannot be compared with the file the model in %s was trained on: %v\n", c.Key, o.Model, c.Err)
			case !c.Same():
				rec.Changed = append(rec.Changed, c.Key)
				fmt.Fprintf(s.errOut, "data export: warning: %s %s differs from the file the model in %s was trained on (sha256 %.12s…, recorded %.12s…): the rows written are not the ones it saw\n",
					c.Key, c.Path, o.Model, c.SHA256, c.Recorded)
			}
		}
	}
	bi := buildinfo.Get()
	rec.MHEVersion, rec.MHECommit, rec.Source, rec.Config = bi.Version, bi.Commit, splits.Info, cfg
	wopt := data.WriteOptions{Format: to, LabelBase: o.OutLabelBase, FeatureBase: o.OutFeatureBase}
	for i, ds := range []*data.Dataset{splits.Train, splits.Validation, splits.Test} {
		path := outputs[i].path
		if ds == nil {
			// Not deleted (it may be anyone's file), but not this
			// export's either: export.json lists what is.
			if _, err := os.Lstat(path); err == nil {
				fmt.Fprintf(s.errOut, "data export: note: %s is not part of this export (the run has no %s rows); export.json lists the files written\n", path, splitNames[i])
			}
			continue
		}
		if err := writeMaybeGzip(s.out, path, func(w io.Writer) error { return data.Write(w, ds, wopt) }); err != nil {
			return err
		}
		sum, err := modelio.SHA256File(path)
		if err != nil {
			return err
		}
		rec.Splits = append(rec.Splits, exportedSplit{Split: splitNames[i], File: filepath.Base(path),
			Rows: ds.Rows(), Features: ds.NumFeatures(), Labels: ds.NumLabels(), SHA256: sum})
	}
	raw, err := modelio.JSONBytes(rec)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(o.OutDir, exportRecordFile), 0o644, func(w io.Writer) error {
		_, err := w.Write(raw)
		return err
	}); err != nil {
		return err
	}
	if summary == report.JSON {
		_, err := s.out.Write(raw)
		return err
	}
	g := &report.Grid{Header: []string{"split", "rows", "features", "labels", "file"}, RightAlign: []bool{false, true, true, true, false}}
	for _, sp := range rec.Splits {
		g.Rows = append(g.Rows, []string{sp.Split, group(int64(sp.Rows)), group(int64(sp.Features)), group(int64(sp.Labels)), filepath.Join(o.OutDir, sp.File)})
	}
	return g.Write(s.out, report.Table)
}

// mkdirUndo creates dir and its missing parents, and returns a function
// that removes the directories it created, deepest first, as long as they
// are empty.
func mkdirUndo(dir string) (undo func(), err error) {
	var created []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || !os.IsNotExist(err) {
			break
		}
		created = append(created, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return func() {
		for _, d := range created {
			if os.Remove(d) != nil {
				return
			}
		}
	}, nil
}
