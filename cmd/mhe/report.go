package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mhe-xlc/mhe/internal/aggregate"
	"github.com/mhe-xlc/mhe/internal/atomicfile"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/report"
)

type reportOptions struct {
	Format  string
	Metrics []string
	Out     string
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
and *.result.json below it is read.

Columns: dataset, head (method and lengths, plus the config keys that set a
row apart from a sibling with the same head), runs, the metrics in percent
(--metrics, default P@1/3/5, nDCG@1/3/5, PSP@1/3/5), training seconds,
prediction milliseconds per row, peak RSS, classifier parameters. Rows are
sorted by dataset, then by classifier parameters, largest first.

Formats: table, markdown, latex (booktabs), csv (mean and _std columns, plain
numbers) and json (every statistic, seeds and source files per row).`,
		Example: `  mhe report runs/ --format markdown
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
	return cmd
}

// resultFiles expands directories into the result.json files below them.
func resultFiles(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, data.InputError(fmt.Errorf("%s: %w", a, err))
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (d.Name() == "result.json" || strings.HasSuffix(d.Name(), ".result.json")) {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if len(files) == 0 {
		return nil, usageErrorf("no result files in %s (mhe train writes DIR/result.json; --result names end in .result.json to be found in a directory)", strings.Join(args, " "))
	}
	return files, nil
}

func reportRun(s *streams, args []string, o *reportOptions) error {
	format, err := report.ParseFormat(o.Format, report.Table, report.Markdown, report.LaTeX, report.CSV, report.JSON)
	if err != nil {
		return usageError{err}
	}
	metrics := aggregate.DefaultMetrics
	if len(o.Metrics) > 0 {
		metrics = nil
		for _, m := range o.Metrics {
			m = strings.ToLower(strings.TrimSpace(m))
			name, k, ok := strings.Cut(m, "@")
			if !ok || k == "" || !slices.Contains([]string{"p", "ndcg", "psp", "psndcg", "r", "acc"}, name) {
				return usageErrorf("--metrics %q: want names like p@1, ndcg@3, psp@5, psndcg@1, r@5, acc@1", m)
			}
			metrics = append(metrics, m)
		}
	}
	files, err := resultFiles(args)
	if err != nil {
		return err
	}
	recs, err := aggregate.Load(files)
	if err != nil {
		return data.InputError(err)
	}
	rows, err := aggregate.Rows(recs, files)
	if err != nil {
		return err
	}
	write := func(w io.Writer) error {
		if format == report.JSON {
			return report.WriteJSON(w, rows)
		}
		return aggregate.Table(rows, metrics, format == report.CSV).Write(w, format)
	}
	if o.Out == "-" {
		return write(s.out)
	}
	return atomicfile.WriteFile(o.Out, 0o644, write)
}
