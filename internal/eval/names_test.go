package eval

import (
	"fmt"
	"testing"
)

func TestParseName(t *testing.T) {
	for _, c := range []struct {
		in   string
		fam  string
		k    int
		okay bool
	}{
		{"p@1", "p", 1, true}, {"nDCG@3", "ndcg", 3, true}, {" PSP@5 ", "psp", 5, true}, {"psndcg@10", "psndcg", 10, true},
		{"r@100", "r", 100, true}, {"acc@1", "acc", 1, true},
		{"p", "", 0, false}, {"p@", "", 0, false}, {"@1", "", 0, false}, {"f1@1", "", 0, false}, {"p@0", "", 0, false},
		{"p@-1", "", 0, false}, {"p@+1", "", 0, false}, {"p@01", "", 0, false}, {"p@1x", "", 0, false}, {"p@1.0", "", 0, false},
		{"p@@1", "", 0, false}, {"p@99999999999999999999", "", 0, false},
	} {
		fam, k, ok := ParseName(c.in)
		if fam != c.fam || k != c.k || ok != c.okay {
			t.Errorf("ParseName(%q) = %q, %d, %v; want %q, %d, %v", c.in, fam, k, ok, c.fam, c.k, c.okay)
		}
	}
	// Every name a Result holds parses back to itself.
	ev, err := NewEvaluator(Options{K: []int{1, 7}, InvPropensity: []float64{1, 2}, SingleLabel: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ev.Result().Metrics {
		if fam, k, ok := ParseName(m.Name); !ok || fmt.Sprintf("%s@%d", fam, k) != m.Name {
			t.Errorf("result metric %q does not parse back: %q %d %v", m.Name, fam, k, ok)
		}
	}
}

func ExampleParseName() {
	fam, k, ok := ParseName("nDCG@3")
	fmt.Println(fam, k, ok)
	_, _, ok = ParseName("p@3x")
	fmt.Println(ok)
	// Output:
	// ndcg 3 true
	// false
}

// FuzzParseName: any string either fails or gives a family and k whose
// canonical spelling parses back to the same pair.
func FuzzParseName(f *testing.F) {
	for _, s := range []string{"p@1", "nDCG@3", "psp@05", "acc@+1", "r@", "@@", "p@99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fam, k, ok := ParseName(s)
		if !ok {
			return
		}
		canon := fmt.Sprintf("%s@%d", fam, k)
		fam2, k2, ok2 := ParseName(canon)
		if !ok2 || fam2 != fam || k2 != k || k < 1 {
			t.Fatalf("%q -> %q %d, canonical %q -> %q %d %v", s, fam, k, canon, fam2, k2, ok2)
		}
	})
}
