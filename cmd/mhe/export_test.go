package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readExport decodes an export.json.
func readExport(t *testing.T, dir string) exportRecord {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, exportRecordFile))
	if err != nil {
		t.Fatal(err)
	}
	var rec exportRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

// weightsName is the weights file of a model directory (named by its
// sha256).
func weightsName(t *testing.T, dir string) string {
	t.Helper()
	raw, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	var man struct {
		Weights string `json:"weights_file"`
	}
	if err := json.Unmarshal(raw, &man); err != nil || man.Weights == "" {
		t.Fatalf("%s: no weights file in the manifest (%v)", dir, err)
	}
	return man.Weights
}

// The exported splits are the rows mhe trains on: a model trained from
// the files has the same weights, bit for bit, as the model trained from
// the config (generated data, validation rows drawn by the seed).
func TestDataExport(t *testing.T) {
	t.Setenv("MHE_DATA_DIR", "")
	model, cfg := trainTiny(t, "train.validation_fraction=0.2")
	out := filepath.Join(t.TempDir(), "splits")
	code, stdout, errOut := runMain(t, "", "data", "export", "--config", cfg, "--set", "train.validation_fraction=0.2", "--out-dir", out)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"split", "train       1,200", "validation    300", "test          300", filepath.Join(out, "test.txt")} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	rec := readExport(t, out)
	if len(rec.Splits) != 3 || rec.Splits[1].Split != "validation" || rec.Splits[1].Rows != 300 || rec.Splits[0].Features != 300 ||
		rec.Splits[2].Labels != 40 || len(rec.Splits[0].SHA256) != 64 || rec.Format != "xc" || rec.Config.Train.ValidationFraction != 0.2 {
		t.Errorf("export.json: %+v", rec)
	}
	again := filepath.Join(t.TempDir(), "again")
	sets := []string{"--set", "data.synth.labels=0", "--set", "data.dir=" + out, "--set", "data.train=train.txt",
		"--set", "data.validation=validation.txt", "--set", "data.test=test.txt"}
	if code, _, errOut := runMain(t, "", append([]string{"train", "--config", cfg, "--out", again, "--quiet"}, sets...)...); code != 0 {
		t.Fatalf("train on the exported files: exit %d: %s", code, errOut)
	}
	if a, b := weightsName(t, model), weightsName(t, again); a != b {
		t.Errorf("trained from the config: %s; from the exported files: %s", a, b)
	}

	// --model: the same files from the model's own config.
	fromModel := filepath.Join(t.TempDir(), "model")
	if code, _, errOut := runMain(t, "", "data", "export", "--model", model, "--out-dir", fromModel, "--format", "json"); code != 0 {
		t.Fatalf("export --model: exit %d: %s", code, errOut)
	}
	mrec := readExport(t, fromModel)
	for i, sp := range mrec.Splits {
		if sp.SHA256 != rec.Splits[i].SHA256 {
			t.Errorf("--model: %s has sha256 %s, --config's %s", sp.File, sp.SHA256, rec.Splits[i].SHA256)
		}
	}
	if mrec.Model != model {
		t.Errorf("--model: export.json names model %q", mrec.Model)
	}

	// The files of an export are replaced only with --force. Exporting
	// again without validation rows leaves the earlier validation.txt (it
	// may be anyone's file) with a note; export.json lists what is
	// this export's.
	code, _, errOut = runMain(t, "", "data", "export", "--config", cfg, "--out-dir", out, "--quiet")
	if code != ExitUsage || !strings.Contains(errOut, filepath.Join(out, "train.txt")+" exists; give --force") {
		t.Errorf("export into an export's directory: exit %d, %q", code, errOut)
	}
	code, _, errOut = runMain(t, "", "data", "export", "--config", cfg, "--out-dir", out, "--quiet", "--force")
	if code != 0 || !strings.Contains(errOut, filepath.Join(out, "validation.txt")+" is not part of this export (the run has no validation rows)") {
		t.Fatalf("export again: exit %d: %s", code, errOut)
	}
	if rec := readExport(t, out); len(rec.Splits) != 2 || rec.Splits[0].Rows != 1500 {
		t.Errorf("export without validation rows: %+v", rec.Splits)
	}

	// LIBSVM, 1-based labels, gzip: mhe reads the files back with the
	// same rows.
	lib := filepath.Join(t.TempDir(), "lib")
	if code, _, errOut := runMain(t, "", "data", "export", "--config", cfg, "--out-dir", lib, "--to", "libsvm", "--out-label-base", "1", "--gzip"); code != 0 {
		t.Fatalf("export --to libsvm: exit %d: %s", code, errOut)
	}
	code, stdout, errOut = runMain(t, "", "data", "stats", filepath.Join(lib, "test.txt.gz"), "--data-format", "libsvm", "--label-base", "1", "--format", "json")
	var st struct {
		Examples int `json:"examples"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &st) != nil || st.Examples != 300 {
		t.Errorf("stats of the LIBSVM export: exit %d %s %s", code, stdout, errOut)
	}
}

// A model whose data file changed since it trained: the export warns and
// records the key; bad command lines are usage errors and write nothing.
func TestDataExportRefuses(t *testing.T) {
	model, dataDir := trainTinyFiles(t)
	// Row 1 replaced by row 2: another file, as valid as the first.
	path := filepath.Join(dataDir, "train.txt")
	raw, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(raw), "\n")
	lines[1] = lines[2]
	os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644)
	out := filepath.Join(t.TempDir(), "out")
	code, _, errOut := runMain(t, "", "data", "export", "--model", model, "--out-dir", out)
	if code != 0 || !strings.Contains(errOut, "warning: data.train "+filepath.Join(dataDir, "train.txt")+" differs from the file the model in "+model+" was trained on") {
		t.Errorf("changed data: exit %d, stderr %q", code, errOut)
	}
	if rec := readExport(t, out); len(rec.Changed) != 1 || rec.Changed[0] != "data.train" {
		t.Errorf("changed data: export.json says %v", rec.Changed)
	}

	_, cfg := trainTiny(t)
	empty := filepath.Join(t.TempDir(), "empty")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--out-dir", empty}, ExitUsage, "--config FILE or a model directory as --model DIR"},
		{[]string{"--config", cfg, "--model", model, "--out-dir", empty}, ExitUsage, "(one of them)"},
		{[]string{"--config", cfg}, ExitUsage, "--out-dir DIR is required"},
		{[]string{"--config", cfg, "--out-dir", empty, "--to", "xc-matrix"}, ExitUsage, `--to "xc-matrix": want xc or libsvm`},
		{[]string{"--config", cfg, "--out-dir", empty, "--format", "csv"}, ExitUsage, "csv"},
		{[]string{"--config", cfg, "--out-dir", empty, "--set", "train.epoch=2"}, ExitUsage, "did you mean train.epochs?"},
		{[]string{"--model", filepath.Join(empty, "nope"), "--out-dir", empty}, ExitModel, "no such directory"},
		{[]string{"--config", cfg, "--out-dir", filepath.Join(cfg, "sub")}, ExitUsage, "--out-dir"},
	} {
		code, stdout, errOut := runMain(t, "", append([]string{"data", "export"}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.want) || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d with %q", c.args, code, stdout, errOut, c.code, c.want)
		}
		if entries, _ := os.ReadDir(empty); len(entries) > 0 {
			t.Errorf("%v: wrote %d files", c.args, len(entries))
			os.RemoveAll(empty)
		}
	}
}

// mkdirUndo removes only the directories it created, and only while they
// are empty.
func TestMkdirUndo(t *testing.T) {
	root := t.TempDir()
	undo, err := mkdirUndo(filepath.Join(root, "a", "b", "c"))
	if err != nil {
		t.Fatal(err)
	}
	undo()
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("left %v in the existing directory", entries)
	}
	os.MkdirAll(filepath.Join(root, "a"), 0o755)
	undo, _ = mkdirUndo(filepath.Join(root, "a", "b", "c"))
	os.WriteFile(filepath.Join(root, "a", "b", "kept.txt"), nil, 0o644)
	undo()
	if _, err := os.Stat(filepath.Join(root, "a", "b", "c")); !os.IsNotExist(err) {
		t.Errorf("the empty directory it created is still there (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(root, "a", "b", "kept.txt")); err != nil {
		t.Errorf("a directory holding a file was removed: %v", err)
	}
	undo, _ = mkdirUndo(root)
	undo()
	if _, err := os.Stat(root); err != nil {
		t.Errorf("an existing directory was removed: %v", err)
	}
}
