package data

import (
	"slices"
	"strings"
	"testing"
)

// What a split file may hold, and the message each kind of damage gets.
func TestParseSplit(t *testing.T) {
	for _, tc := range []struct {
		name, in    string
		column, n   int
		want        []int  // 0-based rows, when accepted
		wantErr     error  // the sentinel, when refused
		wantMessage string // its message
	}{
		{"column 1", "1 2\n3 4\n", 1, 5, []int{0, 2}, nil, ""},
		{"column 2", "1 2\n3 4\n", 2, 5, []int{1, 3}, nil, ""},
		{"tabs, commas and spaces around", " 5\t1 ,\n4,2\n", 1, 5, []int{4, 3}, nil, ""},
		{"Matlab's integral floats", "1.0 2\n1.7000000e+01 4\n3.00 5\n", 1, 20, []int{0, 16, 2}, nil, ""},
		{"CRLF line ends", "2\r\n1\r\n", 1, 2, []int{1, 0}, nil, ""},
		{"blank lines at the end", "2\n1\n\n \n", 1, 2, []int{1, 0}, nil, ""},
		{"the last row", "7\n", 1, 7, []int{6}, nil, ""},
		{"a word", "1\nx\n", 1, 5, nil, ErrSplit, `s.txt:2:1: bad split file: expected a 1-based row number, found "x"`},
		{"a fraction", "1\n2.5\n", 1, 5, nil, ErrSplit, `s.txt:2:1: bad split file: expected a 1-based row number, found "2.5"`},
		{"a negative row", "1\n-3\n", 1, 5, nil, ErrSplit, `s.txt:2:1: bad split file: expected a 1-based row number, found "-3"`},
		{"a negative float", "1\n-3.0\n", 1, 5, nil, ErrSplit, `s.txt:2:1: bad split file: expected a 1-based row number, found "-3.0"`},
		{"a number glued to a word", "1\n2x\n", 1, 5, nil, ErrSplit, `s.txt:2:1: bad split file: expected a 1-based row number, found "2x"`},
		{"row 0", "1\n0\n", 1, 5, nil, ErrRange, "s.txt:2:1: id out of range: row 0 is out of range 1..5 (split rows are 1-based into the data file, header excluded); is this the split file of this dataset?"},
		{"past the data", "1 1\n6 2\n", 1, 5, nil, ErrRange, "s.txt:2:1: id out of range: row 6 is out of range 1..5"},
		{"past the data, column 2", "1 1\n2 6\n", 2, 5, nil, ErrRange, "s.txt:2:3: id out of range: row 6 is out of range 1..5"},
		{"a float past the data", "1\n6.0\n", 1, 5, nil, ErrRange, "s.txt:2:1: id out of range: row 6.0 is out of range 1..5"},
		{"a repeated row", "3\n1\n3\n", 1, 5, nil, ErrDuplicate, "s.txt:3:1: duplicate id: row 3 is listed twice in split column 1"},
		{"a ragged line", "1 2\n3\n", 1, 5, nil, ErrSplit, "s.txt:2:1: bad split file: line has 1 columns but earlier lines have 2; the split file is damaged"},
		{"a column the file lacks", "1 2\n3 4\n", 3, 5, nil, ErrSplit, "s.txt:1:1: bad split file: line has 2 columns but split column 3 was requested"},
		{"a blank line inside", "1\n\n2\n", 1, 5, nil, ErrSplit, "s.txt:2:1: bad split file: empty line inside a split file; every line lists one row per split"},
		{"an empty file", "", 1, 5, nil, ErrSplit, "s.txt:1:1: bad split file: split file is empty"},
		{"column 0", "1\n", 0, 5, nil, ErrSplit, "bad split file: s.txt: split column 0 is invalid; columns are numbered from 1 (papers report split 1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := ParseSplit(strings.NewReader(tc.in), "s.txt", tc.column, tc.n)
			if tc.wantErr == nil {
				if err != nil || !slices.Equal(rows, tc.want) {
					t.Fatalf("rows %v, err %v; want %v", rows, err, tc.want)
				}
				return
			}
			wantInputError(t, err, tc.wantErr, tc.wantMessage)
		})
	}
}
