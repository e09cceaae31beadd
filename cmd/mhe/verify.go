package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/report"
	"github.com/mhe-xlc/mhe/internal/train"
)

type verifyOptions struct {
	Dirs   []string
	Data   bool
	Sets   []string
	Format string
}

func newVerifyCmd(s *streams, runF func(*verifyOptions) error) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify MODEL_DIR...",
		Short: "Check model directories against their manifests (and, with --data, the data they were trained on)",
		Long: `Check each model directory against its manifest: the format version, the
sha256 of every file the manifest lists (config.yaml and the weights), and
the weights' tensor directory and shapes against the model the manifest
describes. A model that passes loads and predicts as it did when mhe train
wrote it. Loading a model (predict, eval --model) checks the weights by
their CRC-32C, which finds damage; verify checks their sha256 instead, the
weights' identity, whose prefix names the weights file. Run it after copying
models to another file system, before a job array that reads them.

--data also compares the data files the model was trained on with the files
its config names now (data.train, data.validation, data.test, resolved as
mhe eval --model resolves them: MHE_* variables and --set apply, so
MHE_DATA_DIR may point at a copy of the datasets): the same bytes, changed,
or unreadable.

Every directory is checked, and each gets a line (or an entry of --format
json). Exit status: 4 when a model directory is missing, damaged or
incompatible, else 3 when --data found a data file changed or unreadable,
else 0.`,
		Example: `  mhe verify runs/bibtex-mhc
  mhe verify runs/*/ --format json
  MHE_DATA_DIR=/scratch/data mhe verify --data runs/bibtex-mhc`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Dirs = args
			if runF != nil {
				return runF(o)
			}
			return verifyRun(s, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.Data, "data", false, "also compare the training data files the config names now with those the model was trained on")
	f.StringArrayVar(&o.Sets, "set", nil, "with --data: override a key of the model's config (key=value), e.g. data.dir=/scratch/data")
	f.StringVar(&o.Format, "format", "table", "output: table or json")
	return cmd
}

// verifiedModel is one directory's result (the JSON keys are API).
type verifiedModel struct {
	Model    string               `json:"model"`
	OK       bool                 `json:"ok"`
	ExitCode int                  `json:"exit_code"`
	Error    string               `json:"error,omitempty"`
	Method   string               `json:"method,omitempty"`
	Lengths  []int                `json:"lengths,omitempty"`
	Labels   int                  `json:"labels,omitempty"`
	Features int                  `json:"features,omitempty"`
	Seed     *uint64              `json:"seed,omitempty"`
	Version  string               `json:"mhe_version,omitempty"`
	Files    []train.VerifiedFile `json:"files"`
	Data     []verifiedData       `json:"data,omitempty"`
	DataNote string               `json:"data_note,omitempty"`
}

// verifiedData is one training data file compared by --data.
type verifiedData struct {
	Role     string `json:"role"`
	Key      string `json:"key"`
	Path     string `json:"path"`
	Same     bool   `json:"same"`
	SHA256   string `json:"sha256,omitempty"`
	Recorded string `json:"recorded_sha256"`
	Error    string `json:"error,omitempty"`
}

func verifyRun(s *streams, o *verifyOptions) error {
	format, err := report.ParseFormat(o.Format, report.Table, report.JSON)
	if err != nil {
		return usageError{err}
	}
	if len(o.Sets) > 0 && !o.Data {
		return usageErrorf("--set changes the config that --data reads the data files from; it goes with --data")
	}
	// Models that share a data file (a sweep's seeds) read it once.
	hash := memoHash(modelio.SHA256File)
	results := make([]verifiedModel, 0, len(o.Dirs))
	for _, dir := range o.Dirs {
		results = append(results, verifyOne(dir, o, hash))
	}
	if format == report.JSON {
		err = writeJSON(s.out, struct {
			OK     bool            `json:"ok"`
			Models []verifiedModel `json:"models"`
		}{verifyFailure(results) == nil, results})
	} else {
		err = writeVerified(s, results)
	}
	if err != nil {
		return err
	}
	return verifyFailure(results)
}

// verifyOne checks one model directory (hash gives a data file's sha256);
// its errors go into the result.
func verifyOne(dir string, o *verifyOptions, hash func(string) (string, error)) verifiedModel {
	r := verifiedModel{Model: dir, Files: []train.VerifiedFile{}}
	fail := func(err error) verifiedModel {
		r.Error, r.ExitCode = err.Error(), exitCode(err)
		return r
	}
	man, files, err := train.VerifyModel(dir)
	if err != nil {
		return fail(modelError(err))
	}
	r.Method, r.Lengths, r.Labels, r.Features = man.Head.Method, man.Head.Lengths, man.Labels, man.Features
	r.Seed, r.Version, r.Files = &man.Seed, man.MHEVersion, files
	if o.Data {
		cfg, err := loadConfig(configInput{File: modelio.Open(dir).File(modelio.ConfigFile), Sets: o.Sets})
		if err != nil {
			return fail(err)
		}
		checks := train.CompareData(man, &cfg, hash)
		if len(checks) == 0 {
			r.DataNote = "no data file to compare"
			if cfg.Data.Synth.Labels > 0 {
				r.DataNote = "generated data (data.synth): the config fixes it"
			}
		}
		var bad error
		for _, c := range checks {
			d := verifiedData{Role: c.Role, Key: c.Key, Path: c.Path, Same: c.Same(), SHA256: c.SHA256, Recorded: c.Recorded}
			switch {
			case c.Err != nil:
				d.Error = c.Err.Error()
				bad = firstErr(bad, c.Err)
			case !d.Same:
				bad = firstErr(bad, dataChanged(dir, c))
			}
			r.Data = append(r.Data, d)
		}
		if bad != nil {
			return fail(bad)
		}
	}
	r.OK = true
	return r
}

// firstErr keeps the first of two errors.
func firstErr(first, next error) error {
	if first != nil {
		return first
	}
	return next
}

// dataChanged is the input error of a training file whose bytes differ
// from those the model in dir was trained on.
func dataChanged(dir string, c train.DataCheck) error {
	return data.InputError(fmt.Errorf("%s %s changed after the model in %s was trained on it (its sha256 is now %.12s…, the model recorded %.12s…)",
		c.Key, c.Path, dir, c.SHA256, c.Recorded))
}

// verifyFailure is the error the command ends with: nil when every
// directory passed, else one naming the failed ones and why (a batch
// job's log may keep stderr alone), whose exit code is the worst of theirs
// (a model error before a data error).
func verifyFailure(results []verifiedModel) error {
	var failed []string
	code := ExitOK
	for _, r := range results {
		if r.OK {
			continue
		}
		failed = append(failed, r.Model+": "+r.Error)
		if code == ExitOK || r.ExitCode == ExitModel {
			code = r.ExitCode
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return exitCodeError{code, fmt.Errorf("verify: %d of %d model directories failed: %s", len(failed), len(results), strings.Join(failed, "; "))}
}

// writeVerified prints a line a directory, and a line a data file under it.
func writeVerified(s *streams, results []verifiedModel) error {
	var b strings.Builder
	for _, r := range results {
		if r.Method == "" {
			fmt.Fprintf(&b, "FAILED  %s: %s\n", r.Model, r.Error)
			continue
		}
		status := "ok    "
		if !r.OK {
			status = "FAILED"
		}
		lengths := make([]string, len(r.Lengths))
		for i, l := range r.Lengths {
			lengths[i] = fmt.Sprint(l)
		}
		var files []string
		for _, f := range r.Files {
			files = append(files, fmt.Sprintf("%s (%s bytes)", f.Name, group(f.Bytes)))
		}
		fmt.Fprintf(&b, "%s  %s: %s %s, %s labels, %s features, seed %d; sha256 as recorded: %s\n", status, r.Model,
			r.Method, strings.Join(lengths, " x "), group(int64(r.Labels)), group(int64(r.Features)), *r.Seed, strings.Join(files, ", "))
		if r.DataNote != "" {
			fmt.Fprintf(&b, "        data: %s\n", r.DataNote)
		}
		for _, d := range r.Data {
			what := "the bytes it was trained on"
			switch {
			case d.Error != "":
				what = "cannot be read: " + d.Error
			case !d.Same:
				what = fmt.Sprintf("CHANGED since training (sha256 now %.12s…, recorded %.12s…)", d.SHA256, d.Recorded)
			}
			fmt.Fprintf(&b, "        %s %s: %s\n", d.Key, d.Path, what)
		}
	}
	_, err := s.out.Write([]byte(b.String()))
	return err
}
