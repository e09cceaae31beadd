package eval

import (
	"fmt"
	"io"

	"github.com/mhe-xlc/mhe/internal/data"
)

// Run feeds every prediction row of pr, in order, with the matching row of
// truth to ev (and to pl when it is not nil). The prediction stream must have
// exactly one line per truth row.
func Run(pr *PredReader, truth *data.CSR, ev *Evaluator, pl *PerLabel) error {
	if rows, _, ok := pr.Header(); ok && rows != truth.Rows {
		return &data.ParseError{File: pr.name, Line: 1, Column: 1, Err: fmt.Errorf(
			"%w: header declares %d prediction rows but the truth has %d rows; were the predictions made for this test set (and --rows selection)?",
			data.ErrRowCount, rows, truth.Rows)}
	}
	i := 0
	for {
		labels, scores, err := pr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if i >= truth.Rows {
			return &data.ParseError{File: pr.name, Line: pr.Line(), Err: fmt.Errorf(
				"%w: more prediction rows than the %d truth rows; each truth row needs exactly one prediction line", data.ErrRowCount, truth.Rows)}
		}
		t, _ := truth.Row(i)
		ev.Add(t, labels)
		if pl != nil {
			pl.Add(t, labels, scores)
		}
		i++
	}
	if i != truth.Rows {
		return &data.ParseError{File: pr.name, Line: pr.Line(), Err: fmt.Errorf(
			"%w: %d prediction rows but the truth has %d; each truth row needs exactly one prediction line (empty if there is no prediction)",
			data.ErrRowCount, i, truth.Rows)}
	}
	return nil
}
