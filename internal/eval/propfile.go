package eval

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/mhe-xlc/mhe/internal/data"
)

// ReadInvPropensity reads a file of inverse propensities, one value per
// label id, one per line (the inv_prop files of the XC tools).
func ReadInvPropensity(path string) ([]float64, error) {
	f, err := data.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The data readers' line reader: CRLF, a byte-order mark and an
	// over-long line are handled as in every other input.
	lr := data.NewLineReader(f, path)
	var w []float64
	for {
		line, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		s := strings.TrimSpace(string(line))
		if s == "" {
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
			return nil, &data.ParseError{File: path, Line: lr.Line(), Column: 1,
				Err: fmt.Errorf("%w: expected a positive inverse propensity, found %q", data.ErrValue, s)}
		}
		w = append(w, v)
	}
	if len(w) == 0 {
		return nil, &data.ParseError{File: path, Line: 1, Err: fmt.Errorf("%w: propensity file is empty", data.ErrSyntax)}
	}
	return w, nil
}
