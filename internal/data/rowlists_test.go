package data

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// A row's label list: the forms each format accepts, the ids they give
// (sorted, base removed), and the message each mistake gets.
func TestParseLabelList(t *testing.T) {
	svm := ReadOptions{Format: FormatLibSVM, FeatureBase: 1}
	svm1 := ReadOptions{Format: FormatLibSVM, LabelBase: 1, FeatureBase: 1}
	xc := ReadOptions{Format: FormatXC}
	for _, tc := range []struct {
		name, in string
		opt      ReadOptions
		want     []int32 // labels of the first row, when accepted
		wantErr  error
		message  string
	}{
		{"one label", "2 1:1\n", svm, []int32{2}, nil, ""},
		{"a class written 2.0", "2.0 1:1\n", svm, []int32{2}, nil, ""},
		{"2. and 2.00 in a list", "2.,3.00 1:1\n", svm, []int32{2, 3}, nil, ""},
		{"a leading +", "+1 1:1\n", svm, []int32{1}, nil, ""},
		{"unsorted", "3,1,2 1:1\n", svm, []int32{1, 2, 3}, nil, ""},
		{"1-based ids", "1,3 1:1\n", svm1, []int32{0, 2}, nil, ""},
		{"XC, unsorted", "1 4 5\n4,0 2:1\n", xc, []int32{0, 4}, nil, ""},
		{"a fraction", "2.5 1:1\n", svm, nil, ErrSyntax, `t.txt:1:2: malformed: label ids must be integers, found "2.5"`},
		{"a float with a tail", "2.0x 1:1\n", svm, nil, ErrSyntax, `t.txt:1:2: malformed: label ids must be integers, found "2.0x"`},
		{"XC takes no floats", "1 4 5\n2.0 0:1\n", xc, nil, ErrSyntax, `t.txt:2:2: malformed: expected ',' or a space after a label id, found ".0"`},
		{"a negative class", "-1 1:1\n", svm, nil, ErrRange, "t.txt:1:1: id out of range: negative label id; ids are 0-based (a binary LIBSVM file's -1/+1 classes are not label ids: rewrite -1 as 0"},
		{"a negative class, 1-based ids", "-1 1:1\n", svm1, nil, ErrRange, "t.txt:1:1: id out of range: negative label id; ids are 1-based (a binary LIBSVM file's -1/+1 classes are not label ids: rewrite -1 as 2, e.g. sed 's/^-1 /2 /')"},
		{"a negative id later", "1,-2 1:1\n", svm, nil, ErrRange, "t.txt:1:3: id out of range: negative label id; ids are 0-based"},
		{"a negative XC id", "1 4 5\n-1 0:1\n", xc, nil, ErrRange, "t.txt:2:1: id out of range: negative label id; ids are 0-based"},
		{"0 with 1-based ids", "0 1:1\n", svm1, nil, ErrRange, "t.txt:1:1: id out of range: label id 0"},
		{"a repeated id", "1,1 1:1\n", svm, nil, ErrDuplicate, "t.txt:1:1: duplicate id: label 1 appears twice in this row"},
		{"a repeated id, unsorted", "3,1,3 1:1\n", svm, nil, ErrDuplicate, "t.txt:1:1: duplicate id: label 3 appears twice in this row"},
		{"a repeated 1-based id", "2,2 1:1\n", svm1, nil, ErrDuplicate, "t.txt:1:1: duplicate id: label 2 appears twice in this row"},
		{"a trailing comma", "1, 1:1\n", svm, nil, ErrSyntax, "t.txt:1:2: malformed: label list ends with ','"},
		{"another separator", "1;2 1:1\n", svm, nil, ErrSyntax, "t.txt:1:2: malformed: expected ',' or a space after a label id, found \";2\""},
		{"an empty id", "1,,2 1:1\n", svm, nil, ErrSyntax, "t.txt:1:3: malformed: expected a label id, found \",2\""},
		{"past the XC header's count", "1 4 5\n5 0:1\n", xc, nil, ErrRange, "t.txt:2:1: id out of range: label id 5 is out of range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := Read(strings.NewReader(tc.in), "t.txt", tc.opt)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if got := ds.Y.Indices[ds.Y.Indptr[0]:ds.Y.Indptr[1]]; !slices.Equal(got, tc.want) {
					t.Fatalf("labels %v, want %v", got, tc.want)
				}
				return
			}
			wantInputError(t, err, tc.wantErr, tc.message)
			// Only a LIBSVM row's first label can be a binary class.
			if hint := strings.Contains(err.Error(), "-1/+1"); hint != strings.Contains(tc.message, "-1/+1") {
				t.Errorf("err %v: the hint of binary classes is misplaced", err)
			}
		})
	}
}

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
			wantInputError(t, err, tc.wantErr, tc.message)
		})
	}
}

// wantInputError fails t unless err is an input error of kind (ErrSyntax,
// ErrRange, …) whose message starts with prefix: the file, line and column,
// then what is wrong.
func wantInputError(t *testing.T, err, kind error, prefix string) {
	t.Helper()
	if err == nil || !errors.Is(err, kind) || !errors.Is(err, ErrInput) || !strings.HasPrefix(err.Error(), prefix) {
		t.Fatalf("err %v; want a %v error starting %q", err, kind, prefix)
	}
}
