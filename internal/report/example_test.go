package report_test

import (
	"os"

	"github.com/mhe-xlc/mhe/internal/report"
)

func ExampleGrid_Write() {
	g := report.Grid{
		Header:     []string{"dataset", "P@1", "P@5"},
		RightAlign: []bool{false, true, true},
		Rows:       [][]string{{"Bibtex", "62.70", "29.10"}, {"Delicious", "67.82", "58.05"}},
	}
	g.Write(os.Stdout, report.Table)
	g.Write(os.Stdout, report.Markdown)
	// Output:
	// dataset      P@1    P@5
	// Bibtex     62.70  29.10
	// Delicious  67.82  58.05
	// | dataset | P@1 | P@5 |
	// |---|---:|---:|
	// | Bibtex | 62.70 | 29.10 |
	// | Delicious | 67.82 | 58.05 |
}
