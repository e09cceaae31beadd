package heads

import (
	"bytes"
	"encoding/csv"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// Five labels in an MHC layout of 3 groups of 2 (one padding code), with
// labels 0 and 4 swapped by the label order.
func ExampleWriteCodes() {
	c, _ := NewCodec(5, []int{3, 2})
	perm := []int32{4, 1, 2, 3, 0}
	names := []string{"cat", "dog", "fish, salt", "owl", "ant"}
	if err := WriteCodes(os.Stdout, c, perm, names); err != nil {
		panic(err)
	}
	// Output:
	// label,name,code,h1,h2
	// 0,cat,4,2,0
	// 1,dog,1,0,1
	// 2,"fish, salt",2,1,0
	// 3,owl,3,1,1
	// 4,ant,0,0,0
}

func TestWriteCodesDecodes(t *testing.T) {
	for _, tc := range []struct {
		labels  int
		lengths []int
	}{{7, []int{7}}, {10, []int{4, 3}}, {40, []int{5, 4, 3}}, {13, []int{2, 2, 2, 2}}} {
		c, err := NewCodec(tc.labels, tc.lengths)
		if err != nil {
			t.Fatal(err)
		}
		n := tc.labels
		rotate := make([]int32, n)
		for i := range rotate {
			rotate[i] = int32((i + 3) % n)
		}
		for _, perm := range [][]int32{nil, rotate} {
			var buf bytes.Buffer
			if err := WriteCodes(&buf, c, perm, nil); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != n+1 || len(rows[0]) != 3+len(tc.lengths) {
				t.Fatalf("lengths %v: %d rows of %d fields, want %d of %d", tc.lengths, len(rows), len(rows[0]), n+1, 3+len(tc.lengths))
			}
			seen := make(map[int]bool)
			for y, row := range rows[1:] {
				if row[0] != strconv.Itoa(y) || row[1] != "" {
					t.Fatalf("row %d = %v", y, row)
				}
				code, _ := strconv.Atoi(row[2])
				want := y
				if perm != nil {
					want = int(perm[y])
				}
				digits := make([]int32, len(tc.lengths))
				for h := range tc.lengths {
					d, _ := strconv.Atoi(row[3+h])
					if d < 0 || d >= tc.lengths[h] {
						t.Fatalf("label %d: digit h%d = %d outside 0..%d", y, h+1, d, tc.lengths[h]-1)
					}
					digits[h] = int32(d)
				}
				if code != want || c.Decode(digits) != int64(code) || seen[code] {
					t.Fatalf("lengths %v, label %d: code %d digits %v, want code %d (each once)", tc.lengths, y, code, digits, want)
				}
				seen[code] = true
			}
		}
	}
}

func TestWriteCodesErrors(t *testing.T) {
	c, _ := NewCodec(4, []int{2, 2})
	cases := []struct {
		perm  []int32
		names []string
		msg   string
	}{
		{[]int32{0, 1, 2}, nil, "permutation of 3 ids for 4 labels"},
		{[]int32{0, 1, 2, 4}, nil, "maps label 3 to 4"},
		{[]int32{0, -1, 2, 3}, nil, "maps label 1 to -1"},
		{nil, []string{"a", "b"}, "2 label names for 4 labels"},
	}
	for _, tc := range cases {
		err := WriteCodes(&bytes.Buffer{}, c, tc.perm, tc.names)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("perm %v names %v: %v, want %q", tc.perm, tc.names, err, tc.msg)
		}
	}
}

func TestPlanRequestRoundTrip(t *testing.T) {
	for _, r := range []Request{
		{Method: MHP, Labels: 3993, Heads: 2},
		{Method: MHP, Labels: 1000, Heads: 3, Optimizer: "sgd"},
		{Method: MHC, Labels: 670091, Groups: 8400, Beam: 75, BottleneckDim: 400, Dim: 768},
		{Method: MHC, Labels: 159, Lengths: []int{32, 5}, NoBottleneck: true, Beam: 16},
		{Method: MHS, Labels: 10, Heads: 3, Samples: 2},
		{Method: Vanilla, Labels: 101, Dim: 47236, Optimizer: "plain"},
	} {
		p, err := NewPlan(r)
		if err != nil {
			t.Fatalf("%+v: %v", r, err)
		}
		q, err := NewPlan(p.Request())
		if err != nil {
			t.Fatalf("%+v again: %v", r, err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Errorf("%+v: planned again from its request\n got %+v\nwant %+v", r, q, p)
		}
	}
}
