package eval

import (
	"fmt"
	"io"
	"strings"

	"github.com/mhe-xlc/mhe/internal/report"
)

// ByName maps the result's metrics by name ("p@1" → fraction), as run
// records and epoch histories hold them.
func (r Result) ByName() map[string]float64 {
	out := make(map[string]float64, len(r.Metrics))
	for _, m := range r.Metrics {
		out[m.Name] = m.Value
	}
	return out
}

// JSON returns the result as an ordered JSON object:
// {"n_rows":…, "n_empty_rows":…, "empty_row_policy":…, "k":[…], "metrics":{"p@1":…, …}}
// with metrics as fractions.
func (r Result) JSON() *report.Object {
	m := &report.Object{}
	for _, x := range r.Metrics {
		m.Set(x.Name, x.Value)
	}
	o := &report.Object{}
	o.Set("n_rows", r.Rows).Set("n_empty_rows", r.EmptyRows).Set("empty_row_policy", string(r.EmptyPolicy))
	o.Set("k", r.K).Set("metrics", m)
	return o
}

// Grid lays the result out as one row per metric family and one column per
// k, in percent with 2 decimals.
func (r Result) Grid() *report.Grid {
	g := &report.Grid{Header: []string{"metric"}, RightAlign: []bool{false}}
	for _, k := range r.K {
		g.Header = append(g.Header, fmt.Sprintf("@%d", k))
		g.RightAlign = append(g.RightAlign, true)
	}
	for _, fam := range Families {
		row := []string{fam.Title}
		found := false
		for _, k := range r.K {
			v, ok := r.Get(fmt.Sprintf("%s@%d", fam.Key, k))
			if ok {
				found = true
			}
			row = append(row, report.Percent(v))
		}
		if found {
			g.Rows = append(g.Rows, row)
		}
	}
	return g
}

// Summary is the line printed with every table: the row count and the
// empty-row policy with its count.
func (r Result) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rows: %d evaluated; %d without true labels: %s", r.Rows, r.EmptyRows, r.EmptyPolicy.Describe())
	return b.String()
}

func writeJSON(w io.Writer, r Result) error { return report.WriteJSON(w, r.JSON()) }
