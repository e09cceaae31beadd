package aggregate

import (
	"fmt"
	"strconv"

	"github.com/mhe-xlc/mhe/internal/eval"
	"github.com/mhe-xlc/mhe/internal/report"
)

// DefaultMetrics are the metric columns of a table, as papers print them.
var DefaultMetrics = []string{"p@1", "p@3", "p@5", "ndcg@1", "ndcg@3", "ndcg@5", "psp@1", "psp@3", "psp@5"}

// Table lays rows out as a grid: dataset, head, runs, the metrics (percent,
// mean ± std over seeds), training seconds, prediction milliseconds per
// row, classifier parameters and peak RSS. With split true (CSV) every
// statistic gets a mean column and a _std column and numbers are plain.
// Metric columns are titled "val P@1" ("val_p@1" in CSV) when validation
// is true: the rows hold validation metrics (ValidationMetrics).
func Table(rows []Row, metrics []string, split, validation bool) *report.Grid {
	g := &report.Grid{Header: []string{"dataset", "head", "runs"}}
	right := []bool{false, false, true}
	addCol := func(name string) {
		g.Header = append(g.Header, name)
		right = append(right, true)
		if split {
			g.Header = append(g.Header, name+"_std")
			right = append(right, true)
		}
	}
	for _, m := range metrics {
		switch {
		case split && validation:
			addCol("val_" + m)
		case split:
			addCol(m)
		case validation:
			addCol("val " + eval.Title(m))
		default:
			addCol(eval.Title(m))
		}
	}
	// The paired difference from each dataset's top row (PairWithTop).
	var paired string
	for _, r := range rows {
		if r.Paired != nil {
			paired = r.Paired.Metric
			break
		}
	}
	if paired != "" {
		title := "Δ " + eval.Title(paired) + " vs top (95% CI)"
		if validation {
			title = "Δ val " + eval.Title(paired) + " vs top (95% CI)"
		}
		if split {
			title = "delta_" + paired
			if validation {
				title = "delta_val_" + paired
			}
			g.Header = append(g.Header, title, title+"_low", title+"_high", title+"_n")
			right = append(right, true, true, true, true)
		} else {
			g.Header = append(g.Header, title)
			right = append(right, true)
		}
	}
	cost := []string{"train s", "predict ms/row", "peak RSS MiB", "classifier params"}
	if split { // machine-readable names
		cost = []string{"train_seconds", "ms_per_predict_row", "peak_rss_mib", "classifier_params"}
	}
	for _, c := range cost[:3] {
		addCol(c)
	}
	g.Header = append(g.Header, cost[3])
	right = append(right, true)
	g.RightAlign = right
	cell := func(s Stat, scale float64, prec int) []string {
		if s.N == 0 {
			if split {
				return []string{"", ""}
			}
			return []string{"-"}
		}
		mean := strconv.FormatFloat(s.Mean*scale, 'f', prec, 64)
		std := strconv.FormatFloat(s.Std*scale, 'f', prec, 64)
		if split {
			return []string{mean, std}
		}
		if s.N > 1 {
			return []string{mean + " ± " + std}
		}
		return []string{mean}
	}
	for _, r := range rows {
		line := []string{r.Dataset, r.Label(), strconv.Itoa(len(r.Seeds))}
		for _, m := range metrics {
			line = append(line, cell(r.Metrics[m], 100, 2)...)
		}
		if paired != "" {
			line = append(line, pairedCell(r.Paired, split)...)
		}
		line = append(line, cell(r.TrainSeconds, 1, 1)...)
		line = append(line, cell(r.MsPerPredict, 1, 4)...)
		line = append(line, cell(r.PeakRSSMiB, 1, 0)...)
		line = append(line, fmt.Sprint(r.Params))
		g.Rows = append(g.Rows, line)
	}
	return g
}

// pairedCell shows a paired difference in percent: "-0.19 [-0.90, 0.52]"
// (n = 1: the difference alone), "" for a row without one (the top row).
func pairedCell(p *Paired, split bool) []string {
	f := func(v float64) string { return strconv.FormatFloat(100*v, 'f', 2, 64) }
	switch {
	case p == nil && split:
		return []string{"", "", "", ""}
	case p == nil:
		return []string{"-"}
	case split:
		return []string{f(p.Mean), f(p.Low), f(p.High), strconv.Itoa(p.N)}
	case p.N < 2:
		return []string{f(p.Mean) + " (1 seed)"}
	}
	return []string{fmt.Sprintf("%s [%s, %s]", f(p.Mean), f(p.Low), f(p.High))}
}
