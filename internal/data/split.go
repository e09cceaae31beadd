package data

import (
	"fmt"
	"io"
	"slices"
)

// ReadSplit reads column (1-based) of an XC split file and returns the
// 0-based row numbers it lists. The file holds one line per example of the
// split and one column per random split; its values are 1-based row numbers
// into a data file of numRows rows (header excluded).
func ReadSplit(path string, column, numRows int) ([]int, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseSplit(f, displayName(path), column, numRows)
}

// ParseSplit is ReadSplit on a stream.
func ParseSplit(r io.Reader, name string, column, numRows int) ([]int, error) {
	if column < 1 {
		return nil, inputErr(fmt.Errorf("%w: %s: split column %d is invalid; columns are numbered from 1 (papers report split 1)", ErrSplit, name, column))
	}
	lr := newLineReader(r, name, 0)
	var rows []int
	// seen is a bit per row up to the largest listed so far: sized by the
	// split file, not by numRows, which a wrong data header can make 2^31.
	var seen []uint64
	columns := -1
	blankAt := 0
	for {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if isBlank(line) {
			if blankAt == 0 {
				blankAt = lr.line
			}
			continue
		}
		if blankAt != 0 {
			return nil, parseErr(name, blankAt, 1, ErrSplit, "empty line inside a split file; every line lists one row per split")
		}
		n := 0
		var val uint64
		var valCol int
		var valText []byte // as written, for the message
		i := 0
		for i < len(line) {
			for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == ',') {
				i++
			}
			if i == len(line) {
				break
			}
			start := i
			v, j, ok := scanUint(line, i, 1<<40)
			// Matlab writes integers as "17.0" or "1.7000000e+01" at times;
			// accept an integral float.
			if j == i || (j < len(line) && line[j] != ' ' && line[j] != '\t' && line[j] != ',') {
				k := j
				for k < len(line) && line[k] != ' ' && line[k] != '\t' && line[k] != ',' {
					k++
				}
				f, ferr := parseFloat32(line[i:k])
				if ferr != nil || f != float32(int64(f)) || f < 0 {
					return nil, parseErr(name, lr.line, start+1, ErrSplit, "expected a 1-based row number, found %s", describeAt(line, start))
				}
				v, j, ok = uint64(f), k, true
			}
			n++
			if n == column {
				val, valCol, valText = v, start+1, line[start:j]
				if !ok {
					val = 1 << 40
				}
			}
			i = j
		}
		if n < column {
			return nil, parseErr(name, lr.line, 0, ErrSplit, "line has %d columns but split column %d was requested", n, column)
		}
		if columns >= 0 && n != columns {
			return nil, parseErr(name, lr.line, 0, ErrSplit, "line has %d columns but earlier lines have %d; the split file is damaged", n, columns)
		}
		columns = n
		if val < 1 || val > uint64(numRows) {
			return nil, parseErr(name, lr.line, valCol, ErrRange,
				"row %s is out of range 1..%d (split rows are 1-based into the data file, header excluded); is this the split file of this dataset?", clip(valText), numRows)
		}
		row := int(val - 1)
		w, bit := row>>6, uint64(1)<<(row&63)
		if w >= len(seen) {
			n := len(seen)
			seen = slices.Grow(seen, w+1-n)[:w+1]
			clear(seen[n:])
		}
		if seen[w]&bit != 0 {
			return nil, parseErr(name, lr.line, valCol, ErrDuplicate, "row %d is listed twice in split column %d", val, column)
		}
		seen[w] |= bit
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, parseErr(name, 1, 0, ErrSplit, "split file is empty")
	}
	return rows, nil
}

// HoldoutRows splits rows 0..n-1 by position into every folds and holds
// out fold (1..every; 0 means every): row i is a test row iff
// i % every == fold-1. every 0 holds out nothing. Every 5, fold 0 is the
// 80/20 split that TARGETS.md uses for datasets shipped without a split.
func HoldoutRows(n, every, fold int) (train, test []int) {
	for i := 0; i < n; i++ {
		if IsHoldoutRow(i, every, fold) {
			test = append(test, i)
		} else {
			train = append(train, i)
		}
	}
	return train, test
}

// IsHoldoutRow reports whether row i is a test row of HoldoutRows's rule.
func IsHoldoutRow(i, every, fold int) bool {
	return every > 0 && i%every == HoldoutFold(every, fold)-1
}

// HoldoutFold is the fold (1..every) the rule holds out: fold, or the last
// one when fold is 0.
func HoldoutFold(every, fold int) int {
	if fold == 0 {
		return every
	}
	return fold
}
