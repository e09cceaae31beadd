package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/npy"
)

// mhe embed writes the encoder's features of the test split: .npy and text
// hold the same float32 values, the bytes do not depend on --threads, and
// impossible requests exit 2 without leaving a file behind.
func TestEmbed(t *testing.T) {
	tmp := t.TempDir()
	cfg := filepath.Join(tmp, "tiny.yaml")
	os.WriteFile(cfg, []byte(strings.Replace(tinyConfig, "head: {method: mhp, heads: 2}", "head: {method: mhs, heads: 5, samples: 2}", 1)), 0o644)
	dir := filepath.Join(tmp, "model")
	if code, _, errOut := runMain(t, "", "train", "--config", cfg, "--out", dir, "--quiet"); code != 0 {
		t.Fatalf("train: %s", errOut)
	}
	npyOut := filepath.Join(tmp, "f.npy")
	code, _, errOut := runMain(t, "", "embed", "--model", dir, "--out", npyOut, "--threads", "1")
	if code != 0 || !strings.Contains(errOut, "300 rows × 32 features") {
		t.Fatalf("embed: exit %d %s", code, errOut)
	}
	raw, _ := os.ReadFile(npyOut)
	rows, cols, feats, err := npy.Read(bytes.NewReader(raw))
	if err != nil || rows != 300 || cols != 32 {
		t.Fatalf("npy: %d × %d, %v; want 300 × 32 (test rows × hidden width)", rows, cols, err)
	}
	nonzero := 0
	for _, v := range feats {
		if v < 0 {
			t.Fatalf("relu feature %v < 0", v)
		}
		if v > 0 {
			nonzero++
		}
	}
	if nonzero == 0 {
		t.Fatal("all features are zero")
	}
	code, _, _ = runMain(t, "", "embed", "--model", dir, "--out", npyOut+"2.npy", "--threads", "2", "--quiet")
	if raw2, _ := os.ReadFile(npyOut + "2.npy"); code != 0 || !bytes.Equal(raw, raw2) {
		t.Error("--threads 2 wrote different bytes than --threads 1")
	}
	code, text, errOut := runMain(t, "", "embed", "--model", dir, "--out", "-", "--quiet")
	if code != 0 {
		t.Fatal(errOut)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != rows {
		t.Fatalf("text: %d lines, want %d", len(lines), rows)
	}
	for r, line := range lines {
		if strings.HasPrefix(line, " ") || strings.Contains(line, "  ") || strings.HasSuffix(line, " ") {
			t.Fatalf("text line %d: %q, want values separated by single spaces", r+1, line)
		}
		fields := strings.Fields(line)
		if len(fields) != cols {
			t.Fatalf("text line %d: %d values", r+1, len(fields))
		}
		for c, s := range fields {
			v, err := strconv.ParseFloat(s, 32)
			if err != nil || float32(v) != feats[r*cols+c] {
				t.Fatalf("text [%d,%d] = %s, npy %v", r, c, s, feats[r*cols+c])
			}
		}
	}

	// Usage errors: npy to stdout, unknown format, a linear model.
	if code, _, errOut := runMain(t, "", "embed", "--model", dir, "--out", "-", "--format", "npy"); code != ExitUsage || !strings.Contains(errOut, "--format text") {
		t.Errorf("npy to stdout: exit %d %s", code, errOut)
	}
	if code, _, _ := runMain(t, "", "embed", "--model", dir, "--out", "x", "--format", "csv"); code != ExitUsage {
		t.Errorf("--format csv: exit %d", code)
	}
	lin := filepath.Join(tmp, "linear.yaml")
	os.WriteFile(lin, []byte(strings.Replace(tinyConfig, "encoder: {type: mlp, hidden: [32]}", "encoder: {type: linear}", 1)), 0o644)
	linDir := filepath.Join(tmp, "linear")
	if code, _, errOut := runMain(t, "", "train", "--config", lin, "--out", linDir, "--quiet", "--set", "train.epochs=1"); code != 0 {
		t.Fatalf("train linear: %s", errOut)
	}
	linOut := filepath.Join(tmp, "lin.npy")
	if code, _, errOut := runMain(t, "", "embed", "--model", linDir, "--out", linOut); code != ExitUsage || !strings.Contains(errOut, "linear") {
		t.Errorf("linear model: exit %d %s", code, errOut)
	}
	if _, err := os.Stat(linOut); err == nil {
		t.Error("a refused embed left a file behind")
	}
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// embed counts the input rows with feature ids beyond the model's input
// dimension, wherever they are, and warns of them even with --quiet.
func TestEmbedWarnsBeyondModel(t *testing.T) {
	dir, _ := trainTiny(t)
	code, out, errOut := runMain(t, "1 2:1\n3 300:1\n2 5:1\n", "embed", "--model", dir, "--input", "-", "--input-format", "libsvm", "--feature-base", "0", "--out", "-", "--quiet")
	if code != 0 || strings.Count(out, "\n") != 3 || !strings.Contains(errOut, "embed: warning: 1 rows have feature ids >= 300") {
		t.Errorf("exit %d, %d lines, stderr %q", code, strings.Count(out, "\n"), errOut)
	}
}
