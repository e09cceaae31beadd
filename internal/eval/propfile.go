package eval

import (
	"bufio"
	"fmt"
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
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var w []float64
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if line == 1 {
			s = strings.TrimPrefix(s, "\ufeff") // a UTF-8 byte-order mark
		}
		if s == "" {
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
			return nil, &data.ParseError{File: path, Line: line, Column: 1,
				Err: fmt.Errorf("%w: expected a positive inverse propensity, found %q", data.ErrValue, s)}
		}
		w = append(w, v)
	}
	if err := sc.Err(); err != nil {
		return nil, &data.ParseError{File: path, Line: line + 1, Err: fmt.Errorf("%w: %v", data.ErrSyntax, err)}
	}
	if len(w) == 0 {
		return nil, &data.ParseError{File: path, Line: 1, Err: fmt.Errorf("%w: propensity file is empty", data.ErrSyntax)}
	}
	return w, nil
}
