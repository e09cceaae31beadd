package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// trainTinyFiles trains trainTiny's model from data files (train.txt and
// test.txt in a data directory of its own, named by data.dir) instead of
// generated rows, so that its manifest records a training file; it
// returns the model and data directories.
func trainTinyFiles(t *testing.T) (model, dataDir string) {
	t.Helper()
	t.Setenv("MHE_DATA_DIR", "")
	tmp := t.TempDir()
	dataDir = filepath.Join(tmp, "data")
	os.Mkdir(dataDir, 0o755)
	if code, _, errOut := runMain(t, "", "data", "synth", "--examples", "600", "--features", "200", "--labels", "30", "--seed", "4",
		"--out", filepath.Join(dataDir, "train.txt"), "--test-examples", "100", "--test-out", filepath.Join(dataDir, "test.txt"), "--quiet"); code != 0 {
		t.Fatalf("synth: %s", errOut)
	}
	cfg := filepath.Join(tmp, "files.yaml")
	os.WriteFile(cfg, []byte(strings.Replace(tinyConfig,
		"  synth: {examples: 1500, test_examples: 300, features: 300, labels: 40, seed: 4}\n",
		"  dir: "+dataDir+"\n  train: train.txt\n  test: test.txt\n", 1)), 0o644)
	model = filepath.Join(tmp, "model")
	if code, _, errOut := runMain(t, "", "train", "--config", cfg, "--out", model, "--quiet"); code != 0 {
		t.Fatalf("train: %s", errOut)
	}
	return model, dataDir
}

// verifyJSON runs mhe verify --format json and decodes its report.
func verifyJSON(t *testing.T, args ...string) (int, verifyReport) {
	t.Helper()
	code, out, errOut := runMain(t, "", append([]string{"verify", "--format", "json"}, args...)...)
	var r verifyReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("verify %v: exit %d, stdout %q, stderr %q: %v", args, code, out, errOut, err)
	}
	return code, r
}

type verifyReport struct {
	OK     bool            `json:"ok"`
	Models []verifiedModel `json:"models"`
}

// copyDir copies the files of a flat directory (a model's files and its
// training/ directory are enough for these tests).
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

func TestVerify(t *testing.T) {
	model, dataDir := trainTinyFiles(t)
	raw, _ := os.ReadFile(filepath.Join(model, "manifest.json"))
	var man struct {
		Weights string `json:"weights_file"`
	}
	json.Unmarshal(raw, &man)

	// A model as training wrote it: every file, and its data.
	code, out, errOut := runMain(t, "", "verify", model)
	if code != 0 || !strings.HasPrefix(out, "ok      "+model+": mhp ") || !strings.Contains(out, "sha256 as recorded: config.yaml (") ||
		!strings.Contains(out, man.Weights) || errOut != "" {
		t.Errorf("intact model: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, _ = runMain(t, "", "verify", "--data", model)
	if want := "data.train " + filepath.Join(dataDir, "train.txt") + ": the bytes it was trained on\n"; code != 0 || !strings.Contains(out, want) {
		t.Errorf("--data, same data: exit %d, stdout %q; want %q", code, out, want)
	}
	code, r := verifyJSON(t, "--data", model)
	if m := r.Models[0]; code != 0 || !r.OK || !m.OK || m.ExitCode != 0 || m.Method != "mhp" || m.Labels != 30 || len(m.Files) != 2 ||
		len(m.Data) != 2 || !m.Data[0].Same || m.Data[0].Role != "train" || m.Data[0].SHA256 != m.Data[0].Recorded || m.Data[1].Role != "test" {
		t.Errorf("--data --format json: exit %d, %+v", code, r)
	}
	if code, _, errOut := runMain(t, "", "verify", "--set", "data.dir=/x", model); code != ExitUsage || !strings.Contains(errOut, "goes with --data") {
		t.Errorf("--set without --data: exit %d, %q", code, errOut)
	}

	// The data moved (MHE_DATA_DIR or --set data.dir finds the copy), then
	// changed, then gone: exit 3, and the line says which.
	moved := filepath.Join(t.TempDir(), "moved")
	copyDir(t, dataDir, moved)
	t.Setenv("MHE_DATA_DIR", moved)
	if code, out, _ := runMain(t, "", "verify", "--data", model); code != 0 || !strings.Contains(out, filepath.Join(moved, "train.txt")+": the bytes") {
		t.Errorf("data moved, MHE_DATA_DIR: exit %d %q", code, out)
	}
	t.Setenv("MHE_DATA_DIR", "")
	f, _ := os.OpenFile(filepath.Join(moved, "train.txt"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("3 7:1\n")
	f.Close()
	code, out, errOut = runMain(t, "", "verify", "--data", "--set", "data.dir="+moved, model)
	if code != ExitData || !strings.HasPrefix(out, "FAILED  ") || !strings.Contains(out, "CHANGED since training") ||
		!strings.Contains(errOut, "1 of 1 model directories failed: "+model+": data.train ") {
		t.Errorf("changed data: exit %d, stdout %q, stderr %q; want exit %d", code, out, errOut, ExitData)
	}
	code, r = verifyJSON(t, "--data", "--set", "data.dir="+moved, model)
	if m := r.Models[0]; code != ExitData || r.OK || m.OK || m.ExitCode != ExitData || m.Data[0].Same || !strings.Contains(m.Error, "changed after the model") {
		t.Errorf("changed data, json: exit %d, %+v", code, r)
	}
	os.Remove(filepath.Join(moved, "train.txt"))
	if code, out, _ := runMain(t, "", "verify", "--data", "--set", "data.dir="+moved, model); code != ExitData || !strings.Contains(out, "cannot be read: data.train: open ") {
		t.Errorf("missing data: exit %d %q", code, out)
	}

	// Damage, one kind a copy: each fails with exit 4 and what is wrong.
	damaged := func(name string, edit func(dir string)) string {
		t.Helper()
		dir := filepath.Join(t.TempDir(), name)
		copyDir(t, model, dir)
		edit(dir)
		return dir
	}
	appendTo := func(file string) func(string) {
		return func(dir string) {
			f, _ := os.OpenFile(filepath.Join(dir, file), os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString("#\n")
			f.Close()
		}
	}
	// The manifest records another sha256 for the weights but their own
	// CRC-32C: loading (which checks the CRC) takes them; verify does not.
	otherSum := damaged("other-sha256", func(dir string) {
		raw, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
		var m struct {
			Files map[string]struct {
				SHA256 string `json:"sha256"`
			} `json:"files"`
		}
		json.Unmarshal(raw, &m)
		sum := m.Files[man.Weights].SHA256
		os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(strings.Replace(string(raw), sum, strings.Repeat("0", 64), 1)), 0o644)
	})
	if code, _, errOut := runMain(t, "", "predict", "--model", otherSum, "--input", filepath.Join(dataDir, "test.txt"), "--out", filepath.Join(t.TempDir(), "p.txt")); code != 0 {
		t.Fatalf("the model with another recorded sha256 should still load (crc32c): exit %d %s", code, errOut)
	}
	removed := damaged("removed", func(dir string) {
		os.Remove(filepath.Join(dir, man.Weights))
		os.WriteFile(filepath.Join(dir, "WEIGHTS-REMOVED.txt"), []byte("removed by a sweep (keep_weights: false)\n"), 0o644)
	})
	unfinished := damaged("unfinished", func(dir string) {
		os.Remove(filepath.Join(dir, "manifest.json"))
		os.MkdirAll(filepath.Join(dir, "training"), 0o755)
		os.Rename(filepath.Join(dir, "config.yaml"), filepath.Join(dir, "training", "config.yaml"))
	})
	for _, c := range []struct {
		name, dir, want string
	}{
		{"config.yaml changed", damaged("config", appendTo("config.yaml")), "config.yaml fails its sha256 check"},
		{"weights changed", damaged("weights", appendTo(man.Weights)), man.Weights},
		{"another sha256 recorded", otherSum, man.Weights + " fails its sha256 check"},
		{"weights missing", damaged("gone", func(dir string) { os.Remove(filepath.Join(dir, man.Weights)) }), "missing"},
		{"weights removed by a sweep", removed, "removed"},
		{"manifest missing", damaged("nomanifest", func(dir string) { os.Remove(filepath.Join(dir, "manifest.json")) }), "has no manifest.json"},
		{"an unfinished run", unfinished, "mhe train --resume"},
		{"no directory", filepath.Join(t.TempDir(), "nope"), "no such directory"},
		{"a file", filepath.Join(dataDir, "test.txt"), "it is a file"},
	} {
		code, out, errOut := runMain(t, "", "verify", c.dir)
		if code != ExitModel || !strings.HasPrefix(out, "FAILED  "+c.dir+": ") || !strings.Contains(out, c.want) || !strings.Contains(errOut, "verify: 1 of 1 model directories failed: "+c.dir+": ") || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and %q", c.name, code, out, errOut, ExitModel, c.want)
		}
	}

	// Several directories: each is checked and reported in order; a
	// damaged model's exit code (4) wins over a data error's (3).
	code, r = verifyJSON(t, "--data", "--set", "data.dir="+moved, model, otherSum, model)
	if code != ExitModel || r.OK || len(r.Models) != 3 || r.Models[0].ExitCode != ExitData || r.Models[1].ExitCode != ExitModel ||
		r.Models[1].Method != "" || r.Models[1].Seed != nil || r.Models[2].Model != model {
		t.Errorf("three directories: exit %d, %+v", code, r)
	}
	code, out, errOut = runMain(t, "", "verify", model, otherSum, model)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != ExitModel || len(lines) != 3 || !strings.HasPrefix(lines[0], "ok ") ||
		!strings.HasPrefix(lines[1], "FAILED ") || !strings.HasPrefix(lines[2], "ok ") || !strings.Contains(errOut, "1 of 3 model directories failed: "+otherSum+": ") {
		t.Errorf("three directories: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// A model of generated data has nothing to compare.
	synthModel, _ := trainTiny(t)
	if code, out, _ := runMain(t, "", "verify", "--data", synthModel); code != 0 || !strings.Contains(out, "data: generated data (data.synth)") {
		t.Errorf("--data on generated data: exit %d %q", code, out)
	}
	if code, _, errOut := runMain(t, "", "verify"); code != ExitUsage || !strings.Contains(errOut, "usage: mhe verify MODEL_DIR...") {
		t.Errorf("no directory: exit %d %q", code, errOut)
	}
}

func TestVerifyFailure(t *testing.T) {
	for _, c := range []struct {
		codes []int // 0: passed
		want  int
	}{
		{[]int{0, 0}, ExitOK},
		{[]int{ExitData}, ExitData},
		{[]int{ExitData, ExitModel, ExitData}, ExitModel},
		{[]int{ExitModel, ExitData}, ExitModel},
		{[]int{0, ExitUsage}, ExitUsage},
		{[]int{ExitUsage, ExitModel}, ExitModel},
	} {
		var rs []verifiedModel
		for i, code := range c.codes {
			rs = append(rs, verifiedModel{Model: string(rune('a' + i)), OK: code == 0, ExitCode: code})
		}
		if got := exitCode(verifyFailure(rs)); got != c.want {
			t.Errorf("%v: exit %d, want %d", c.codes, got, c.want)
		}
	}
}
