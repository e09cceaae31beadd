package data

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// A row's id:value pairs: the forms accepted, the (sorted) pairs they
// give, and the message each mistake gets.
func TestParseFeatureList(t *testing.T) {
	svm := ReadOptions{Format: FormatLibSVM, FeatureBase: 1}
	svm0 := ReadOptions{Format: FormatLibSVM, FeatureBase: 0}
	xc := ReadOptions{Format: FormatXC}
	for _, tc := range []struct {
		name, in string
		opt      ReadOptions
		ids      []int32 // of the first row, when accepted
		vals     []float32
		wantErr  error
		message  string
	}{
		{"sorted", "1 1:0.5 3:2\n", svm, []int32{0, 2}, []float32{0.5, 2}, nil, ""},
		{"unsorted pairs keep their values", "1 3:2 1:0.5 2:1e-3\n", svm, []int32{0, 1, 2}, []float32{0.5, 0.001, 2}, nil, ""},
		{"0-based ids", "1 0:1 4:-2\n", svm0, []int32{0, 4}, []float32{1, -2}, nil, ""},
		{"tabs and trailing spaces", "1\t1:1\t 2:2  \n", svm, []int32{0, 1}, []float32{1, 2}, nil, ""},
		{"qid is skipped", "1 qid:7 2:1\n", svm, []int32{1}, []float32{1}, nil, ""},
		{"an svmlight comment ends the row", "1 2:1 # 3:1\n", svm, []int32{1}, []float32{1}, nil, ""},
		{"values strconv reads", "1 1:+.5 2:5. 3:1E2 4:-0\n", svm, []int32{0, 1, 2, 3}, []float32{0.5, 5, 100, 0}, nil, ""},
		{"XC", "1 3 2\n1 2:0.25 0:1\n", xc, []int32{0, 2}, []float32{1, 0.25}, nil, ""},
		{"a negative id", "1 -2:1\n", svm, nil, nil, ErrRange, "t.txt:1:3: id out of range: negative feature id; ids are 1-based"},
		{"id 0 when 1-based", "1 0:1\n", svm, nil, nil, ErrRange, "t.txt:1:3: id out of range: feature id 0"},
		{"no colon", "1 2 3:1\n", svm, nil, nil, ErrSyntax, "t.txt:1:4: malformed: expected ':' after feature id 2, found"},
		{"XC labels after a space", "1 3 2\n1 2,0:1\n", xc, nil, nil, ErrSyntax, "t.txt:2:4: malformed: expected ':' after feature id 2 (labels must come first, before one space)"},
		{"no id", "1 :1\n", svm, nil, nil, ErrSyntax, "t.txt:1:3: malformed: expected a feature id:value pair, found"},
		{"no value", "1 2: 3:1\n", svm, nil, nil, ErrSyntax, "t.txt:1:5: malformed: missing value after 2:"},
		{"no value at the end", "1 2:\n", svm, nil, nil, ErrSyntax, "t.txt:1:5: malformed: missing value after 2:"},
		{"a word", "1 2:abc\n", svm, nil, nil, ErrSyntax, `t.txt:1:5: malformed: feature 2: not a number: "abc"`},
		{"NaN", "1 2:nan\n", svm, nil, nil, ErrValue, `t.txt:1:5: bad value: feature 2: NaN or Inf is not a valid value: "nan"`},
		{"too large for float32", "1 2:1e39\n", svm, nil, nil, ErrValue, `t.txt:1:5: bad value: feature 2: value overflows float32: "1e39"`},
		{"a repeated id", "1 2:1 2:3\n", svm, nil, nil, ErrDuplicate, "t.txt:1:7: duplicate id: feature id 2 appears twice in this row"},
		{"a repeated id, unsorted", "1 3:1 2:1 3:2\n", svm, nil, nil, ErrDuplicate, "t.txt:1:11: duplicate id: feature id 3 appears twice in this row"},
		{"past the XC header's count", "1 3 2\n1 3:1\n", xc, nil, nil, ErrRange, "t.txt:2:3: id out of range: feature id 3 is out of range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := Read(strings.NewReader(tc.in), "t.txt", tc.opt)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				lo, hi := ds.X.Indptr[0], ds.X.Indptr[1]
				if ids, vals := ds.X.Indices[lo:hi], ds.X.Values[lo:hi]; !slices.Equal(ids, tc.ids) || !slices.Equal(vals, tc.vals) {
					t.Fatalf("pairs %v %v, want %v %v", ids, vals, tc.ids, tc.vals)
				}
				return
			}
			if err == nil || !errors.Is(err, tc.wantErr) || !errors.Is(err, ErrInput) || !strings.HasPrefix(err.Error(), tc.message) {
				t.Fatalf("err %v; want one starting %q", err, tc.message)
			}
		})
	}
}
