// Package faults checks that mhe fails cleanly when the disk does: a full
// file system or a read-only output directory make train and predict exit
// 1 with the cause, leave no temporary or half-written file, and never
// damage the model that was already there. The file systems are small
// tmpfs mounts, so these tests need root (CI runs as root); elsewhere they
// are skipped with a message.
package faults

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// mountTmpfs mounts a tmpfs of size bytes (e.g. "4m") on a new directory.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("SKIP: mounting a small tmpfs needs root (CI runs these as root)")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("SKIP: cannot mount a tmpfs here (%v: %s)", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

const smallConfig = `name: faults
data:
  synth: {examples: 2000, test_examples: 200, features: 300, labels: 50, seed: 2}
encoder: {type: mlp, hidden: [16]}
head: {method: mhp, heads: 2}
train: {epochs: 1, batch_size: 64, lr: 0.01}
`

// The big config's weights (20,000 × 512 floats, 40 MB, plus the
// checkpoint's optimizer state) cannot fit the 8 MB file system.
const bigConfig = `name: faults-big
data:
  synth: {examples: 500, test_examples: 100, features: 20000, labels: 50, seed: 2}
encoder: {type: mlp, hidden: [512]}
head: {method: mhp, heads: 2}
train: {epochs: 1, batch_size: 64, lr: 0.01}
`

func noTemporaries(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", p)
		}
		return nil
	})
}

func predict(t *testing.T, model string) string {
	t.Helper()
	code, out, errOut := testutil.Run(t, "", nil, "predict", "--model", model, "--out", "-", "--quiet")
	if code != 0 {
		t.Fatalf("predict with %s: exit %d: %s", model, code, errOut)
	}
	return out
}

func TestFullDisk(t *testing.T) {
	fs := mountTmpfs(t, "8m")
	cfgDir := t.TempDir()
	small := testutil.WriteFile(t, cfgDir, "small.yaml", smallConfig)
	big := testutil.WriteFile(t, cfgDir, "big.yaml", bigConfig)
	model := filepath.Join(fs, "model")
	if code, _, errOut := testutil.Run(t, "", nil, "train", "--config", small, "--out", model, "--quiet"); code != 0 {
		t.Fatalf("the small model should fit: exit %d: %s", code, errOut)
	}
	before := predict(t, model)

	// Retraining into the same directory with a model that does not fit.
	code, _, errOut := testutil.Run(t, "", nil, "train", "--config", big, "--out", model, "--force", "--quiet")
	if code != 1 || !strings.Contains(errOut, "no space left on device") {
		t.Errorf("train onto a full disk: exit %d, want 1 naming the cause: %s", code, errOut)
	}
	if strings.Contains(errOut, "panic") {
		t.Errorf("panic: %s", errOut)
	}
	if after := predict(t, model); after != before {
		t.Error("the model already in the directory changed after a failed --force run")
	}
	noTemporaries(t, fs)

	// Predictions and data files onto a full disk: no partial output.
	filler := filepath.Join(fs, "filler")
	exec.Command("dd", "if=/dev/zero", "of="+filler, "bs=64k").Run() // fills the rest, then fails
	pred := filepath.Join(fs, "pred.txt")
	code, _, errOut = testutil.Run(t, "", nil, "predict", "--model", model, "--out", pred, "--quiet")
	if code != 1 || !strings.Contains(errOut, "no space left on device") || !strings.Contains(errOut, pred) {
		t.Errorf("predict onto a full disk: exit %d, want 1 naming the file and the cause: %s", code, errOut)
	}
	data := filepath.Join(fs, "synth.txt")
	code, _, errOut = testutil.Run(t, "", nil, "data", "synth", "--examples", "100000", "--features", "1000", "--labels", "100", "--out", data)
	if code != 1 || !strings.Contains(errOut, "no space left on device") {
		t.Errorf("data synth onto a full disk: exit %d, want 1: %s", code, errOut)
	}
	for _, p := range []string{pred, data} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was left behind", p)
		}
	}
	noTemporaries(t, fs)
	os.Remove(filler)
	if after := predict(t, model); after != before {
		t.Error("the model changed")
	}
}

func TestReadOnlyOutput(t *testing.T) {
	fs := mountTmpfs(t, "8m")
	small := testutil.WriteFile(t, t.TempDir(), "small.yaml", smallConfig)
	model := filepath.Join(fs, "model")
	if code, _, errOut := testutil.Run(t, "", nil, "train", "--config", small, "--out", model, "--quiet"); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	before := predict(t, model)
	if out, err := exec.Command("mount", "-o", "remount,ro", fs).CombinedOutput(); err != nil {
		t.Skipf("SKIP: cannot remount read-only (%v: %s)", err, out)
	}
	for _, args := range [][]string{
		{"train", "--config", small, "--out", filepath.Join(fs, "new"), "--quiet"},
		{"train", "--config", small, "--out", model, "--force", "--quiet"},
		{"predict", "--model", model, "--out", filepath.Join(fs, "pred.txt"), "--quiet"},
		{"embed", "--model", model, "--out", filepath.Join(fs, "f.npy"), "--quiet"},
	} {
		code, _, errOut := testutil.Run(t, "", nil, args...)
		if code != 1 || !strings.Contains(errOut, "read-only file system") || strings.Contains(errOut, "panic") {
			t.Errorf("mhe %v on a read-only file system: exit %d, want 1 naming the cause: %s", args[:2], code, errOut)
		}
	}
	if after := predict(t, model); after != before {
		t.Error("the model changed")
	}
}
