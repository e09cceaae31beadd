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
}

func newReportCmd(s *streams, runF func([]string, *reportOptions) error) *cobra.Command {
	o := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report RESULT...",
		Short: "Aggregate run records into a paper-style table (mean ± std over seeds)",
		Long: `Read run records — the result.json of mhe train's model directories, or the
files of --result — and print one table row per dataset, head and
configuration: the runs that differ only in train.seed (or threads, or
data.dir) are one row, with the mean ± sample standard deviation of every
metric. A RESULT may be a directory: every result.json (a model directory's)
and *.result.json below it is read, through symbolic links too (a directory
of links to chosen runs works), each directory once.

Columns: dataset, head (method and lengths, plus the config keys that set a
row apart from a sibling with the same head), runs, the metrics in percent
(--metrics, default P@1/3/5, nDCG@1/3/5, PSP@1/3/5), training seconds,
prediction milliseconds per row, peak RSS, classifier parameters. Rows are
sorted by dataset, then by classifier parameters, largest first; --sort p@1
orders each dataset's rows by mean P@1 instead, best first.

Formats: table, markdown, latex (booktabs), csv (mean and _std columns, plain
numbers) and json (every statistic, seeds and source files per row).

--split validation reports, instead of the test metrics, the validation
metrics of the weights each model kept (the best epoch with early stopping,
the weight average with train.average swa, else the last epoch), in columns titled "val P@1": train a sweep with
train.validation_fraction, pick its best row here, and only then look at
that row's test metrics. Runs without validation metrics are refused.

--plots DIR draws, per dataset, DIR/<dataset>-curves-loss.{png,svg} (and
-p1 when the runs validated each epoch) with one line per run, and
DIR/<dataset>-cost.{png,svg}: mean P@1 against classifier parameters, one
point per row.`,
		Example: `  mhe report runs/ --format markdown
  mhe report runs/ --split validation --metrics p@1,p@3 --sort p@1   # choose settings on validation rows, best first
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
	f.StringVar(&o.Plots, "plots", "", "also draw figures into this directory (PNG and SVG): per dataset, the training curves of every run and P@1 against classifier parameters")
	return cmd
}

// resultFiles expands directories into the result.json files below them,
// each file once.
func resultFiles(args []string) ([]string, error) {
	var files []string
	seen := map[string]bool{} // directories walked, by real path
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, data.InputError(fmt.Errorf("%s: %w", a, err))
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		if files, err = walkResults(a, files, seen); err != nil {
			return nil, err
		}
	}
	if len(files) == 0 {
		return nil, usageErrorf("no result files in %s (mhe train writes DIR/result.json; --result names end in .result.json to be found in a directory)", strings.Join(args, " "))
	}
	// One file reached twice (named and inside a directory, or through
	// two links) is one run.
	kept, once := files[:0], map[string]bool{}
	for _, f := range files {
		r, err := filepath.EvalSymlinks(f)
		if err != nil {
			return nil, data.InputError(fmt.Errorf("%s: %w", f, err))
		}
		if !once[r] {
			once[r] = true
			kept = append(kept, f)
		}
	}
	return kept, nil
}

// walkResults appends the result files below dir, following symbolic links
// to directories (a hand-picked set of runs is often a directory of links);
// seen holds the real paths walked, so a link cycle ends.
func walkResults(dir string, files []string, seen map[string]bool) ([]string, error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, data.InputError(fmt.Errorf("%s: %w", dir, err))
	}
	if seen[real] {
		return files, nil
	}
	seen[real] = true
	// WalkDir does not enter a root that is itself a link: walk the real
	// directory and name what it finds by the path given.
	err = filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if rel, err := filepath.Rel(real, p); err == nil {
			p = filepath.Join(dir, rel)
		}
		if d.Type()&fs.ModeSymlink != 0 {
			st, err := os.Stat(p)
			switch {
			case err != nil:
				return data.InputError(fmt.Errorf("%s: %w", p, err))
			case st.IsDir():
				files, err = walkResults(p, files, seen)
				return err
			case isResultFile(d.Name()):
				files = append(files, p)
			}
			return nil
		}
		if p != filepath.Clean(dir) && d.IsDir() {
			r, err := filepath.EvalSymlinks(p)
			if err != nil {
				return data.InputError(fmt.Errorf("%s: %w", p, err))
			}
			if seen[r] { // reached through a link already
				return fs.SkipDir
			}
			seen[r] = true
		}
		if !d.IsDir() && isResultFile(d.Name()) {
			files = append(files, p)
		}
		return nil
	})
	return files, err
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
	recs, err := aggregate.Load(files)
	if err != nil {
		return data.InputError(err)
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
	rows, err := aggregate.Rows(recs, files)
	if err != nil {
		return err
	}
	for i := range rows {
		rows[i].Split = o.Split
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
		var pts []plots.Point
		for _, row := range rows {
			if st, ok := row.Metrics["p@1"]; ok && row.Dataset == name && st.N > 0 {
				pts = append(pts, plots.Point{Label: row.Label(), Cost: float64(row.Params), Score: 100 * st.Mean})
			}
		}
		if _, err := plots.CostAccuracy(pts, name, "classifier parameters", "P@1 (%)", true, base+"-cost"); err != nil && !errors.Is(err, plots.ErrNoData) {
			return err
		}
	}
	return nil
}
