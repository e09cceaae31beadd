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
			if err == nil || !errors.Is(err, tc.wantErr) || !errors.Is(err, ErrInput) || !strings.HasPrefix(err.Error(), tc.message) {
				t.Fatalf("err %v; want one starting %q", err, tc.message)
			}
			// Only a LIBSVM row's first label can be a binary class.
			if hint := strings.Contains(err.Error(), "-1/+1"); hint != strings.Contains(tc.message, "-1/+1") {
				t.Errorf("err %v: the hint of binary classes is misplaced", err)
			}
		})
	}
}
