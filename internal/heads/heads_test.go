package heads

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func TestCodecRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		c       int
		lengths []int
	}{{3993, []int{64, 63}}, {10, []int{3, 2, 2}}, {7, []int{7}}, {100, []int{5, 5, 4}}, {13, []int{4, 4}}} {
		codec, err := NewCodec(tc.c, tc.lengths)
		if err != nil {
			t.Fatal(err)
		}
		digits := make([]int32, len(tc.lengths))
		for y := 0; y < tc.c; y++ {
			codec.Encode(y, digits)
			for h, dg := range digits {
				if dg < 0 || int(dg) >= tc.lengths[h] {
					t.Fatalf("C=%d %v: digit %d of %d = %d", tc.c, tc.lengths, h, y, dg)
				}
			}
			if got := codec.Decode(digits); got != int64(y) {
				t.Fatalf("decode(encode(%d)) = %d", y, got)
			}
			// Node at the last level is the label; node at level h is y / R_h.
			if codec.Node(y, len(tc.lengths)-1) != int64(y) {
				t.Fatal("last-level node must be the label")
			}
			if codec.Node(y, 0) != int64(digits[0]) {
				t.Fatal("first-level node must be the first digit")
			}
		}
		if codec.Padding() != codec.Capacity()-int64(tc.c) {
			t.Fatal("padding")
		}
	}
}

func TestCodecChildren(t *testing.T) {
	codec, _ := NewCodec(13, []int{4, 4}) // 16 codes, 3 padding: 13, 14, 15
	if codec.LevelSize(0) != 4 || codec.LevelSize(1) != 13 {
		t.Fatalf("level sizes %d %d", codec.LevelSize(0), codec.LevelSize(1))
	}
	lo, hi := codec.Children(3, 1)
	if lo != 12 || hi != 13 {
		t.Errorf("children of node 3 = [%d,%d), want [12,13) (13..15 are padding)", lo, hi)
	}
	lo, hi = codec.Children(1, 1)
	if lo != 4 || hi != 8 {
		t.Errorf("children of node 1 = [%d,%d)", lo, hi)
	}
	c3, _ := NewCodec(10, []int{2, 2, 3}) // R = 6, 3, 1; level sizes 2, 4, 10
	if c3.LevelSize(1) != 4 {
		t.Errorf("level 1 size = %d, want ceil(10/3) = 4", c3.LevelSize(1))
	}
	if lo, hi := c3.Children(1, 1); lo != 2 || hi != 4 {
		t.Errorf("children = [%d,%d), want [2,4)", lo, hi)
	}
	if lo, hi := c3.Children(3, 2); lo != 9 || hi != 10 {
		t.Errorf("children = [%d,%d), want [9,10)", lo, hi)
	}
}

func TestCodecErrors(t *testing.T) {
	for _, tc := range []struct {
		c       int
		lengths []int
		want    string
	}{
		// The message suggests the smallest first length that covers C.
		{3993, []int{172, 23}, "head lengths [172 23] cover 3956 codes, fewer than the 3993 labels; the product of the lengths must be >= the label count (e.g. [174 23])"},
		{10, []int{0, 20}, "head 1 has length 0"},
		{10, []int{5, -1}, "head 2 has length -1"},
		{10, nil, "no head lengths"},
		{0, []int{2}, ""},
		{10, []int{math.MaxInt32, math.MaxInt32, math.MaxInt32}, "overflows"},
		// 2^62 codes is one too many (lengths that fit a 32-bit int).
		{10, []int{1 << 21, 1 << 21, 1 << 20}, "overflows"},
	} {
		_, err := NewCodec(tc.c, tc.lengths)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("C=%d lengths %v: error %v, want one containing %q", tc.c, tc.lengths, err, tc.want)
		}
	}
	// Just below the bound is a codec.
	if _, err := NewCodec(10, []int{1 << 21, 1 << 21, 1<<20 - 1}); err != nil {
		t.Errorf("2^42 x (2^20-1) codes: %v", err)
	}
}

func TestConfusionDegree(t *testing.T) {
	if d := ConfusionDegree([]int{172, 23}); !(math.Abs(d-23.0/172) <= 1e-12) {
		t.Errorf("D(172,23) = %v, want 23/172", d)
	}
	// H = 3: D = L3^2 / L1.
	if d := ConfusionDegree([]int{10, 5, 4}); !(math.Abs(d-16.0/10) <= 1e-12) {
		t.Errorf("D(10,5,4) = %v, want 1.6", d)
	}
	// Two heads: D = L2/L1, smallest with the longer head first.
	if d := MinConfusionDegree([]int{23, 172}); !(math.Abs(d-23.0/172) <= 1e-12) {
		t.Errorf("min D(23,172) = %v, want 23/172", d)
	}
	if d := MaxConfusionDegree([]int{172, 23}); !(math.Abs(d-172.0/23) <= 1e-12) {
		t.Errorf("max D(172,23) = %v, want 172/23", d)
	}
	// Descending minimises D, ascending maximises it (SPEC §3).
	ls := []int{7, 30, 12}
	if !(math.Abs(MinConfusionDegree(ls)-ConfusionDegree([]int{30, 12, 7})) <= 1e-12) {
		t.Error("min D should be the descending order")
	}
	maxD := 0.0
	perms := [][]int{{7, 30, 12}, {7, 12, 30}, {30, 7, 12}, {30, 12, 7}, {12, 7, 30}, {12, 30, 7}}
	for _, p := range perms {
		maxD = math.Max(maxD, ConfusionDegree(p))
	}
	if !(math.Abs(MaxConfusionDegree(ls)-maxD) <= 1e-9) {
		t.Errorf("max D = %v, brute force %v", MaxConfusionDegree(ls), maxD)
	}
}

func TestPlans(t *testing.T) {
	cases := []struct {
		name    string
		req     Request
		lengths []int
		padding int64
	}{
		{"mhp 3993 H=2", Request{Method: MHP, Labels: 3993, Heads: 2}, []int{64, 63}, 39},
		{"mhp 670091 H=3", Request{Method: MHP, Labels: 670091, Heads: 3}, []int{88, 88, 87}, 88*88*87 - 670091},
		{"mhp 27 H=3", Request{Method: MHP, Labels: 27, Heads: 3}, []int{3, 3, 3}, 0},
		{"mhp 4 H=2", Request{Method: MHP, Labels: 4, Heads: 2}, []int{2, 2}, 0},
		{"mhc given", Request{Method: MHC, Labels: 3956, Lengths: []int{172, 23}}, []int{172, 23}, 0},
		{"mhc lengths only", Request{Method: MHC, Lengths: []int{172, 23}}, []int{172, 23}, 0},
		{"mhc groups 670K", Request{Method: MHC, Labels: 670091, Groups: 8400}, []int{8377, 80}, 8377*80 - 670091},
		{"mhc cost-balanced", Request{Method: MHC, Labels: 3993}, []int{154, 26}, 154*26 - 3993},
		{"mhc 3 levels", Request{Method: MHC, Labels: 100000, Heads: 3}, nil, -1},
		{"mhs H=4", Request{Method: MHS, Labels: 10, Heads: 4}, []int{4, 3}, 2},
		{"vanilla", Request{Method: Vanilla, Labels: 159}, []int{159}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := NewPlan(c.req)
			if err != nil {
				t.Fatal(err)
			}
			if c.lengths != nil && !slices.Equal(p.Lengths, c.lengths) {
				t.Errorf("lengths = %v, want %v", p.Lengths, c.lengths)
			}
			if c.padding >= 0 && p.Padding != c.padding {
				t.Errorf("padding = %d, want %d", p.Padding, c.padding)
			}
			if p.Method == MHC && !slices.IsSortedFunc(p.Lengths, func(a, b int) int { return b - a }) && c.req.Lengths == nil {
				t.Errorf("planned cascade %v is not descending", p.Lengths)
			}
			if _, err := NewCodec(p.Labels, p.Lengths); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestPlanCosts(t *testing.T) {
	p, err := NewPlan(Request{Method: MHP, Labels: 670091, Heads: 3, Dim: 512})
	if err != nil {
		t.Fatal(err)
	}
	if p.ParamRatio >= 0.01 {
		t.Errorf("MHP H=3 on 670,091 labels: %.4f of vanilla's parameters, want < 1%%", p.ParamRatio)
	}
	if p.Params != (88+88+87)*513 || p.Vanilla.Params != 670091*513 {
		t.Errorf("params %d / vanilla %d", p.Params, p.Vanilla.Params)
	}
	if p.OptimizerBytes != 2*p.WeightBytes {
		t.Error("adam keeps two state copies")
	}
	m, _ := NewPlan(Request{Method: MHC, Labels: 3956, Lengths: []int{172, 23}, Dim: 768, BottleneckDim: 300, Beam: 10})
	wantParams := int64(172*768+172) + int64(3956*300+3956) + int64(768*300+300)
	if m.Params != wantParams {
		t.Errorf("MHC params = %d, want %d", m.Params, wantParams)
	}
	if want := int64(172*768 + 768*300 + 10*23*300); m.FlopsPredict != want {
		t.Errorf("MHC flops = %d, want %d", m.FlopsPredict, want)
	}
	// Row-wise tables: Adam's two copies of level 1 and the projection, one
	// value a row of the level-2 embedding and of its bias.
	for _, opt := range []string{"adam", "adamw"} {
		r, _ := NewPlan(Request{Method: MHC, Labels: 3956, Lengths: []int{172, 23}, Dim: 768, BottleneckDim: 300, Beam: 10, Optimizer: opt, RowwiseTables: true})
		if want := 4 * (2*int64(172*768+172+768*300+300) + 2*3956); r.OptimizerBytes != want || !r.RowwiseTables || r.WeightBytes != m.WeightBytes {
			t.Errorf("%s, row-wise tables: optimizer bytes %d (rowwise %v), want %d", opt, r.OptimizerBytes, r.RowwiseTables, want)
		}
	}
	for _, req := range []Request{
		{Method: MHC, Labels: 3956, Lengths: []int{172, 23}, Optimizer: "sgd", RowwiseTables: true}, // momentum stays per weight
		{Method: MHP, Labels: 3956, Lengths: []int{172, 23}, RowwiseTables: true},                   // no tables
	} {
		r, _ := NewPlan(req)
		if r.RowwiseTables || r.OptimizerBytes != map[string]int64{"sgd": 1, "adam": 2}[r.Optimizer]*r.WeightBytes {
			t.Errorf("%s %s: rowwise %v, optimizer bytes %d of %d weight bytes", req.Method, r.Optimizer, r.RowwiseTables, r.OptimizerBytes, r.WeightBytes)
		}
	}
	s, _ := NewPlan(Request{Method: MHS, Labels: 1000, Heads: 10, Samples: 2, Dim: 100})
	if s.FlopsTrain != 3*2*100*100 || s.Params != s.Vanilla.Params {
		t.Errorf("MHS cost: train %d params %d", s.FlopsTrain, s.Params)
	}
}

func TestPlanAuto(t *testing.T) {
	p, err := NewPlan(Request{Method: MHP, Labels: 1000000, Budget: 100 * 513 * 3, Dim: 512})
	if err != nil {
		t.Fatal(err)
	}
	if p.Heads != 3 {
		t.Errorf("auto heads = %d (%v, %d params), want 3", p.Heads, p.Lengths, p.Params)
	}
	if _, err := NewPlan(Request{Method: MHP, Labels: 1000000, Budget: 10}); err == nil {
		t.Error("an impossible budget should fail")
	}
	if _, err := NewPlan(Request{Method: MHS, Labels: 1000, Budget: 10}); err == nil {
		t.Error("mhs with a budget should fail")
	}
}

func TestPlanErrors(t *testing.T) {
	for name, r := range map[string]Request{
		"too many heads":          {Method: MHP, Labels: 4, Heads: 3},
		"product < C":             {Method: MHC, Labels: 3993, Lengths: []int{172, 23}},
		"zero length":             {Method: MHP, Labels: 10, Lengths: []int{0, 10}},
		"beam 0 invalid":          {Method: MHC, Labels: 100, Beam: -1},
		"unknown method":          {Method: "tree", Labels: 100},
		"no labels":               {Method: MHP},
		"heads vs lengths":        {Method: MHP, Labels: 100, Heads: 3, Lengths: []int{10, 10}},
		"bad optimizer":           {Method: MHP, Labels: 100, Optimizer: "lbfgs"},
		"lengths and groups, mhc": {Method: MHC, Labels: 100, Lengths: []int{10, 10}, Groups: 20},
		"lengths and groups, mhs": {Method: MHS, Labels: 100, Lengths: []int{10, 10}, Groups: 20},
	} {
		if _, err := NewPlan(r); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// Beyond int32 label ids a plan is refused; MHP's search for lengths used
// to overflow at 9.2e18 labels and never return. (A 32-bit int cannot hold
// such counts.)
func TestPlanLabelsBeyondInt32(t *testing.T) {
	if strconv.IntSize < 64 {
		t.Skip("int is 32 bits here: no label count exceeds int32")
	}
	beyond, huge := int64(MaxLabels)+1, int64(math.MaxInt64)
	for _, r := range []Request{
		{Method: MHP, Labels: int(huge)}, {Method: MHP, Labels: int(beyond)},
		{Method: MHC, Labels: int(beyond)}, {Method: MHS, Labels: int(beyond)}, {Method: Vanilla, Labels: int(beyond)},
	} {
		if _, err := NewPlan(r); !errors.Is(err, ErrPlan) || !strings.Contains(err.Error(), "label ids are 32-bit") {
			t.Errorf("%s with %d labels: %v", r.Method, r.Labels, err)
		}
	}
	if _, err := NewPlan(Request{Method: MHP, Labels: MaxLabels}); err != nil {
		t.Errorf("MaxLabels: %v", err)
	}
}

// bruteTopK scores every valid code.
func bruteTopK(codec *Codec, scores [][]float32, k int) ([]int32, []float32) {
	type cand struct {
		y int32
		s float32
	}
	var all []cand
	digits := make([]int32, codec.Heads())
	for y := 0; y < codec.NumLabels(); y++ {
		codec.Encode(y, digits)
		var s float32
		for h, d := range digits {
			s += scores[h][d]
		}
		all = append(all, cand{int32(y), s})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].s > all[j].s })
	k = min(k, len(all))
	ys, ss := make([]int32, k), make([]float32, k)
	for i := range k {
		ys[i], ss[i] = all[i].y, all[i].s
	}
	return ys, ss
}

func TestProductTopKMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := 0; trial < 300; trial++ {
		h := 1 + rng.IntN(4)
		lengths := make([]int, h)
		capacity := 1
		for i := range lengths {
			lengths[i] = 1 + rng.IntN(9)
			capacity *= lengths[i]
		}
		c := 1 + rng.IntN(capacity)
		codec, err := NewCodec(c, lengths)
		if err != nil {
			t.Fatal(err)
		}
		scores := make([][]float32, h)
		for i := range scores {
			scores[i] = make([]float32, lengths[i])
			for j := range scores[i] {
				// Coarse values make ties common.
				scores[i][j] = -float32(rng.IntN(6)) / 2
			}
		}
		k := 1 + rng.IntN(12)
		dec := NewProductDecoder(codec)
		got := make([]int32, k)
		gotS := make([]float32, k)
		n := dec.TopK(scores, k, got, gotS)
		want, wantS := bruteTopK(codec, scores, k)
		if n != len(want) {
			t.Fatalf("trial %d: %d results, want %d", trial, n, len(want))
		}
		for i := range n {
			if gotS[i] != wantS[i] {
				t.Fatalf("trial %d (C=%d %v k=%d): score %d = %v, want %v (got %v want %v)", trial, c, lengths, k, i, gotS[i], wantS[i], got[:n], want)
			}
			if !codec.Valid(int64(got[i])) {
				t.Fatalf("padding code %d emitted", got[i])
			}
		}
		seen := map[int32]bool{}
		for _, y := range got[:n] {
			if seen[y] {
				t.Fatalf("label %d emitted twice", y)
			}
			seen[y] = true
		}
	}
}

func TestProductTopKDeepPadding(t *testing.T) {
	// The best digit combinations are all padding: the search must go deep.
	codec, _ := NewCodec(11, []int{4, 4}) // codes 11..15 padding
	scores := [][]float32{{-5, -5, -9, 0}, {-9, -9, -9, 0}}
	dec := NewProductDecoder(codec)
	ys, ss := make([]int32, 11), make([]float32, 11)
	n := dec.TopK(scores, 11, ys, ss)
	want, _ := bruteTopK(codec, scores, 11)
	if n != 11 {
		t.Fatalf("n = %d", n)
	}
	for i := range n {
		if !codec.Valid(int64(ys[i])) {
			t.Fatal("padding emitted")
		}
	}
	a, b := slices.Clone(ys[:n]), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Errorf("got %v want %v", ys[:n], want)
	}
}

// insertTopK gives topHeap.topK's labels and scores, in order, for every
// n and k, with many ties (values from a small set), ±0 and infinities.
func TestInsertTopKMatchesHeap(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	pool := []float32{0, float32(math.Copysign(0, -1)), 0.5, 1, 1.5, -1, float32(math.Inf(1)), float32(math.Inf(-1))}
	var h topHeap
	for trial := range 3000 {
		n := rng.IntN(90)
		k := rng.IntN(20)
		z := make([]float32, n)
		for i := range z {
			if trial%2 == 0 {
				z[i] = pool[rng.IntN(len(pool))]
			} else {
				z[i] = float32(rng.NormFloat64())
			}
		}
		wantIDs, wantVals := make([]int32, max(k, 1)), make([]float32, max(k, 1))
		gotIDs, gotVals := make([]int32, max(k, 1)), make([]float32, max(k, 1))
		wn := h.topK(z, k, wantIDs, wantVals)
		gn := insertTopK(z, k, gotIDs, gotVals)
		if gn != wn || !slices.Equal(gotIDs[:gn], wantIDs[:wn]) {
			t.Fatalf("n=%d k=%d z=%v: insertion %v, heap %v", n, k, z, gotIDs[:gn], wantIDs[:wn])
		}
		for i := range gn {
			if math.Float32bits(gotVals[i]) != math.Float32bits(wantVals[i]) {
				t.Fatalf("n=%d k=%d: value %d is %v, heap's %v", n, k, i, gotVals[i], wantVals[i])
			}
		}
	}
}

// The planning rules at their edges: the most heads a label count takes
// (every length >= 2), the authors' grouping rule, and the cascade's
// layout down to levels of two nodes.
func TestPlanningRules(t *testing.T) {
	for c, want := range map[int]int{1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 8: 3, 9: 4, 1 << 20: 20, 1<<20 + 1: 21} {
		if got := maxHeads(c); got != want {
			t.Errorf("maxHeads(%d) = %d, want %d", c, got, want)
		}
		// The largest count plans; one more head is refused.
		if c >= 2 {
			if _, err := BalancedLengths(c, want); err != nil {
				t.Errorf("BalancedLengths(%d, %d): %v", c, want, err)
			}
			if _, err := BalancedLengths(c, want+1); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("use at most %d", want)) {
				t.Errorf("BalancedLengths(%d, %d): %v, want a refusal naming %d", c, want+1, err, want)
			}
		}
	}
	for _, tc := range []struct {
		c, n int
		want []int
	}{
		{670091, 8400, []int{8377, 80}}, // Amazon-670K in the paper
		{10, 10, []int{10, 1}},
		{10, 1, []int{1, 10}},
		{10, 4, []int{4, 3}}, // groups of 3: 3, 3, 3, 1
		{10, 6, []int{5, 2}}, // 6 requested, but 5 groups of 2 cover 10
	} {
		if got, err := GroupLengths(tc.c, tc.n); err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("GroupLengths(%d, %d) = %v, %v; want %v", tc.c, tc.n, got, err, tc.want)
		}
	}
	for _, n := range []int{0, 11} {
		if _, err := GroupLengths(10, n); err == nil {
			t.Errorf("GroupLengths(10, %d) accepted", n)
		}
	}
	for _, tc := range []struct {
		c, h, dim, dh, beam int
		want                []int
	}{
		// target C·d/(K·d_h) = 1996.5, g = round(√1996.5) = 45, L1 = ⌈3993/45⌉.
		{3993, 2, 512, 64, 16, []int{89, 45}},
		// The smallest cascade: three levels of two.
		{8, 3, 1, 2, 4, []int{2, 2, 2}},
		// Target 10^6 gives g = 100, L1 = ⌈C/100²⌉.
		{1000000, 3, 100, 100, 1, []int{100, 100, 100}},
		{1000001, 3, 100, 100, 1, []int{101, 100, 100}},
		// A small L1 lowers g until the cascade is descending: target
		// 2000 gives g = 13 and L1 = 1; g = 4 still gives L1 = 2 < 4;
		// g = 3 gives L1 = 3.
		{20, 3, 100, 1, 1, []int{3, 3, 3}},
		// Target 1000 gives g = 32, lowered one by one to 3 (L1 = 4).
		{10, 2, 100, 1, 1, []int{4, 3}},
	} {
		got, err := CascadeLengths(tc.c, tc.h, tc.dim, tc.dh, tc.beam)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("CascadeLengths(%d, %d, ...) = %v, %v; want %v", tc.c, tc.h, got, err, tc.want)
		}
	}
	if _, err := CascadeLengths(4, 3, 1, 2, 4); err == nil {
		t.Error("three levels for 4 labels accepted")
	}
}

// Long heads and a small k take the decoder's partial selection (the best
// few of a head sorted, more on demand as padding pushes the search
// deeper); one decoder serves many calls, as in prediction.
func TestProductTopKLongHeads(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for trial := range 60 {
		h := 2 + rng.IntN(2)
		lengths := make([]int, h)
		capacity := 1
		for i := range lengths {
			lengths[i] = 20 + rng.IntN(100/h)
			capacity *= lengths[i]
		}
		// Often most of the last head's codes are padding.
		c := capacity - rng.IntN(capacity/2)
		codec, err := NewCodec(c, lengths)
		if err != nil {
			t.Fatal(err)
		}
		dec := NewProductDecoder(codec)
		for call := range 3 {
			scores := make([][]float32, h)
			for i := range scores {
				scores[i] = make([]float32, lengths[i])
				for j := range scores[i] {
					if trial%2 == 0 {
						scores[i][j] = -float32(rng.IntN(8)) / 4 // many ties
					} else {
						scores[i][j] = float32(rng.NormFloat64())
					}
				}
			}
			k := 1 + rng.IntN(10)
			got, gotS := make([]int32, k), make([]float32, k)
			n := dec.TopK(scores, k, got, gotS)
			want, wantS := bruteTopK(codec, scores, k)
			if n != len(want) || !slices.Equal(gotS[:n], wantS) {
				t.Fatalf("trial %d call %d (C=%d %v k=%d): scores %v, want %v", trial, call, c, lengths, k, gotS[:n], wantS)
			}
			for _, y := range got[:n] {
				if !codec.Valid(int64(y)) {
					t.Fatalf("trial %d: padding code %d emitted", trial, y)
				}
			}
			if len(slices.Compact(slices.Sorted(slices.Values(got[:n])))) != n {
				t.Fatalf("trial %d: a label emitted twice: %v", trial, got[:n])
			}
		}
	}
}

// selectTop leaves the m smallest first, whatever the order and the
// repeats.
func TestSelectTop(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	for trial := range 2000 {
		n := 1 + rng.IntN(60)
		s := make([]int32, n)
		for i := range s {
			s[i] = int32(rng.IntN(1 + trial%20))
		}
		m := 1 + rng.IntN(n)
		want := slices.Sorted(slices.Values(s))[:m]
		selectTop(s, m, func(a, b int32) int { return int(a) - int(b) })
		if got := slices.Sorted(slices.Values(s[:m])); !slices.Equal(got, want) {
			t.Fatalf("trial %d: first %d are %v, want %v", trial, m, got, want)
		}
	}
}

// The best first digit leads almost only to padding codes: the search
// walks the second head's ranks to its worst digit, the only valid one,
// sorting that head on demand beyond the few it sorted first.
func TestProductTopKDeepRanks(t *testing.T) {
	const l0, l1 = 50, 100
	codec, err := NewCodec((l0-1)*l1+1, []int{l0, l1}) // first digit 49: only code 4900 is valid
	if err != nil {
		t.Fatal(err)
	}
	s0, s1 := make([]float32, l0), make([]float32, l1)
	for i := range s0 {
		s0[i] = -100 - float32(i%7)
	}
	s0[l0-1] = 0
	for i := range s1 {
		s1[i] = -float32(i%5) / 10
	}
	s1[0] = -50 // the valid digit is the worst
	dec := NewProductDecoder(codec)
	for _, k := range []int{1, 2, 3} {
		got, gotS := make([]int32, k), make([]float32, k)
		n := dec.TopK([][]float32{s0, s1}, k, got, gotS)
		want, wantS := bruteTopK(codec, [][]float32{s0, s1}, k)
		if n != k || !slices.Equal(gotS, wantS) || got[0] != 4900 {
			t.Errorf("k=%d: %v %v, want %v %v", k, got[:n], gotS[:n], want, wantS)
		}
	}
}

// Given lengths may not exceed the label count: outputs past the C-th
// never see a label (a head of 10^9 for 100 labels was refused only for its
// memory). A length equal to C is allowed.
func TestPlanRefusesLengthsBeyondLabels(t *testing.T) {
	for _, r := range []Request{
		{Method: MHC, Labels: 100, Lengths: []int{1000000000, 1000000000}},
		{Method: MHP, Labels: 100, Lengths: []int{1000, 1000}},
		{Method: MHP, Labels: 100, Lengths: []int{101, 1}},
		{Method: MHS, Labels: 100, Lengths: []int{2, 101}},
		{Method: MHC, Labels: 100, Lengths: []int{10, 10, 101}},
	} {
		_, err := NewPlan(r)
		if !errors.Is(err, ErrPlan) || !strings.Contains(err.Error(), "more than the 100 labels") {
			t.Errorf("%s %v: %v", r.Method, r.Lengths, err)
		}
	}
	for _, r := range []Request{
		{Method: MHP, Labels: 100, Lengths: []int{100, 1}},
		{Method: MHC, Labels: 100, Lengths: []int{100, 2}},
		{Method: MHS, Labels: 100, Lengths: []int{1, 100}},
		{Method: Vanilla, Labels: 100, Lengths: []int{100}},
	} {
		if _, err := NewPlan(r); err != nil {
			t.Errorf("%s %v: %v", r.Method, r.Lengths, err)
		}
	}
}

// A plan's warnings: a head of length 1 among two or more MHP heads or MHC
// levels (it carries nothing), with the lengths that give the same codes
// without it, and an MHC bottleneck no narrower than the encoder; MHS and
// vanilla plans, and plans without either, have none.
func TestPlanWarnings(t *testing.T) {
	for _, tc := range []struct {
		r   Request
		n   int      // warnings
		has []string // in them
	}{
		{Request{Method: MHP, Labels: 5, Lengths: []int{1, 5}}, 1, []string{"head 1 of lengths [1 5] has length 1", "lengths [5] give every label the same code without it"}},
		{Request{Method: MHP, Labels: 15, Lengths: []int{3, 5}}, 0, nil},
		{Request{Method: MHC, Labels: 24, Lengths: []int{4, 1, 6, 1}, Dim: 64, NoBottleneck: true}, 1,
			[]string{"heads 2, 4 of lengths [4 1 6 1] have length 1", "they add work and carry nothing; lengths [4 6] give every label the same code without them"}},
		{Request{Method: MHC, Labels: 7, Lengths: []int{1, 7}, Dim: 64, NoBottleneck: true}, 1, []string{"head 1 of lengths [1 7]", "this is the vanilla classifier (method vanilla)"}},
		{Request{Method: MHC, Labels: 7, Lengths: []int{1, 7}, Dim: 64, BottleneckDim: 64}, 2, []string{"bottleneck width 64", "head 1 of lengths [1 7]"}},
		{Request{Method: MHS, Labels: 5, Lengths: []int{1, 5}}, 0, nil},
		{Request{Method: Vanilla, Labels: 1}, 0, nil},
	} {
		p, err := NewPlan(tc.r)
		if err != nil {
			t.Fatalf("%+v: %v", tc.r, err)
		}
		got := p.Warnings()
		all := strings.Join(got, "\n")
		if len(got) != tc.n {
			t.Errorf("%+v: warnings %q, want %d", tc.r, got, tc.n)
		}
		for _, w := range tc.has {
			if !strings.Contains(all, w) {
				t.Errorf("%+v: warnings %q lack %q", tc.r, got, w)
			}
		}
	}
}
