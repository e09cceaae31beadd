package main

import (
	"os"
	"path/filepath"
	"reflect"
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
