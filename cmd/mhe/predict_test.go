package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The edges of predict's flags: --topk 1 and --threshold 0 and 1 are
// accepted (0 keeps every label of the ranking, 1 only a certain one), and
// a given --input-format is the one the input is read with.
func TestPredictFlagEdges(t *testing.T) {
	dir, _ := trainTiny(t)
	in := "3 300 40\n1 2:1 7:3\n 5:1\n\n"
	predict := func(args ...string) []string {
		t.Helper()
		code, out, errOut := runMain(t, in, append([]string{"predict", "--model", dir, "--input", "-", "--quiet"}, args...)...)
		if code != 0 {
			t.Fatalf("predict %v: exit %d: %s", args, code, errOut)
		}
		return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	}
	for _, c := range []struct {
		args []string
		want int // labels on each line
	}{
		{[]string{"--topk", "1"}, 1},
		{[]string{"--threshold", "0"}, 40}, // the 100 of --threshold, cut to the 40 labels
		{[]string{"--threshold", "0", "--topk", "7"}, 7},
	} {
		lines := predict(c.args...)
		if len(lines) != 3 {
			t.Fatalf("predict %v: %d lines, want 3", c.args, len(lines))
		}
		for i, l := range lines {
			if n := len(strings.Fields(l)); n != c.want {
				t.Errorf("predict %v: line %d has %d labels, want %d", c.args, i+1, n, c.want)
			}
		}
	}
	// --header with an input that declares 0 rows: the header alone.
	if code, out, errOut := runMain(t, "0 300 40\n", "predict", "--model", dir, "--input", "-", "--header", "--quiet"); code != 0 || out != "0 40\n" {
		t.Errorf("--header of 0 rows: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// A sigmoid reaches 1 only in float32 rounding: lines stay, mostly empty.
	if lines := predict("--threshold", "1"); len(lines) != 3 {
		t.Errorf("--threshold 1: %d lines, want 3", len(lines))
	}
	// --input-format xc on a file without a header is refused, though the
	// model's config (format auto) would have read it as LIBSVM.
	code, out, errOut := runMain(t, "1 2:1\n3 1:1\n", "predict", "--model", dir, "--input", "-", "--input-format", "xc")
	if code != ExitData || out != "" || !strings.Contains(errOut, `expected the XC header`) {
		t.Errorf("--input-format xc on LIBSVM rows: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// Rows with feature ids at or beyond the model's input dimension are
// counted wherever they are in the input (the id equal to the dimension
// included); a model that hashes its features can use every id, so an
// input declaring more features than it was trained on is neither refused
// nor warned about.
func TestPredictIgnoredFeatures(t *testing.T) {
	dir, _ := trainTiny(t)
	in := "1 2:1\n3 300:1\n2 7000:2\n3 1:1 299:1\n"
	code, out, errOut := runMain(t, in, "predict", "--model", dir, "--input", "-", "--input-format", "libsvm", "--feature-base", "0", "--quiet")
	if code != 0 || strings.Count(out, "\n") != 4 || !strings.Contains(errOut, "warning: 2 rows have feature ids >= 300") {
		t.Errorf("ids at and beyond the model: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	hashed, _ := trainTiny(t, "encoder.hash_features=64")
	code, out, errOut = runMain(t, "2 5000 40\n1 4999:1\n3 300:1 1200:1\n", "predict", "--model", hashed, "--input", "-", "--quiet")
	if code != 0 || strings.Count(out, "\n") != 2 || errOut != "" {
		t.Errorf("hashed model, wider input: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// Without --quiet, predict ends with a summary on stderr: the rows, the
// time, rows per second (rows over seconds), and for more than one model
// the ensemble's size. A failed run prints no summary.
func TestPredictSummary(t *testing.T) {
	a, _ := trainTiny(t)
	b, _ := trainTiny(t, "train.seed=2")
	summary := regexp.MustCompile(`predict: (\d+) rows in ([0-9.]+)s, (\d+) rows/s \(threads 1(, an ensemble of 2 models)?\)\n`)
	for _, c := range []struct {
		models   []string
		ensemble bool
	}{
		{[]string{"--model", a}, false},
		{[]string{"--model", a, "--model", b}, true},
	} {
		code, out, errOut := runMain(t, "", append([]string{"predict", "--threads", "1"}, c.models...)...)
		if code != 0 || strings.Count(out, "\n") != 300 {
			t.Fatalf("predict %v: exit %d: %s", c.models, code, errOut)
		}
		m := summary.FindStringSubmatch(errOut)
		if m == nil {
			t.Fatalf("predict %v: no summary in stderr %q", c.models, errOut)
		}
		rows, _ := strconv.Atoi(m[1])
		secs, _ := strconv.ParseFloat(m[2], 64)
		rate, _ := strconv.ParseFloat(m[3], 64)
		if rows != 300 {
			t.Errorf("predict %v: summary counts %d rows, want 300", c.models, rows)
		}
		// Seconds are printed to 0.01: the rate is rows over seconds
		// within that rounding.
		if lo, hi := float64(rows)/(secs+0.005), float64(rows)/max(secs-0.005, 1e-9); rate < lo-1 || rate > hi+1 {
			t.Errorf("predict %v: %v rows/s for %d rows in %.2fs", c.models, rate, rows, secs)
		}
		if got := m[4] != ""; got != c.ensemble {
			t.Errorf("predict %v: summary %q, ensemble named %v, want %v", c.models, m[0], got, c.ensemble)
		}
	}
	code, _, errOut := runMain(t, "2 300 40\n1 2:x\n", "predict", "--model", a, "--input", "-")
	if code != ExitData || strings.Contains(errOut, "rows/s") {
		t.Errorf("failed predict: exit %d, stderr %q; want no summary", code, errOut)
	}
}
