package main

import (
	"encoding/json"
	"testing"

	"github.com/mhe-xlc/mhe/internal/data"
)

// eval --model takes the propensity parameters from --A and --B when
// given, else from the model's config (eval.a, eval.b, which --set
// overrides), else by the dataset's name.
func TestEvalModelPropensityParams(t *testing.T) {
	dir, _ := trainTiny(t)
	for _, c := range []struct {
		args []string
		a, b float64
	}{
		{nil, 0.55, 1.5},
		{[]string{"--set", "eval.a=0.7", "--set", "eval.b=3"}, 0.7, 3},
		{[]string{"--A", "0.6", "--B", "2.6"}, 0.6, 2.6},
		{[]string{"--set", "eval.a=0.7", "--set", "eval.b=3", "--A", "0.5", "--B", "0.4"}, 0.5, 0.4},
	} {
		code, out, errOut := runMain(t, "", append([]string{"eval", "--model", dir, "--format", "json", "--quiet"}, c.args...)...)
		if code != 0 {
			t.Fatalf("eval %v: exit %d: %s", c.args, code, errOut)
		}
		var res struct {
			Propensity struct{ A, B float64 } `json:"propensity"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		if res.Propensity.A != c.a || res.Propensity.B != c.b {
			t.Errorf("eval %v: A %v, B %v; want %v, %v", c.args, res.Propensity.A, res.Propensity.B, c.a, c.b)
		}
	}
}

// rowsBeyond counts the rows holding an id at or past n, once each.
func TestRowsBeyond(t *testing.T) {
	m := data.NewCSR(6, 4, 8, true)
	for _, ids := range [][]int32{{0, 3}, {4}, {1, 4, 5}, {}} {
		m.AppendRow(ids, nil)
	}
	for _, c := range []struct{ n, want int }{{6, 0}, {5, 1}, {4, 2}, {1, 3}, {0, 0}, {7, 0}} {
		if got := rowsBeyond(m, c.n); got != c.want {
			t.Errorf("rowsBeyond(n=%d) = %d, want %d", c.n, got, c.want)
		}
	}
}
