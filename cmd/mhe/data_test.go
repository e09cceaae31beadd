package main

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/data"
)

// data convert round-trips a dataset through every output format: XC BoW
// to LIBSVM (1-based labels, 0-based features) and back, and to an XC
// feature matrix with its label matrix (--labels-out); each reads back as
// the same rows. Without --labels-out, an xc-matrix output says that it
// holds the features only.
func TestDataConvertRoundTrip(t *testing.T) {
	dir := t.TempDir()
	// A row without labels, one without features, one with neither,
	// unsorted labels, integer values.
	in := filepath.Join(dir, "in.txt")
	os.WriteFile(in, []byte("5 6 4\n 0:1.5 4:2\n1,3 \n \n3,0,2 1:7 5:0.25\n2 2:1\n"), 0o644)
	want, err := data.ReadFile(in, data.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	conv := func(args ...string) string {
		t.Helper()
		code, _, errOut := runMain(t, "", append([]string{"data", "convert"}, args...)...)
		if code != 0 {
			t.Fatalf("convert %v: exit %d: %s", args, code, errOut)
		}
		return errOut
	}
	same := func(what string, got *data.Dataset) {
		t.Helper()
		if !reflect.DeepEqual(got.X, want.X) || !reflect.DeepEqual(got.Y, want.Y) {
			t.Errorf("%s: read back\n%+v\n%+v\nwant\n%+v\n%+v", what, got.X, got.Y, want.X, want.Y)
		}
	}

	svm := filepath.Join(dir, "out.svm")
	conv(in, svm, "--to", "libsvm", "--out-label-base", "1", "--out-feature-base", "0")
	back := filepath.Join(dir, "back.txt.gz")
	conv(svm, back, "--from", "libsvm", "--label-base", "1", "--feature-base", "0", "--num-features", "6", "--num-labels", "4", "--to", "xc")
	got, err := data.ReadFile(back, data.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	same("xc -> libsvm -> xc.gz", got)

	xf, xy := filepath.Join(dir, "X.txt"), filepath.Join(dir, "Y.txt")
	if note := conv(in, xf, "--to", "xc-matrix", "--labels-out", xy); note != "" {
		t.Errorf("with --labels-out, stderr %q", note)
	}
	if got, err = data.ReadXCPair(xf, xy, data.ReadOptions{}); err != nil {
		t.Fatal(err)
	}
	same("xc -> xc-matrix pair", got)

	note := conv(in, filepath.Join(dir, "X2.txt"), "--to", "xc-matrix")
	if !strings.Contains(note, "holds the features only; the 6 label assignments were not written (give --labels-out FILE") {
		t.Errorf("without --labels-out, stderr %q", note)
	}
}

// data synth at its smallest sizes (one row, one feature, two labels), in
// both formats, with held-out rows; its summary on stderr unless --quiet;
// sizes below those and other formats are usage errors.
func TestDataSynthEdges(t *testing.T) {
	dir := t.TempDir()
	out, test := filepath.Join(dir, "s.txt"), filepath.Join(dir, "t.txt")
	synth := func(args ...string) (int, string) {
		t.Helper()
		code, _, errOut := runMain(t, "", append([]string{"data", "synth", "--out", out}, args...)...)
		return code, errOut
	}
	small := []string{"--examples", "1", "--features", "1", "--labels", "2"}
	code, errOut := synth(append(small, "--test-out", test, "--test-examples", "3")...)
	if code != 0 {
		t.Fatalf("smallest synth: exit %d: %s", code, errOut)
	}
	if want := "wrote " + out + ": 1 examples, 1 features, 2 labels (seed 1, xc)\nwrote " + test + ": 3 held-out examples\n"; errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	for path, rows := range map[string]int{out: 1, test: 3} {
		ds, err := data.ReadFile(path, data.ReadOptions{Format: data.FormatXC})
		if err != nil || ds.X.Rows != rows || ds.X.Cols != 1 || ds.Y.Cols != 2 {
			t.Errorf("%s: %v, want %d rows of 1 feature and 2 labels", path, err, rows)
		}
	}
	// LIBSVM: no header, and ids as the format's usual bases (labels
	// from 0, features from 1).
	if code, errOut = synth(append(small, "--format", "libsvm", "--quiet")...); code != 0 || errOut != "" {
		t.Fatalf("libsvm synth: exit %d: %q", code, errOut)
	}
	raw, _ := os.ReadFile(out)
	if strings.Count(string(raw), "\n") != 1 {
		t.Errorf("libsvm synth of one row: %q", raw)
	}
	ds, err := data.ReadFile(out, data.ReadOptions{Format: data.FormatLibSVM, FeatureBase: 1, NumFeatures: 1, NumLabels: 2})
	if err != nil || ds.X.Rows != 1 {
		t.Errorf("libsvm synth reads back as %v, %v", ds, err)
	}
	for _, bad := range [][]string{
		{"--examples", "0", "--features", "1", "--labels", "2"},
		{"--examples", "1", "--features", "0", "--labels", "2"},
		{"--examples", "1", "--features", "1", "--labels", "1"},
		append(small, "--format", "xc-matrix"),
		append(small, "--format", "csv"),
		append(small, "--test-out", test),
		append(small, "--avg-labels", "0"),
		append(small, "--avg-features", "0"),
		append(small, "--signature", "0"),
	} {
		if code, errOut := synth(bad...); code != ExitUsage || !strings.Contains(errOut, "--") {
			t.Errorf("synth %v: exit %d, stderr %q; want a usage error", bad, code, errOut)
		}
	}
}

// A dataset without any label converts to an XC feature matrix without the
// note that labels were left out.
func TestDataConvertNoLabels(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	os.WriteFile(in, []byte("2 4 3\n 0:1 3:2\n 1:1\n"), 0o644)
	code, _, errOut := runMain(t, "", "data", "convert", in, filepath.Join(dir, "X.txt"), "--to", "xc-matrix")
	if code != 0 || errOut != "" {
		t.Errorf("label-free convert: exit %d, stderr %q; want neither note nor error", code, errOut)
	}
}

// --noise 0 and --exponent 0 are what they say (they used to be read as
// the defaults, 0.3 and 1): every row's features come from its labels'
// signatures, and every label is drawn alike.
func TestDataSynthZeros(t *testing.T) {
	dir := t.TempDir()
	synth := func(name string, args ...string) *data.Dataset {
		t.Helper()
		out := filepath.Join(dir, name)
		code, _, errOut := runMain(t, "", append([]string{"data", "synth", "--examples", "3000", "--features", "4000", "--labels", "50", "--out", out, "--quiet"}, args...)...)
		if code != 0 {
			t.Fatalf("synth %v: exit %d: %s", args, code, errOut)
		}
		ds, err := data.ReadFile(out, data.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	spread := func(ds *data.Dataset) float64 {
		c := ds.Y.ColumnCounts()
		return float64(slices.Max(c)) / float64(slices.Min(c))
	}
	distinct := func(ds *data.Dataset) int {
		seen := map[int32]bool{}
		for _, id := range ds.X.Indices {
			seen[id] = true
		}
		return len(seen)
	}
	def, zero := synth("def.txt"), synth("zero.txt", "--noise", "0", "--exponent", "0")
	if s := spread(zero); s > 1.6 {
		t.Errorf("--exponent 0: label counts spread %.1f×, want a uniform law", s)
	}
	if s := spread(def); s < 5 {
		t.Errorf("the default law: label counts spread %.1f×, want a power law", s)
	}
	// 50 labels × 8 signature features: at most 400 distinct features
	// without noise; 30% noise over 4,000 features reaches most of them.
	if n := distinct(zero); n > 400 {
		t.Errorf("--noise 0: %d distinct features, at most 400 come from signatures", n)
	}
	if n := distinct(def); n < 2000 {
		t.Errorf("the default noise: %d distinct features", n)
	}
}
