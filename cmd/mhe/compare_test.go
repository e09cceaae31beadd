package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeCompareFiles writes a truth file of n rows over 6 labels and two
// prediction files whose top label is right with probability pa and pb.
func writeCompareFiles(t *testing.T, n int, pa, pb float64) (truth, a, b string) {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(5, 6))
	var tb, ab, bb strings.Builder
	fmt.Fprintf(&tb, "%d 4 6\n", n)
	for range n {
		l := rng.IntN(6)
		fmt.Fprintf(&tb, "%d 0:1\n", l)
		for _, f := range []struct {
			b *strings.Builder
			p float64
		}{{&ab, pa}, {&bb, pb}} {
			top := (l + 1 + rng.IntN(5)) % 6
			if rng.Float64() < f.p {
				top = l
			}
			fmt.Fprintf(f.b, "%d:0.9 %d:0.5\n", top, (top+1)%6)
		}
	}
	truth, a, b = filepath.Join(dir, "truth.txt"), filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
	for p, s := range map[string]string{truth: tb.String(), a: ab.String(), b: bb.String()} {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return
}

type comparisonJSON struct {
	NRows      int    `json:"n_rows"`
	Resamples  int    `json:"resamples"`
	Seed       uint64 `json:"seed"`
	Comparison []struct {
		Metric             string
		A, B, Diff, Low, P float64
		High               float64
	} `json:"comparison"`
}

func TestEvalAgainst(t *testing.T) {
	truth, a, b := writeCompareFiles(t, 400, 0.7, 0.5)
	code, out, errOut := runMain(t, "", "eval", "--pred", a, "--against", b, "--truth", truth, "--format", "json", "--resamples", "500", "--seed", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got comparisonJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.NRows != 400 || got.Resamples != 500 || got.Seed != 3 || len(got.Comparison) != 12 { // single-label rows: acc@k too
		t.Fatalf("comparison = %+v", got)
	}
	// A and B are what eval reports for each file alone.
	single := func(pred string) map[string]float64 {
		code, out, errOut := runMain(t, "", "eval", "--pred", pred, "--truth", truth, "--format", "json")
		if code != 0 {
			t.Fatal(errOut)
		}
		var r struct{ Metrics map[string]float64 }
		json.Unmarshal([]byte(out), &r)
		return r.Metrics
	}
	ma, mb := single(a), single(b)
	for _, c := range got.Comparison {
		if c.A != ma[c.Metric] || c.B != mb[c.Metric] || c.Diff != c.A-c.B || !(c.Low <= c.Diff && c.Diff <= c.High) || c.P <= 0 || c.P > 1 {
			t.Errorf("%s: %+v; alone A %v B %v", c.Metric, c, ma[c.Metric], mb[c.Metric])
		}
	}
	if p1 := got.Comparison[0]; p1.Metric != "p@1" || p1.Low <= 0 || p1.P > 0.01 {
		t.Errorf("A right 70%% against 50%% of 400 rows: %+v, want an interval above 0 and p <= 0.01", p1)
	}
	// The same seed gives the same bytes; the table names both files.
	_, again, _ := runMain(t, "", "eval", "--pred", a, "--against", b, "--truth", truth, "--format", "json", "--resamples", "500", "--seed", "3")
	if again != out {
		t.Error("a second run with the same seed printed other figures")
	}
	code, out, _ = runMain(t, "", "eval", "--pred", a, "--against", a, "--truth", truth)
	if code != 0 || !strings.Contains(out, "A: "+a) || !strings.Contains(out, "1000 resamples each, seed 1") ||
		!strings.Contains(out, "P@1") || !strings.Contains(out, "[0.00, 0.00]  1.0000") {
		t.Errorf("A against itself:\n%s", out)
	}
}

func TestEvalAgainstErrors(t *testing.T) {
	truth, a, b := writeCompareFiles(t, 20, 0.5, 0.5)
	short := filepath.Join(t.TempDir(), "short.txt")
	os.WriteFile(short, []byte("1:0.5\n"), 0o644)
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--pred", "-", "--against", "-", "--truth", truth}, ExitUsage, "--pred and --against cannot both read standard input"},
		{[]string{"--pred", "-", "--truth", "-"}, ExitUsage, "--pred and --truth cannot both read standard input"},
		{[]string{"--pred", "-", "--truth", "-", "--train", "-"}, ExitUsage, "--pred and --truth and --train cannot all read standard input"},
		{[]string{"--pred", a, "--against", b, "--truth", truth, "--per-label", "x.csv"}, ExitUsage, "drop them with --against"},
		{[]string{"--pred", a, "--truth", truth, "--seed", "2"}, ExitUsage, "give --against B.txt"},
		{[]string{"--pred", a, "--against", b, "--truth", truth, "--resamples", "0"}, ExitUsage, "--resamples 0 must be in [1, 1000000]"},
		{[]string{"--pred", a, "--against", short, "--truth", truth}, ExitData, "1 prediction rows but the truth has 20"},
	}
	for _, c := range cases {
		code, out, errOut := runMain(t, "", append([]string{"eval"}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.msg) || out != "" {
			t.Errorf("%v: exit %d %q (stdout %q), want exit %d with %q", c.args, code, errOut, out, c.code, c.msg)
		}
	}
}

// eval --model DIR --against B.txt compares the model's predictions of its
// test split with a file: against its own predictions every difference is
// 0 with p = 1, and A is what eval --model reports alone.
func TestEvalModelAgainst(t *testing.T) {
	dir, _ := trainTiny(t)
	other, _ := trainTiny(t, "train.seed=2", "head.method=vanilla")
	tmp := t.TempDir()
	own, alt := filepath.Join(tmp, "own.txt"), filepath.Join(tmp, "alt.txt")
	for _, c := range [][2]string{{dir, own}, {other, alt}} {
		if code, _, errOut := runMain(t, "", "predict", "--model", c[0], "--out", c[1], "--quiet"); code != 0 {
			t.Fatal(errOut)
		}
	}
	compare := func(b string) comparisonJSON {
		t.Helper()
		code, out, errOut := runMain(t, "", "eval", "--model", dir, "--against", b, "--format", "json", "--resamples", "200")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var got comparisonJSON
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, c := range compare(own).Comparison {
		if c.Diff != 0 || c.Low != 0 || c.High != 0 || c.P != 1 {
			t.Errorf("the model against its own predictions, %s: %+v", c.Metric, c)
		}
	}
	code, out, errOut := runMain(t, "", "eval", "--model", dir, "--format", "json")
	if code != 0 {
		t.Fatal(errOut)
	}
	var alone struct{ Metrics map[string]float64 }
	json.Unmarshal([]byte(out), &alone)
	got := compare(alt)
	differ := false
	for _, c := range got.Comparison {
		if c.A != alone.Metrics[c.Metric] {
			t.Errorf("%s: A = %v, eval --model alone %v", c.Metric, c.A, alone.Metrics[c.Metric])
		}
		differ = differ || c.Diff != 0
	}
	if !differ || got.NRows != 300 {
		t.Errorf("against another model: %+v", got)
	}
}
