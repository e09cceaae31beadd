package main

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/train"
)

// mhe train's summary on stderr and its run record (--result) agree: the
// record counts rows × epochs training examples, and its rates and the
// summary's are those examples (or the test rows) over the record's
// seconds, within the summary's rounding. The weight-averaging line is
// there only when weights were averaged.
func TestTrainSummaryAndRecord(t *testing.T) {
	tmp := t.TempDir()
	cfg := filepath.Join(tmp, "tiny.yaml")
	os.WriteFile(cfg, []byte(tinyConfig), 0o644)
	num := func(s string) float64 {
		t.Helper()
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// within says that printed, the value v rounded to step, is v.
	within := func(what string, printed, v, step float64) {
		t.Helper()
		if math.Abs(printed-v) > step/2+1e-9*math.Abs(v) {
			t.Errorf("%s: printed %v, the record gives %v", what, printed, v)
		}
	}
	done := regexp.MustCompile(`done: 2 epochs in [0-9.]+s wall, [0-9.]+s CPU, peak RSS \d+ MiB, ([0-9.]+) µs per training example\n`)
	rate := regexp.MustCompile(`\ntrain: (\d+) examples/s\npredict: 300 rows in [0-9.]+s, (\d+) rows/s\n`)
	for _, c := range []struct {
		sets    []string
		average string // the averaging line, "" for none
	}{
		{nil, ""},
		{[]string{"train.average=swa", "train.average_start=1"}, "weights: the average of epochs 1-2\n"},
	} {
		dir, res := filepath.Join(tmp, "m"+strconv.Itoa(len(c.sets))), filepath.Join(tmp, "r"+strconv.Itoa(len(c.sets))+".json")
		args := []string{"train", "--config", cfg, "--out", dir, "--result", res}
		for _, s := range c.sets {
			args = append(args, "--set", s)
		}
		code, out, errOut := runMain(t, "", args...)
		if code != 0 {
			t.Fatalf("train %v: exit %d: %s", c.sets, code, errOut)
		}
		// --result does not replace the metrics on stdout, nor the
		// curves beside the model.
		if !strings.Contains(out, "rows: 300 evaluated") || !strings.Contains(out, "nDCG") {
			t.Errorf("train %v --result: stdout %q, want the test metrics", c.sets, out)
		}
		if _, err := os.Stat(filepath.Join(dir, "curves-loss.svg")); err != nil {
			t.Errorf("train %v: no training curves: %v", c.sets, err)
		}
		tm := readRecord(t, res).Timing
		if tm.TrainExamples != 1500*2 || tm.TrainSeconds <= 0 {
			t.Fatalf("record: %d training examples in %vs, want 1500 rows × 2 epochs", tm.TrainExamples, tm.TrainSeconds)
		}
		ex := float64(tm.TrainExamples)
		if math.Abs(tm.TrainExamplesPerSec-ex/tm.TrainSeconds) > 1e-9*tm.TrainExamplesPerSec ||
			math.Abs(tm.MicrosPerTrainExample-1e6*tm.TrainSeconds/ex) > 1e-9*tm.MicrosPerTrainExample {
			t.Errorf("record: %v examples/s and %v µs per example for %v examples in %vs", tm.TrainExamplesPerSec, tm.MicrosPerTrainExample, ex, tm.TrainSeconds)
		}
		m, r := done.FindStringSubmatch(errOut), rate.FindStringSubmatch(errOut)
		if m == nil || r == nil {
			t.Fatalf("train %v: summary lines missing from stderr:\n%s", c.sets, errOut)
		}
		within("µs per training example", num(m[1]), 1e6*tm.TrainSeconds/ex, 0.1)
		within("training examples/s", num(r[1]), ex/tm.TrainSeconds, 1)
		within("test rows/s", num(r[2]), 300/tm.PredictSeconds, 1)
		if got := strings.Contains(errOut, "weights: the average"); got != (c.average != "") || !strings.Contains(errOut, c.average) {
			t.Errorf("train %v: stderr\n%s\nwant the averaging line %q", c.sets, errOut, c.average)
		}
	}
}

// curveOf puts a NaN where an epoch lacks a metric, before the metric's
// first epoch and after its last, so that every series lines up with the
// epochs.
func TestCurveOf(t *testing.T) {
	v := func(p float64) map[string]float64 { return map[string]float64{"p@1": p} }
	c := curveOf("x", []train.EpochRecord{
		{Epoch: 1, Loss: 0.9},
		{Epoch: 2, Loss: 0.8, Validation: v(0.5)},
		{Epoch: 3, Loss: 0.7},
		{Epoch: 4, Loss: 0.6, Validation: map[string]float64{"p@1": 0.6, "p@3": 0.4}},
	})
	if c.Label != "x" || !slices.Equal(c.Epochs, []float64{1, 2, 3, 4}) || !slices.Equal(c.Loss, []float64{0.9, 0.8, 0.7, 0.6}) {
		t.Errorf("curve %+v", c)
	}
	nan := math.NaN()
	for k, want := range map[string][]float64{"p@1": {nan, 0.5, nan, 0.6}, "p@3": {nan, nan, nan, 0.4}} {
		if got := c.Val[k]; !slices.EqualFunc(got, want, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }) {
			t.Errorf("%s: %v, want %v", k, got, want)
		}
	}
	if len(c.Val) != 2 {
		t.Errorf("metrics %v", c.Val)
	}
}
