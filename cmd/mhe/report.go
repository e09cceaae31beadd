package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mhe-xlc/mhe/internal/aggregate"
	"github.com/mhe-xlc/mhe/internal/atomicfile"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/eval"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/plots"
	"github.com/mhe-xlc/mhe/internal/record"
	"github.com/mhe-xlc/mhe/internal/report"
)

type reportOptions struct {
	Format  string
	Metrics []string
	Out     string
	Plots   string
	Split   string // test or validation
	Sort    string // a metric: rows best first within each dataset
	Paired  bool   // with Sort: each row's paired difference from the top row
	// ByMachine keeps the runs of each kind of machine in rows of their own.
	ByMachine bool
}

func newReportCmd(s *streams, runF func([]string, *reportOptions) error) *cobra.Command {
	o := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report RESULT...",
		Short: "Aggregate run records into a paper-style table (mean ± std over seeds)",
		Long: `Read run records — the result.json of mhe train's model directories, or the
files of --result — and print one table row per dataset, head and
configuration: the runs that differ only in train.seed (or threads, or
data.dir, or the rows they hold out: data.split_column of XC split files,
data.holdout_fold of a holdout_every rule) are one row, with the mean ±
sample standard deviation of every metric. A RESULT may be a directory:
every result.json (a model directory's) and *.result.json below it is read,
through symbolic links too (a directory of links to chosen runs works), each
directory once.

Columns: dataset, head (method and lengths, plus the config keys where the
row leaves the value most rows with the same head share, or, where no value
is most common, its value of every key that differs; head keys the method
does not read, such as head.beam or head.bottleneck_dim of a vanilla run, are
not named), runs, the metrics in percent
(--metrics, default P@1/3/5, nDCG@1/3/5, PSP@1/3/5), training seconds,
prediction milliseconds per row, peak RSS, classifier parameters. Rows are
sorted by dataset, then by classifier parameters, largest first; --sort p@1
orders each dataset's rows by mean P@1 instead, best first, and --paired adds
each row's paired difference from the top row: the mean over the seeds (and
split columns, holdout folds) both ran of (row − top) with a 95% t interval.
Runs with the same seed and fold share their test or validation rows and
their initialisation, so this resolves differences that the rows' own ±
(mostly the split's noise) hides.

Formats: table, markdown, latex (booktabs), csv (mean and _std columns, plain
numbers) and json (every statistic, seeds and source files per row, and
each run's split column or holdout fold where a row pools them).

--split validation reports, instead of the test metrics, the validation
metrics of the weights each model kept (the best epoch with early stopping,
the weight average with train.average swa, else the last epoch), in columns titled "val P@1": train a sweep with
train.validation_fraction, pick its best row here, and only then look at
that row's test metrics. Runs without validation metrics are refused.

A row whose runs were timed on different kinds of machine (another CPU or
platform, or other vector kernels: machine in each run record) gets a
warning, since its times mix them; --by-machine keeps each kind in rows of
its own, named in the row's label. Metrics do not depend on the machine.

--plots DIR draws, per dataset, DIR/<dataset>-curves-loss.{png,svg} (and
-p1 when the runs validated each epoch) with one line per run, and
DIR/<dataset>-cost.{png,svg}: mean P@1 against classifier parameters, one
point per row.`,
		Example: `  mhe report runs/ --format markdown
  mhe report runs/ --split validation --metrics p@1,p@3 --sort p@1 --paired   # choose settings on validation rows, best first
  mhe report runs/*/result.json --format latex --metrics p@1,p@3,p@5 --out table.tex
  mhe report results/ --format csv > table.csv`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(args, o)
			}
			return reportRun(s, args, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Format, "format", "table", "table, markdown, latex, csv or json")
	f.StringSliceVar(&o.Metrics, "metrics", nil, "metric columns, e.g. p@1,p@3,ndcg@5,psp@1 (default P, nDCG, PSP at 1, 3, 5)")
	f.StringVar(&o.Out, "out", "-", "output file, - for stdout")
	f.StringVar(&o.Split, "split", "test", "metrics of the test rows, or of the validation rows (the epoch whose weights the model kept) for choosing settings without looking at the test rows")
	f.StringVar(&o.Sort, "sort", "", "order each dataset's rows by this metric's mean, best first (e.g. p@1; with --split validation, the sweep's best settings on top)")
	f.BoolVar(&o.Paired, "paired", false, "with --sort: add each row's paired difference from its dataset's top row on that metric (mean over the seeds, split columns and holdout folds both ran, 95% t interval)")
	f.BoolVar(&o.ByMachine, "by-machine", false, "keep the runs of each kind of machine (CPU, vector kernels, platform: machine in the run record) in rows of their own, named in the row's label, to compare times across node types")
	f.StringVar(&o.Plots, "plots", "", "also draw figures into this directory (PNG and SVG): per dataset, the training curves of every run and P@1 against classifier parameters")
	return cmd
}

// resultFiles expands directories into the result.json files below them,
// each file once.
func resultFiles(args []string) ([]string, error) {
	w := &resultWalker{dirs: map[string]bool{}, files: map[string]bool{}}
	for _, a := range args {
		st, err := os.Stat(a)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, data.InputError(fmt.Errorf("%s: no such file or directory; give run directories (mhe train --out) or result.json files", a))
		}
		if err != nil {
			return nil, data.InputError(err)
		}
		if !st.IsDir() {
			if err := w.addLinked(a); err != nil {
				return nil, err
			}
			continue
		}
		if err := w.walk(a); err != nil {
			return nil, err
		}
	}
	if len(w.found) == 0 {
		return nil, usageErrorf("no result files in %s (mhe train writes DIR/result.json; --result names end in .result.json to be found in a directory)", strings.Join(args, " "))
	}
	return w.found, nil
}

// resultWalker collects result files below directories, following symbolic
// links to directories (a hand-picked set of runs is often a directory of
// links). It keeps the real paths of the directories walked and of the files
// found, so a link cycle ends and a directory or file reached twice (named
// and inside a directory, or through two links) counts once.
type resultWalker struct {
	dirs, files map[string]bool // real paths
	found       []string        // as reached
}

func (w *resultWalker) add(p, real string) {
	if !w.files[real] {
		w.files[real] = true
		w.found = append(w.found, p)
	}
}

// realPath is p's absolute path without links.
func realPath(p string) (string, error) {
	r, err := filepath.EvalSymlinks(p)
	if err == nil {
		r, err = filepath.Abs(r)
	}
	if err != nil {
		return "", data.InputError(fmt.Errorf("%s: %w", p, err))
	}
	return r, nil
}

// addLinked adds a file whose path may hold links.
func (w *resultWalker) addLinked(p string) error {
	real, err := realPath(p)
	if err != nil {
		return err
	}
	w.add(p, real)
	return nil
}

func (w *resultWalker) walk(dir string) error {
	real, err := realPath(dir)
	if err != nil {
		return err
	}
	if w.dirs[real] {
		return nil
	}
	w.dirs[real] = true
	// WalkDir does not enter a root that is itself a link: walk the real
	// directory and name what it finds by the path given. It enters no
	// link either, so every entry it reaches has its real path as its
	// path (rp): no resolving except at links.
	return filepath.WalkDir(real, func(rp string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		p := rp
		if rel, err := filepath.Rel(real, rp); err == nil {
			p = filepath.Join(dir, rel)
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			st, err := os.Stat(p)
			switch {
			case err != nil:
				return data.InputError(fmt.Errorf("%s: %w", p, err))
			case st.IsDir():
				return w.walk(p)
			case isResultFile(d.Name()):
				return w.addLinked(p)
			}
		case d.IsDir() && rp != real:
			if w.dirs[rp] { // reached through a link already
				return fs.SkipDir
			}
			w.dirs[rp] = true
		case !d.IsDir() && isResultFile(d.Name()):
			w.add(p, rp)
		}
		return nil
	})
}

// isResultFile tells a run record (mhe train's result.json, mhe eval
// --result's *.result.json) by its name.
func isResultFile(name string) bool {
	return name == "result.json" || strings.HasSuffix(name, ".result.json")
}

func reportRun(s *streams, args []string, o *reportOptions) error {
	format, err := report.ParseFormat(o.Format, report.Table, report.Markdown, report.LaTeX, report.CSV, report.JSON)
	if err != nil {
		return usageError{err}
	}
	if o.Split != "test" && o.Split != "validation" {
		return usageErrorf("--split %q: want test or validation", o.Split)
	}
	metrics := aggregate.DefaultMetrics
	if len(o.Metrics) > 0 {
		metrics = nil
		for _, m := range o.Metrics {
			fam, k, ok := eval.ParseName(m)
			if !ok {
				return usageErrorf("--metrics %q: want names like p@1, ndcg@3, psp@5, psndcg@1, r@5, acc@1", m)
			}
			metrics = append(metrics, fmt.Sprintf("%s@%d", fam, k))
		}
	}
	if o.Paired && o.Sort == "" {
		return usageErrorf("--paired compares every row with the top row of --sort: give --sort METRIC too (e.g. --sort p@1)")
	}
	sortBy := ""
	if o.Sort != "" {
		fam, k, ok := eval.ParseName(o.Sort)
		if !ok {
			return usageErrorf("--sort %q: want a metric name like p@1, ndcg@3, psp@5, psndcg@1, r@5, acc@1", o.Sort)
		}
		sortBy = fmt.Sprintf("%s@%d", fam, k)
	}
	files, err := resultFiles(args)
	if err != nil {
		return err
	}
	if o.Out != "" {
		// --out must not replace a run record, or another file of the
		// model directories they sit in.
		var inputs []fileRef
		for _, f := range files {
			inputs = append(inputs, fileRef{"run record", f})
			if man, err := modelio.Open(filepath.Dir(f)).ReadManifest(); err == nil {
				inputs = append(inputs, modelDirFiles(filepath.Dir(f), man)...)
			}
		}
		if err := checkOutputs([]fileRef{{"--out", o.Out}}, inputs); err != nil {
			return err
		}
	}
	recs, err := aggregate.Load(files)
	if err != nil {
		return data.InputError(err)
	}
	if o.Split == "test" {
		for i, r := range recs {
			if r.Metrics == nil {
				return usageErrorf("%s: the run scored no test rows (no test split, or eval.score_test: false); report its validation rows with --split validation, or score its test rows with: mhe eval --model %s --result FILE, and report FILE", files[i], r.ModelDir)
			}
		}
	}
	if o.Split == "validation" {
		for i, r := range recs {
			v, _, err := aggregate.ValidationMetrics(r)
			if err != nil {
				return usageErrorf("--split validation: %s: %v", files[i], err)
			}
			r.Metrics = v
		}
	}
	rows, err := aggregate.Rows(recs, files, o.ByMachine)
	if err != nil {
		return err
	}
	for i := range rows {
		rows[i].Split = o.Split
		if m := rows[i].MixedData; len(m) > 0 {
			fmt.Fprintf(s.errOut, "warning: the row %s %s pools runs trained on different contents of %s (their sha256 differ): its figures mix data versions; rerun the older runs, or report the versions apart\n",
				rows[i].Dataset, rows[i].Label(), strings.Join(m, ", "))
		}
		if w := rows[i].WarnedRuns; len(w) > 0 {
			fmt.Fprintf(s.errOut, "warning: the row %s %s has %d of %d runs that warned as they ran (their records keep the warnings): %s\n",
				rows[i].Dataset, rows[i].Label(), len(w), len(rows[i].Seeds), strings.Join(w, "; "))
		}
		if m := rows[i].MixedMachines; len(m) > 0 {
			fmt.Fprintf(s.errOut, "warning: the row %s %s pools runs timed on different machines (%s): its times and peak RSS mix them, its metrics do not (every machine computes the same bits); --by-machine reports each kind of machine in rows of its own\n",
				rows[i].Dataset, rows[i].Label(), strings.Join(m, "; "))
		}
	}
	if len(o.Metrics) > 0 {
		if err := metricsPresent("--metrics", metrics, rows); err != nil {
			return err
		}
	}
	if sortBy != "" {
		if err := metricsPresent("--sort", []string{sortBy}, rows); err != nil {
			return err
		}
		aggregate.SortBy(rows, sortBy)
		if o.Paired {
			aggregate.PairWithTop(rows, sortBy)
		}
	}
	if o.Plots != "" {
		if err := drawReportPlots(o.Plots, recs, rows); err != nil {
			return err
		}
	}
	write := func(w io.Writer) error {
		if format == report.JSON {
			return report.WriteJSON(w, rows)
		}
		return aggregate.Table(rows, metrics, format == report.CSV, o.Split == "validation").Write(w, format)
	}
	if o.Out == "-" {
		return write(s.out)
	}
	return atomicfile.WriteFile(o.Out, 0o644, write)
}

// metricsPresent refuses a requested metric that no run reports (p@7 from
// runs evaluated at k = 1, 3, 5), which would otherwise be a column of
// dashes, and names the metrics the runs do have.
func metricsPresent(flag string, metrics []string, rows []aggregate.Row) error {
	have := map[string]bool{}
	for _, r := range rows {
		for m := range r.Metrics {
			have[m] = true
		}
	}
	for _, m := range metrics {
		if !have[m] {
			names := slices.Sorted(maps.Keys(have))
			return usageErrorf("%s %s: no run reports it; the runs have %s", flag, m, strings.Join(names, ", "))
		}
	}
	return nil
}

// costPoints are the points of dataset's cost/accuracy figure: each of its
// rows with a mean P@1, in percent, against the classifier's parameters.
func costPoints(rows []aggregate.Row, dataset string) []plots.Point {
	var pts []plots.Point
	for _, row := range rows {
		if st, ok := row.Metrics["p@1"]; ok && row.Dataset == dataset && st.N > 0 {
			pts = append(pts, plots.Point{Label: row.Label(), Cost: float64(row.Params), Score: 100 * st.Mean})
		}
	}
	return pts
}

// drawReportPlots writes the curves and cost/accuracy figures per dataset.
func drawReportPlots(dir string, recs []*record.Record, rows []aggregate.Row) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	byData := map[string][]plots.Curve{}
	var names []string
	for _, r := range recs {
		if _, ok := byData[r.Name]; !ok {
			names = append(names, r.Name)
		}
		label := fmt.Sprintf("%s %v seed %d", r.Plan.Method, r.Plan.Lengths, r.Seed)
		byData[r.Name] = append(byData[r.Name], curveOf(label, r.History))
	}
	for _, name := range names {
		base := filepath.Join(dir, plots.FileName(name))
		if _, err := plots.Curves(byData[name], []string{"loss", "p@1"}, base+"-curves"); err != nil && !errors.Is(err, plots.ErrNoData) {
			return err
		}
		if _, err := plots.CostAccuracy(costPoints(rows, name), name, "classifier parameters", "P@1 (%)", true, base+"-cost"); err != nil && !errors.Is(err, plots.ErrNoData) {
			return err
		}
	}
	return nil
}
