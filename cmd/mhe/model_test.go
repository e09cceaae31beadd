package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/eval"
	"github.com/mhe-xlc/mhe/internal/memlimit"
	"github.com/mhe-xlc/mhe/internal/testutil"
	"github.com/mhe-xlc/mhe/internal/train"
)

const tinyConfig = `name: tiny
data:
  synth: {examples: 1500, test_examples: 300, features: 300, labels: 40, seed: 4}
  normalize: l2
encoder: {type: mlp, hidden: [32]}
head: {method: mhp, heads: 2}
train: {epochs: 2, batch_size: 32, lr: 0.01}
`

// trainTiny trains a small synthetic model (with --set overrides) and
// returns its directory.
func trainTiny(t *testing.T, sets ...string) (dir, cfg string) {
	t.Helper()
	tmp := t.TempDir()
	cfg = filepath.Join(tmp, "tiny.yaml")
	os.WriteFile(cfg, []byte(tinyConfig), 0o644)
	dir = filepath.Join(tmp, "model")
	args := []string{"train", "--config", cfg, "--out", dir, "--quiet"}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	if code, _, errOut := runMain(t, "", args...); code != 0 {
		t.Fatalf("train: %s", errOut)
	}
	return dir, cfg
}

func TestModelDirectoryContract(t *testing.T) {
	dir, cfg := trainTiny(t)
	for _, f := range []string{"manifest.json", "config.yaml", "metrics.jsonl", "result.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("model directory lacks %s", f)
		}
	}
	var man map[string]any
	raw, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	json.Unmarshal(raw, &man)
	for _, k := range []string{"format_version", "mhe_version", "mhe_commit", "labels", "features", "head", "label_permutation", "files", "training_data"} {
		if _, ok := man[k]; !ok {
			t.Errorf("manifest lacks %q", k)
		}
	}
	lines, _ := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	if n := strings.Count(string(lines), "\n"); n != 2 {
		t.Errorf("metrics.jsonl has %d lines, want one per epoch (2)", n)
	}
	// An existing directory is refused without --force (exit 2).
	code, _, errOut := runMain(t, "", "train", "--config", cfg, "--out", dir, "--quiet")
	if code != ExitUsage || !strings.Contains(errOut, "--force") {
		t.Errorf("existing dir: exit %d %s", code, errOut)
	}
	// --print-config shows the resolved config.
	code, out, _ := runMain(t, "", "train", "--config", cfg, "--print-config", "--set", "train.epochs=7")
	if code != 0 || !strings.Contains(out, "epochs: 7") || !strings.Contains(out, "batch_size: 32") {
		t.Errorf("--print-config: %s", out)
	}
	// eval --model and predict agree.
	code, out, errOut = runMain(t, "", "eval", "--model", dir, "--format", "json")
	if code != 0 {
		t.Fatal(errOut)
	}
	var res struct {
		Metrics map[string]float64 `json:"metrics"`
	}
	json.Unmarshal([]byte(out), &res)
	if res.Metrics["p@1"] <= 0 {
		t.Errorf("eval --model: %s", out)
	}
	code, pred, errOut := runMain(t, "", "predict", "--model", dir, "--header", "--quiet")
	if code != 0 || !strings.HasPrefix(pred, "300 40\n") || strings.Count(pred, "\n") != 301 {
		t.Errorf("predict --header: exit %d, %q… %s", code, pred[:min(20, len(pred))], errOut)
	}
}

func TestPredictStreamsInput(t *testing.T) {
	dir, _ := trainTiny(t)
	in := "3 300 40\n1 2:1 7:3\n 5:1\n\n"
	code, out, errOut := runMain(t, in, "predict", "--model", dir, "--input", "-", "--topk", "2", "--quiet")
	if code != 0 {
		t.Fatal(errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 || len(strings.Fields(lines[0])) != 2 {
		t.Errorf("want 3 lines of 2 predictions, got %q", out)
	}
	code, out, _ = runMain(t, in, "predict", "--model", dir, "--input", "-", "--threshold", "0.999", "--quiet")
	if code != 0 || strings.Count(out, "\n") != 3 {
		t.Errorf("threshold keeps one line per row: %q", out)
	}
	for _, bad := range [][]string{{"--topk", "0"}, {"--topk", "-3"}, {"--threshold", "1.5"}, {"--threshold", "-0.1"}, {"--threshold", "NaN"}} {
		code, out, errOut = runMain(t, in, append([]string{"predict", "--model", dir, "--input", "-"}, bad...)...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, bad[0]) {
			t.Errorf("predict %v: exit %d, stdout %q, stderr %q; want exit %d naming the flag", bad, code, out, errOut, ExitUsage)
		}
	}
	// A header declaring more features than the model knows: exit 4 before
	// any output; ids beyond the model in a headerless file: a warning
	// (even with --quiet) and the predictions of the usable features.
	code, out, errOut = runMain(t, "2 301 40\n1 2:1\n3 300:1\n", "predict", "--model", dir, "--input", "-")
	if code != ExitModel || out != "" || !strings.Contains(errOut, "<stdin> declares 301 features, but the model was trained on 300") {
		t.Errorf("wider input: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = runMain(t, "1 2:1\n3 1:1 299:1\n2 300:1 7000:2\n", "predict", "--model", dir, "--input", "-", "--input-format", "libsvm", "--feature-base", "0", "--quiet")
	if code != 0 || strings.Count(out, "\n") != 3 || !strings.Contains(errOut, "warning: 1 rows have feature ids >= 300") {
		t.Errorf("ids beyond the model: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// Damaged input: exit 3 with the position.
	code, _, errOut = runMain(t, "2 300 40\n1 2:x\n", "predict", "--model", dir, "--input", "-")
	if code != ExitData || !strings.Contains(errOut, "<stdin>:2:5") {
		t.Errorf("bad input: exit %d %s", code, errOut)
	}
	// A failed prediction leaves no output file behind.
	outFile := filepath.Join(t.TempDir(), "pred.txt")
	runMain(t, "2 300 40\n1 2:x\n", "predict", "--model", dir, "--input", "-", "--out", outFile)
	if _, err := os.Stat(outFile); !os.IsNotExist(err) {
		t.Error("half-written prediction file left behind")
	}
}

func TestUnusableModels(t *testing.T) {
	dir, _ := trainTiny(t)
	manifest := filepath.Join(dir, "manifest.json")
	raw, _ := os.ReadFile(manifest)
	var man map[string]any
	json.Unmarshal(raw, &man)
	weights := filepath.Join(dir, man["weights_file"].(string))
	w, _ := os.ReadFile(weights)

	check := func(name string, wantCode int, want string) {
		t.Helper()
		code, _, errOut := runMain(t, "", "predict", "--model", dir, "--quiet")
		if code != wantCode || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d %q, want exit %d with %q", name, code, errOut, wantCode, want)
		}
	}
	flipped := append([]byte(nil), w...)
	flipped[len(flipped)/2] ^= 1
	os.WriteFile(weights, flipped, 0o644)
	check("flipped byte", ExitModel, "fails its crc32c check")
	// The weights are checked while the input is read: still nothing is
	// written, to stdout or a file, and eval reports the model before any
	// fault of the data, whichever finishes first.
	outFile := filepath.Join(t.TempDir(), "pred.txt")
	for _, args := range [][]string{
		{"predict", "--model", dir},
		{"predict", "--model", dir, "--out", outFile},
		{"predict", "--model", dir, "--input", "-"},
		{"predict", "--model", dir, "--names", filepath.Join(dir, "nope.txt")},
		{"eval", "--model", dir},
		{"eval", "--model", dir, "--set", "data.dir=" + filepath.Join(dir, "nope")},
	} {
		code, out, errOut := runMain(t, "2 300 40\n1 2:1\n3 1:1\n", args...)
		if code != ExitModel || out != "" || !strings.Contains(errOut, "crc32c") {
			t.Errorf("flipped byte, %v: exit %d, stdout %q, stderr %q; want exit %d naming the checksum and no output", args, code, out, errOut, ExitModel)
		}
	}
	if _, err := os.Stat(outFile); !os.IsNotExist(err) {
		t.Error("flipped byte: a prediction file was written")
	}
	header := append([]byte(nil), w...)
	header[4] = 9 // the tensor format version: the checksum is named, not the version
	os.WriteFile(weights, header, 0o644)
	check("damaged header", ExitModel, "crc32c")
	// A manifest written before the CRC-32C was added: the sha256 checks.
	var files map[string]map[string]any
	json.Unmarshal(raw, &struct {
		Files *map[string]map[string]any `json:"files"`
	}{&files})
	old := string(raw)
	for name := range files {
		crc, _ := files[name]["crc32c"].(string)
		old = strings.Replace(old, `"crc32c": "`+crc+`",`, "", 1)
	}
	if strings.Contains(old, "crc32c") {
		t.Fatalf("the manifest still names a crc32c:\n%s", old)
	}
	os.WriteFile(manifest, []byte(old), 0o644)
	check("damaged header, manifest without crc32c", ExitModel, "fails its sha256 check")
	os.WriteFile(weights, w, 0o644)
	check("manifest without crc32c", 0, "")
	os.WriteFile(weights, flipped, 0o644)
	check("flipped byte, manifest without crc32c", ExitModel, "fails its sha256 check")
	os.WriteFile(manifest, raw, 0o644)
	os.Remove(weights)
	check("missing weights", ExitModel, "missing")
	os.WriteFile(weights, w, 0o644)
	future := strings.Replace(string(raw), `"format_version": 1`, `"format_version": 99`, 1)
	os.WriteFile(manifest, []byte(future), 0o644)
	check("future format", ExitModel, "format version 99")
	os.WriteFile(manifest, raw, 0o644)
	check("restored", 0, "")
	code, _, errOut := runMain(t, "", "eval", "--model", filepath.Join(dir, "nope"))
	if code != ExitModel {
		t.Errorf("no model directory: exit %d %s", code, errOut)
	}
}

// A run record alone regenerates its run: mhe train --config result.json
// reads the resolved config in it and trains the same model bytes.
func TestRerunFromResult(t *testing.T) {
	dir, _ := trainTiny(t)
	again := filepath.Join(t.TempDir(), "again")
	if code, _, errOut := runMain(t, "", "train", "--config", filepath.Join(dir, "result.json"), "--out", again, "--quiet"); code != 0 {
		t.Fatalf("train --config result.json: exit %d: %s", code, errOut)
	}
	if !sameWeights(dir, again) {
		t.Errorf("rerun from result.json gave other weights than the original")
	}
}

// sameWeights reports whether two model directories hold the same weights:
// one weights file each, named by its content hash.
func sameWeights(a, b string) bool {
	wa, _ := filepath.Glob(filepath.Join(a, "weights-*.bin"))
	wb, _ := filepath.Glob(filepath.Join(b, "weights-*.bin"))
	return len(wa) == 1 && len(wb) == 1 && filepath.Base(wa[0]) == filepath.Base(wb[0])
}

type evalRec struct {
	Kind    string             `json:"kind"`
	Name    string             `json:"name"`
	Metrics map[string]float64 `json:"metrics"`
	Data    []struct{ Role, Path, SHA256 string }
	Plan    struct{ Method string }
	Config  struct{ Name string }
	Timing  struct {
		PredictRows int `json:"predict_rows"`
	}
	MHE struct{ Version string }
}

// mhe eval --result writes a run record in both modes: the files and their
// checksums, the metrics, and (with --model) the plan and resolved config.
func TestEvalResult(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "hand.result.json")
	code, _, errOut := runMain(t, "", "eval", "--truth", "testdata/hand_truth.txt", "--pred", "testdata/hand_pred.txt", "--result", out)
	if code != 0 {
		t.Fatalf("eval --result: %s", errOut)
	}
	var rec evalRec
	raw, _ := os.ReadFile(out)
	json.Unmarshal(raw, &rec)
	if rec.Kind != "eval" || rec.Name != "hand_truth" || !(math.Abs(rec.Metrics["p@1"]-2.0/3) <= 1e-9) || len(rec.Data) != 2 || len(rec.Data[0].SHA256) != 64 || rec.MHE.Version == "" {
		t.Errorf("record: %s", raw)
	}
	dir, _ := trainTiny(t)
	out = filepath.Join(tmp, "model.result.json")
	if code, _, errOut := runMain(t, "", "eval", "--model", dir, "--result", out); code != 0 {
		t.Fatalf("eval --model --result: %s", errOut)
	}
	raw, _ = os.ReadFile(out)
	rec = evalRec{}
	json.Unmarshal(raw, &rec)
	if rec.Kind != "eval" || rec.Plan.Method != "mhp" || rec.Config.Name != "tiny" || rec.Timing.PredictRows != 300 || rec.Metrics["p@1"] <= 0 {
		t.Errorf("model record: %s", raw)
	}
}

// report --split validation reads each run's validation metrics (here the
// last epoch's: no early stopping), titles the columns "val", and refuses
// runs that were never validated; the default stays the test metrics.
func TestReportValidationSplit(t *testing.T) {
	_, cfg := trainTiny(t)
	runs := t.TempDir()
	for _, seed := range []string{"1", "2"} {
		dir := filepath.Join(runs, "s"+seed)
		if code, _, errOut := runMain(t, "", "train", "--config", cfg, "--out", dir, "--quiet", "--seed", seed, "--set", "train.validation_fraction=0.2"); code != 0 {
			t.Fatalf("train: %s", errOut)
		}
	}
	var want []float64
	for _, seed := range []string{"1", "2"} {
		var res struct {
			History []struct {
				Validation map[string]float64 `json:"validation"`
			} `json:"history"`
		}
		raw, _ := os.ReadFile(filepath.Join(runs, "s"+seed, "result.json"))
		if err := json.Unmarshal(raw, &res); err != nil || len(res.History) != 2 {
			t.Fatalf("result.json: %v", err)
		}
		want = append(want, res.History[1].Validation["p@1"])
	}
	code, out, errOut := runMain(t, "", "report", runs, "--split", "validation", "--format", "json")
	if code != 0 {
		t.Fatal(errOut)
	}
	var rows []struct {
		Split   string `json:"split"`
		Metrics map[string]struct {
			Mean float64 `json:"mean"`
			N    int     `json:"n"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("report json: %v %s", err, out)
	}
	if got := rows[0].Metrics["p@1"]; rows[0].Split != "validation" || got.N != 2 || !(math.Abs(got.Mean-(want[0]+want[1])/2) <= 1e-12) {
		t.Errorf("validation p@1 %+v (split %q), want the mean of %v", got, rows[0].Split, want)
	}
	if _, out, _ = runMain(t, "", "report", runs, "--split", "validation", "--metrics", "p@1"); !strings.Contains(out, "val P@1") {
		t.Errorf("validation columns are not titled as such:\n%s", out)
	}
	if _, out, _ = runMain(t, "", "report", runs, "--metrics", "p@1"); strings.Contains(out, "val ") {
		t.Errorf("the default reports test metrics:\n%s", out)
	}
	plain, _ := trainTiny(t)
	code, out, errOut = runMain(t, "", "report", plain, "--split", "validation")
	if code != ExitUsage || out != "" || !strings.Contains(errOut, "was not validated; train with train.validation_fraction") {
		t.Errorf("unvalidated run: exit %d %q %s", code, out, errOut)
	}
	// A weight average is validated after the last epoch: report shows it.
	swa := t.TempDir()
	if code, _, errOut := runMain(t, "", "train", "--config", cfg, "--out", filepath.Join(swa, "m"), "--set", "train.validation_fraction=0.2", "--set", "train.average=swa", "--set", "train.average_start=1"); code != 0 {
		t.Fatalf("train swa: %s", errOut)
	} else if !strings.Contains(errOut, "weights: the average of epochs 1-2, validation p@1 ") {
		t.Errorf("train does not say which weights it kept and how they validate:\n%s", errOut)
	}
	var avg struct {
		AverageValidation map[string]float64 `json:"average_validation"`
	}
	raw, _ := os.ReadFile(filepath.Join(swa, "m", "result.json"))
	if err := json.Unmarshal(raw, &avg); err != nil || avg.AverageValidation == nil {
		t.Fatalf("result.json of a validated SWA run has no average_validation: %v", err)
	}
	code, out, errOut = runMain(t, "", "report", swa, "--split", "validation", "--format", "json")
	rows = nil
	if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil || len(rows) != 1 || rows[0].Metrics["p@1"].Mean != avg.AverageValidation["p@1"] {
		t.Errorf("report --split validation of an SWA run: exit %d %s %s, want p@1 %v", code, out, errOut, avg.AverageValidation["p@1"])
	}
	if code, _, errOut = runMain(t, "", "report", runs, "--split", "dev"); code != ExitUsage || !strings.Contains(errOut, `--split "dev": want test or validation`) {
		t.Errorf("--split dev: exit %d %s", code, errOut)
	}
}

// eval.score_test false trains the same model without scoring the test
// rows (still held out of training): train prints no test metrics, the
// record has none, report refuses its test split naming the way out, and
// reports its validation split; mhe eval --model scores the test rows later
// exactly as a run that scored them.
func TestScoreTestFalse(t *testing.T) {
	scored, cfg := trainTiny(t, "train.validation_fraction=0.2")
	dir := filepath.Join(t.TempDir(), "unscored")
	code, out, errOut := runMain(t, "", "train", "--config", cfg, "--out", dir, "--set", "train.validation_fraction=0.2", "--set", "eval.score_test=false")
	if code != 0 {
		t.Fatalf("train: %s", errOut)
	}
	if out != "" || !strings.Contains(errOut, "test: 300 rows held out and not scored (eval.score_test: false); score them with: mhe eval --model "+dir) {
		t.Errorf("train with eval.score_test false printed:\nstdout %q\nstderr %s", out, errOut)
	}
	if !sameWeights(scored, dir) {
		t.Errorf("the weights differ from those of the run that scored its test rows")
	}
	var rec struct {
		Metrics   map[string]float64 `json:"metrics"`
		NTestRows int                `json:"n_test_rows"`
		History   []struct {
			Validation map[string]float64 `json:"validation"`
		} `json:"history"`
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "result.json"))
	if err := json.Unmarshal(raw, &rec); err != nil || rec.Metrics != nil || rec.NTestRows != 0 || len(rec.History) != 2 || rec.History[1].Validation["p@1"] <= 0 {
		t.Fatalf("result.json: %v: %s", err, raw)
	}
	code, out, errOut = runMain(t, "", "report", dir)
	if code != ExitUsage || out != "" || !strings.Contains(errOut, "the run scored no test rows (no test split, or eval.score_test: false); report its validation rows with --split validation, or score its test rows with: mhe eval --model "+dir) {
		t.Errorf("report of an unscored run: exit %d %q %s", code, out, errOut)
	}
	if code, out, errOut = runMain(t, "", "report", dir, "--split", "validation", "--metrics", "p@1", "--format", "csv"); code != 0 || !strings.Contains(out, strconv.FormatFloat(100*rec.History[1].Validation["p@1"], 'f', 2, 64)) {
		t.Errorf("report --split validation: exit %d %s %s", code, out, errOut)
	}
	_, want, _ := runMain(t, "", "eval", "--model", scored)
	if code, got, errOut := runMain(t, "", "eval", "--model", dir); code != 0 || got != want || !strings.Contains(got, "P ") {
		t.Errorf("eval --model of the unscored run: exit %d %s\n%s\nwant\n%s", code, errOut, got, want)
	}
}

// plan --model reports a trained model's heads, and --codes its label
// structure: every label's code is the model's permutation of it and its
// digits decode to that code.
func TestPlanModelCodes(t *testing.T) {
	dir, cfg := trainTiny(t, "head.method=mhc", "head.lengths=[8,5]", "head.label_order=random")
	tmp := t.TempDir()
	code, out, errOut := runMain(t, "", "plan", "--model", dir, "--format", "json")
	if code != 0 {
		t.Fatalf("plan --model: exit %d: %s", code, errOut)
	}
	var p struct {
		Method    string `json:"method"`
		Labels    int    `json:"labels"`
		Lengths   []int  `json:"lengths"`
		Dim       int    `json:"dim"`
		Optimizer string `json:"optimizer"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if p.Method != "mhc" || p.Labels != 40 || !slices.Equal(p.Lengths, []int{8, 5}) || p.Dim != 32 || p.Optimizer != "adam" {
		t.Errorf("plan --model = %+v, want mhc, 40 labels, 8 x 5, d = 32, adam", p)
	}

	names := filepath.Join(tmp, "names.txt")
	var nb strings.Builder
	for i := range 40 {
		fmt.Fprintf(&nb, "tag %d\n", i)
	}
	os.WriteFile(names, []byte(nb.String()), 0o644)
	codes := filepath.Join(tmp, "codes.csv")
	if code, _, errOut := runMain(t, "", "plan", "--model", dir, "--codes", codes, "--names", names); code != 0 {
		t.Fatalf("plan --codes: exit %d: %s", code, errOut)
	}
	f, err := os.Open(codes)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	m, _, closeFn, err := train.LoadModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	if m.Perm == nil {
		t.Fatal("label_order random left no permutation in the model")
	}
	if len(rows) != 41 || strings.Join(rows[0], ",") != "label,name,code,h1,h2" {
		t.Fatalf("codes: %d rows, header %v", len(rows), rows[0])
	}
	moved := 0
	for y, r := range rows[1:] {
		code, _ := strconv.Atoi(r[2])
		h1, _ := strconv.Atoi(r[3])
		h2, _ := strconv.Atoi(r[4])
		if r[0] != strconv.Itoa(y) || r[1] != fmt.Sprintf("tag %d", y) || code != int(m.Perm[y]) || code != 5*h1+h2 || h2 >= 5 {
			t.Fatalf("codes row %d = %v, want label %d, its name, code %d = 5·h1 + h2", y, r, y, m.Perm[y])
		}
		if code != y {
			moved++
		}
	}
	if moved == 0 {
		t.Error("a random label order wrote the identity")
	}
	// --codes - is the same CSV, alone on stdout.
	code, out, _ = runMain(t, "", "plan", "--model", dir, "--codes", "-", "--names", names)
	if want, _ := os.ReadFile(codes); code != 0 || out != string(want) {
		t.Errorf("--codes -: exit %d, stdout differs from the --codes file:\n%.200s", code, out)
	}

	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"plan", "--model", dir, "--lengths", "4,10"}, ExitUsage, "--lengths: a trained model's heads are fixed"},
		{[]string{"plan", "--model", dir, "--labels", "40"}, ExitUsage, "one way"},
		{[]string{"plan", "--model", dir, "--names", names}, ExitUsage, "add --codes"},
		{[]string{"plan", "--config", cfg, "--set", "head.label_order=cluster", "--codes", "-"}, ExitUsage, "label_order cluster is computed when training"},
		{[]string{"plan", "--model", filepath.Join(tmp, "nothing")}, ExitModel, "nothing"},
		{[]string{"plan", "--model", dir, "--codes", filepath.Join(tmp, "short.csv"), "--names", cfg}, ExitData, "names but the data has 40"},
		// --codes is checked before any work, like every output: a missing
		// directory is a usage error.
		{[]string{"plan", "--model", dir, "--codes", filepath.Join(tmp, "no", "dir.csv")}, ExitUsage, "mkdir -p " + filepath.Join(tmp, "no")},
	} {
		code, out, errOut := runMain(t, "", c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) || out != "" {
			t.Errorf("%v: exit %d %q (stdout %q), want exit %d with %q", c.args, code, errOut, out, c.code, c.msg)
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "short.csv")); err == nil {
		t.Error("a refused --codes left its file behind")
	}
}

// predict --beam widens an MHC model's prediction beam: its training beam
// gives the default's bytes, every level-1 node gives the exact ranking,
// and other heads refuse it.
func TestPredictBeam(t *testing.T) {
	dir, _ := trainTiny(t, "head.method=mhc", "head.lengths=[8,5]", "head.beam=1")
	predict := func(args ...string) string {
		t.Helper()
		code, out, errOut := runMain(t, "", append([]string{"predict", "--model", dir, "--topk", "5"}, args...)...)
		if code != 0 {
			t.Fatalf("predict %v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	def, same, wide := predict(), predict("--beam", "1"), predict("--beam", "8")
	if same != def {
		t.Error("--beam 1, the training beam, changed the predictions")
	}
	if wide == def {
		t.Error("--beam 8 predicted exactly what beam 1 did")
	}
	// Beam 1 keeps one group of 5 labels; beam 8 ranks across groups.
	groups := func(out string) int {
		most := 0
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			seen := map[int]bool{}
			for _, pair := range strings.Fields(line) {
				l, _ := strconv.Atoi(strings.Split(pair, ":")[0])
				seen[l/5] = true
			}
			most = max(most, len(seen))
		}
		return most
	}
	if g := groups(def); g != 1 {
		t.Errorf("beam 1: a row's labels span %d groups, want 1", g)
	}
	if g := groups(wide); g < 2 {
		t.Errorf("beam 8: no row's labels span two groups")
	}
	code, out, _ := runMain(t, "", "eval", "--model", dir, "--beam", "8", "--format", "json")
	if code != 0 || !strings.Contains(out, `"p@1"`) {
		t.Errorf("eval --model --beam: exit %d %s", code, out)
	}
	mhp, _ := trainTiny(t)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"predict", "--model", mhp, "--beam", "4"}, "applies to MHC models; this model's head is mhp"},
		{[]string{"predict", "--model", dir, "--beam", "-1"}, "--beam -1 must be >= 0"},
		{[]string{"eval", "--pred", "p.txt", "--truth", "t.txt", "--beam", "4"}, "it goes with --model"},
	} {
		code, out, errOut := runMain(t, "", c.args...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d %q, want exit 2 with %q", c.args, code, errOut, c.msg)
		}
	}
}

// train logs its memory before the first batch and, when that exceeds what
// the process may use, warns even with --quiet.
func TestTrainMemoryWarning(t *testing.T) {
	_, cfg := trainTiny(t)
	defer func(f func() memlimit.Limit) { detectLimit = f }(detectLimit)
	detectLimit = func() memlimit.Limit { return memlimit.Limit{Bytes: 4096, Source: "/sys/fs/cgroup/job/memory.max"} }
	for _, quiet := range []bool{false, true} {
		args := []string{"train", "--config", cfg, "--out", filepath.Join(t.TempDir(), "m")}
		if quiet {
			args = append(args, "--quiet")
		}
		code, _, errOut := runMain(t, "", args...)
		if code != 0 {
			t.Fatalf("train: %s", errOut)
		}
		if want := "memory: "; quiet == strings.Contains(errOut, want) {
			t.Errorf("quiet %v: %q in the log is %v:\n%s", quiet, want, !quiet, errOut)
		}
		if !strings.Contains(errOut, "warning: this run allocates ") || !strings.Contains(errOut, "may use only 4 KiB (/sys/fs/cgroup/job/memory.max)") {
			t.Errorf("quiet %v: no memory warning:\n%s", quiet, errOut)
		}
	}
}

// plan --config prices the config's model and batch buffers as training
// will allocate them: the figures are the ones train logs before its first
// batch, and the total is their sum; a head flag (which reshapes only the
// plan) drops them.
func TestPlanTrainingMemory(t *testing.T) {
	_, cfg := trainTiny(t)
	code, out, errOut := runMain(t, "", "plan", "--config", cfg, "--format", "json")
	if code != 0 {
		t.Fatalf("plan: %s", errOut)
	}
	var p struct {
		TrainMemoryBytes     int64 `json:"train_memory_bytes"`
		ModelMemoryBytes     int64 `json:"model_memory_bytes"`
		WorkspaceMemoryBytes int64 `json:"workspace_memory_bytes"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil || p.ModelMemoryBytes <= 0 || p.WorkspaceMemoryBytes <= 0 ||
		p.TrainMemoryBytes != p.ModelMemoryBytes+p.WorkspaceMemoryBytes {
		t.Fatalf("plan --config json lacks train_memory_bytes = model_memory_bytes + workspace_memory_bytes: %v %s", err, out)
	}
	_, _, log := runMain(t, "", "train", "--config", cfg, "--out", filepath.Join(t.TempDir(), "m"))
	if want := "memory: " + train.FormatBytes(p.ModelMemoryBytes) + " allocated for the model (weights, gradients, optimizer state), " +
		train.FormatBytes(p.WorkspaceMemoryBytes) + " for batch buffers"; !strings.Contains(log, want) {
		t.Errorf("train's log lacks %q (plan's %+v):\n%s", want, p, log)
	}
	if _, out, _ := runMain(t, "", "plan", "--config", cfg); !strings.Contains(out, "training memory") || !strings.Contains(out, group(p.TrainMemoryBytes)+" bytes") {
		t.Errorf("plan table lacks the training memory:\n%s", out)
	}
	if _, out, _ := runMain(t, "", "plan", "--config", cfg, "--lengths", "8,5"); strings.Contains(out, "training memory") {
		t.Errorf("plan with --lengths prices the config's model:\n%s", out)
	}
}

// TestOutputFileChecks: a --result (or --per-label) that could not be
// written at the end (a directory, a missing directory, a path under a
// file) is a usage error at once: train creates no model directory and eval
// predicts nothing.
func TestOutputFileChecks(t *testing.T) {
	tmp := t.TempDir()
	dir, cfg := trainTiny(t, "train.epochs=1")
	blocker := filepath.Join(tmp, "file")
	os.WriteFile(blocker, nil, 0o644)
	missing := filepath.Join(tmp, "results", "run1", "r.json")
	for _, tc := range []struct {
		result string
		msg    string
	}{
		{tmp, "is a directory; give a file name, such as " + filepath.Join(tmp, "result.json")},
		{missing, "create the directory first (mkdir -p " + filepath.Dir(missing) + ")"},
		{filepath.Join(blocker, "r.json"), "--result: create " + filepath.Join(blocker, "r.json")},
	} {
		out := filepath.Join(tmp, "never")
		code, _, errOut := runMain(t, "", "train", "--config", cfg, "--out", out, "--quiet", "--result", tc.result)
		if code != ExitUsage || !strings.Contains(errOut, tc.msg) {
			t.Errorf("train --result %s: exit %d, %q; want exit 2 and %q", tc.result, code, errOut, tc.msg)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("train --result %s: the model directory was created before the check", tc.result)
		}
	}
	for _, flag := range []string{"--result", "--per-label"} {
		code, out, errOut := runMain(t, "", "eval", "--model", dir, flag, missing)
		if code != ExitUsage || !strings.Contains(errOut, flag+": create "+missing) || out != "" {
			t.Errorf("eval %s into a missing directory: exit %d, %q, stdout %q", flag, code, errOut, out)
		}
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 1 { // only "file": no temporary files left
		t.Errorf("files left behind: %v", entries)
	}
}

// TestEvalModelPerLabel: eval --model writes --per-label (it used to ignore
// it), consistent with the metrics it prints: with --per-label-k 5 the true
// positives sum to P@5 × rows × 5. Flags that only describe --pred/--truth
// files are refused with --model instead of ignored.
func TestEvalModelPerLabel(t *testing.T) {
	dir, _ := trainTiny(t)
	pl := filepath.Join(t.TempDir(), "pl.csv")
	rec := filepath.Join(t.TempDir(), "eval.json")
	code, out, errOut := runMain(t, "", "eval", "--model", dir, "--per-label", pl, "--per-label-k", "5", "--format", "json", "--result", rec)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		NRows    int                  `json:"n_rows"`
		Metrics  map[string]float64   `json:"metrics"`
		PerLabel eval.PerLabelSummary `json:"per_label"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// Five predictions a row: micro precision is P@5.
	if s := res.PerLabel; s.K != 5 || s.Labels == 0 || !(math.Abs(s.Micro.Precision-res.Metrics["p@5"]) <= 1e-12) || s.Macro.F1 <= 0 {
		t.Errorf("per_label %+v; want k 5, micro precision = P@5 = %g", s, res.Metrics["p@5"])
	}
	var r struct {
		Extra struct {
			PerLabel eval.PerLabelSummary `json:"per_label"`
		} `json:"extra"`
	}
	if raw, err := os.ReadFile(rec); err != nil || json.Unmarshal(raw, &r) != nil || r.Extra.PerLabel != res.PerLabel {
		t.Errorf("--result's extra.per_label %+v (%v), want %+v", r.Extra.PerLabel, err, res.PerLabel)
	}
	raw, err := os.ReadFile(pl)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 41 || !strings.HasPrefix(lines[0], "label,name,support,predicted,true_positives") {
		t.Fatalf("per-label file: %d lines, header %q", len(lines), lines[0])
	}
	tp, predicted := 0, 0
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		n, _ := strconv.Atoi(f[4])
		p, _ := strconv.Atoi(f[3])
		tp, predicted = tp+n, predicted+p
	}
	if predicted != 5*res.NRows {
		t.Errorf("%d predictions counted, want 5 × %d rows", predicted, res.NRows)
	}
	if want := res.Metrics["p@5"] * 5 * float64(res.NRows); !(math.Abs(float64(tp)-want) <= 1e-6) {
		t.Errorf("true positives %d, want P@5 × rows × 5 = %g", tp, want)
	}
	for _, f := range [][]string{{"--truth-format", "xc"}, {"--train", "x.txt"}, {"--single-label", "true"}, {"--dataset", "Wiki"}} {
		code, _, errOut := runMain(t, "", append([]string{"eval", "--model", dir}, f...)...)
		if code != ExitUsage || !strings.Contains(errOut, f[0]+" describes --pred/--truth files") {
			t.Errorf("%v with --model: exit %d, %q", f, code, errOut)
		}
	}
}

// TestPerLabelThreshold: --per-label-threshold T keeps in a row's predicted
// set only the predictions scoring at least T, whether eval scores a model
// or a file of its predictions (the same counts either way), and counts no
// more than at T = 0. --model ranks the largest --k labels a row, so its
// predicted set says so, and a larger --per-label-k is refused rather than
// reported as a set it never saw; both flags need --per-label.
func TestPerLabelThreshold(t *testing.T) {
	tmp := t.TempDir()
	train, test := filepath.Join(tmp, "train.txt"), filepath.Join(tmp, "test.txt")
	if code, _, errOut := runMain(t, "", "data", "synth", "--examples", "1500", "--features", "300", "--labels", "40", "--seed", "4",
		"--test-examples", "300", "--test-out", test, "--out", train, "--quiet"); code != 0 {
		t.Fatal(errOut)
	}
	cfg := filepath.Join(tmp, "c.yaml")
	os.WriteFile(cfg, []byte("name: pl\ndata: {train: "+train+", test: "+test+", normalize: l2}\nencoder: {type: mlp, hidden: [32]}\nhead: {method: vanilla}\ntrain: {epochs: 2, batch_size: 32, lr: 0.01}\n"), 0o644)
	dir := filepath.Join(tmp, "model")
	if code, _, errOut := runMain(t, "", "train", "--config", cfg, "--out", dir, "--quiet"); code != 0 {
		t.Fatal(errOut)
	}
	pred := filepath.Join(tmp, "pred.txt")
	if code, _, errOut := runMain(t, "", "predict", "--model", dir, "--out", pred, "--topk", "5", "--quiet"); code != 0 {
		t.Fatal(errOut)
	}
	type summary struct {
		PerLabel eval.PerLabelSummary `json:"per_label"`
	}
	run := func(csv string, args ...string) (summary, string) {
		t.Helper()
		code, out, errOut := runMain(t, "", append([]string{"eval", "--per-label", csv, "--format", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		var s summary
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatal(err)
		}
		raw, _ := os.ReadFile(csv)
		return s, string(raw)
	}
	predicted := func(csv string) int {
		n := 0
		for _, l := range strings.Split(strings.TrimSpace(csv), "\n")[1:] {
			p, _ := strconv.Atoi(strings.Split(l, ",")[3])
			n += p
		}
		return n
	}
	all, allCSV := run(filepath.Join(tmp, "all.csv"), "--model", dir)
	if all.PerLabel.K != 5 || all.PerLabel.Threshold != nil {
		t.Errorf("--model without --per-label-k: set %+v, want its 5 ranked labels and no threshold", all.PerLabel)
	}
	byModel, modelCSV := run(filepath.Join(tmp, "model.csv"), "--model", dir, "--per-label-threshold", "0.5")
	byFile, fileCSV := run(filepath.Join(tmp, "file.csv"), "--pred", pred, "--truth", test, "--per-label-threshold", "0.5")
	if th := byModel.PerLabel.Threshold; th == nil || *th != 0.5 {
		t.Errorf("threshold in the summary: %v", th)
	}
	if modelCSV != fileCSV {
		t.Errorf("--model and --pred count different predicted sets at 0.5:\n%s\n%s", modelCSV, fileCSV)
	}
	if n, m := predicted(modelCSV), predicted(allCSV); n == 0 || n >= m {
		t.Errorf("%d predictions at 0.5 against %d unthresholded: the threshold should keep some and drop some", n, m)
	}
	if byModel.PerLabel.Micro.Precision <= all.PerLabel.Micro.Precision || byFile.PerLabel.Micro != byModel.PerLabel.Micro {
		t.Errorf("micro averages: all %+v, model at 0.5 %+v, file at 0.5 %+v", all.PerLabel.Micro, byModel.PerLabel.Micro, byFile.PerLabel.Micro)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--model", dir, "--per-label", filepath.Join(tmp, "x.csv"), "--per-label-k", "10"}, "--model ranks 5 labels per row"},
		{[]string{"--model", dir, "--per-label-threshold", "0.5"}, "give --per-label FILE too"},
		{[]string{"--model", dir, "--per-label-k", "3"}, "give --per-label FILE too"},
		{[]string{"--model", dir, "--per-label", filepath.Join(tmp, "x.csv"), "--per-label-threshold", "NaN"}, "give a finite score"},
	} {
		if code, _, errOut := runMain(t, "", append([]string{"eval"}, c.args...)...); code != ExitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", c.args, code, errOut, c.want)
		}
	}
	if code, _, errOut := runMain(t, "", "eval", "--model", dir, "--k", "1,10", "--per-label", filepath.Join(tmp, "x.csv"), "--per-label-k", "10"); code != 0 {
		t.Errorf("--per-label-k 10 with --k 1,10: exit %d: %s", code, errOut)
	}
}

// A --set or MHE_* variable that moves a model's test split onto rows it
// trained on makes mhe eval --model refuse (exit 2, --allow-train-rows to
// score them anyway) and mhe predict warn; a data.test that repeats the
// training file is refused at training.
func TestTrainedRowsScored(t *testing.T) {
	tmp := t.TempDir()
	var b strings.Builder
	b.WriteString("200 30 5\n")
	for i := range 200 {
		f, g := i%30, (i*7+1)%30 // never equal: 6i+1 is odd
		fmt.Fprintf(&b, "%d %d:1 %d:0.5\n", i%5, min(f, g), max(f, g))
	}
	for _, f := range []string{"d.txt", "copy.txt"} {
		os.WriteFile(filepath.Join(tmp, f), []byte(b.String()), 0o644)
	}
	cfg := filepath.Join(tmp, "cfg.yaml")
	os.WriteFile(cfg, []byte("name: rows\ndata: {format: xc, train: d.txt, holdout_every: 4}\n"+
		"encoder: {type: linear, hidden: []}\nhead: {method: vanilla}\ntrain: {epochs: 1, batch_size: 32}\n"), 0o644)
	t.Setenv("MHE_DATA_DIR", tmp)
	model := filepath.Join(tmp, "model")
	if code, _, errOut := runMain(t, "", "train", "--config", cfg, "--out", model, "--quiet"); code != 0 {
		t.Fatalf("train: %s", errOut)
	}
	for _, c := range []struct {
		name string
		env  string // MHE_DATA_HOLDOUT_FOLD
		args []string
		code int
		msg  string // in stderr
	}{
		{"own test rows", "", []string{"eval", "--model", model}, 0, ""},
		{"own fold by number", "", []string{"eval", "--model", model, "--set", "data.holdout_fold=4"}, 0, ""},
		{"another fold", "", []string{"eval", "--model", model, "--set", "data.holdout_fold=1"}, ExitUsage,
			"50 of the 50 test rows of " + filepath.Join(tmp, "d.txt") + " (row 1 first) are rows the model in " + model + " trained on or chose its weights on (data.holdout_fold 1, the model's 0)"},
		{"another fold by variable", "2", []string{"eval", "--model", model}, ExitUsage, "pass --allow-train-rows"},
		{"another fold, allowed", "", []string{"eval", "--model", model, "--set", "data.holdout_fold=1", "--allow-train-rows"}, 0, ""},
		{"the training file as test file", "", []string{"eval", "--model", model, "--set", "data.holdout_every=0", "--set", "data.test=copy.txt"}, ExitUsage,
			`150 of the 200 test rows of ` + filepath.Join(tmp, "copy.txt") + ` (row 1 first) are rows the model in ` + model + ` trained on or chose its weights on (data.holdout_every 0, the model's 4; data.test "copy.txt", the model's "")`},
		{"predict warns", "", []string{"predict", "--model", model, "--set", "data.holdout_fold=3", "--out", "-"}, 0,
			"predict: warning: 50 of the 50 test rows"},
		{"predict, own rows", "", []string{"predict", "--model", model, "--out", "-"}, 0, ""},
		// The model's own config: no keys differ, and none are listed.
		{"predict on the training file", "", []string{"predict", "--model", model, "--input", filepath.Join(tmp, "d.txt"), "--out", "-"}, 0,
			"predict: warning: 150 of the 200 input rows of " + filepath.Join(tmp, "d.txt") + " (row 1 first) are rows the model in " + model + " trained on or chose its weights on\n"},
		{"without --model", "", []string{"eval", "--pred", "p.txt", "--truth", "t.txt", "--allow-train-rows"}, ExitUsage, "goes with --model"},
		{"train on a test file that is the training file", "", []string{"train", "--config", cfg, "--out", filepath.Join(tmp, "m2"), "--quiet",
			"--set", "data.holdout_every=0", "--set", "data.test=copy.txt"}, ExitUsage, "is the training file (same sha256), and 200 of its 200 test rows are training rows"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv("MHE_DATA_HOLDOUT_FOLD", c.env)
			}
			code, _, errOut := runMain(t, "", c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d: %s", code, c.code, errOut)
			}
			if c.msg != "" && !strings.Contains(errOut, c.msg) {
				t.Errorf("stderr lacks %q:\n%s", c.msg, errOut)
			}
			if c.msg == "" && strings.Contains(errOut, "trained on") {
				t.Errorf("stderr names training rows:\n%s", errOut)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(tmp, "m2")); err == nil {
		t.Error("the refused training run left a model directory")
	}
}

// predict --rows parses only the split's rows of an XC input: a damaged row
// outside the split is passed over, one inside it is reported with its line.
func TestPredictRowsParsesOnlyThem(t *testing.T) {
	dir, _ := trainTiny(t)
	tmp := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(tmp, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	input := write("in.txt", "4 300 40\n1 2:1\n2 5:x\n3 1:1 7:1\n4 9:1\n")
	clean := write("clean.txt", "2 300 40\n3 1:1 7:1\n1 2:1\n")
	code, want, errOut := runMain(t, "", "predict", "--model", dir, "--input", clean, "--quiet")
	if code != 0 {
		t.Fatalf("predict clean rows: exit %d %s", code, errOut)
	}
	code, got, errOut := runMain(t, "", "predict", "--model", dir, "--input", input, "--rows", write("split.txt", "3\n1\n"), "--quiet")
	if code != 0 || got != want {
		t.Errorf("predict --rows around a damaged row: exit %d, stdout %q, stderr %q; want the clean rows' %q", code, got, errOut, want)
	}
	code, out, errOut := runMain(t, "", "predict", "--model", dir, "--input", input, "--rows", write("bad.txt", "1\n2\n"), "--quiet")
	if code != ExitData || out != "" || !strings.Contains(errOut, input+":3:") {
		t.Errorf("predict --rows of a damaged row: exit %d, stdout %q, stderr %q; want exit %d naming line 3", code, out, errOut, ExitData)
	}
}

// --topk beyond the label count ranks every label once: a top-2e9 used to
// size its buffers for 2e9 labels per row and die of it.
func TestPredictTopKBeyondLabels(t *testing.T) {
	dir, _ := trainTiny(t)
	code, out, errOut := runMain(t, "", "predict", "--model", dir, "--topk", "2000000000", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 300 {
		t.Fatalf("%d lines, want 300", len(lines))
	}
	for i, l := range lines {
		if n := len(strings.Fields(l)); n != 40 {
			t.Fatalf("line %d has %d labels, want all 40", i+1, n)
		}
	}
}

// An output that is one of the command's inputs, or another output, is a
// usage error before anything is read or written: the atomic write would
// have replaced the input when the command ended (eval --result truth.txt
// replaced the truth file with JSON). Files are compared as the file
// system sees them: another spelling of the path, a hard or symbolic link.
func TestOutputIsInput(t *testing.T) {
	tmp := t.TempDir()
	rd := func(p string) string { b, _ := os.ReadFile(p); return string(b) }
	data := filepath.Join(tmp, "d.txt")
	if code, _, errOut := runMain(t, "", "data", "synth", "--examples", "400", "--features", "60", "--labels", "12", "--out", data, "--quiet"); code != 0 {
		t.Fatal(errOut)
	}
	cfg := filepath.Join(tmp, "c.yaml")
	os.WriteFile(cfg, []byte("data: {train: "+data+", holdout_every: 5}\nencoder: {type: linear}\nhead: {method: vanilla}\ntrain: {epochs: 1}\n"), 0o644)
	model := filepath.Join(tmp, "m")
	if code, _, errOut := runMain(t, "", "train", "--config", cfg, "--out", model, "--quiet"); code != 0 {
		t.Fatal(errOut)
	}
	pred := filepath.Join(tmp, "p.txt")
	if code, _, errOut := runMain(t, "", "predict", "--model", model, "--out", pred, "--quiet"); code != 0 {
		t.Fatal(errOut)
	}
	in := filepath.Join(tmp, "in.txt")
	os.WriteFile(in, []byte(rd(data)), 0o644)
	link := filepath.Join(tmp, "link.txt")
	if err := os.Link(in, link); err != nil {
		t.Fatal(err)
	}
	sym := filepath.Join(tmp, "sym.txt")
	testutil.Symlink(t, data, sym)
	other := filepath.Join(tmp, "o.json")
	dotted := filepath.Join(tmp, ".", "sub", "..", "in.txt")
	os.Mkdir(filepath.Join(tmp, "sub"), 0o755)
	before := map[string]string{}
	for _, p := range []string{data, cfg, pred, in, filepath.Join(model, "result.json"), filepath.Join(model, "manifest.json"), filepath.Join(model, "config.yaml")} {
		before[p] = rd(p)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"predict", "--model", model, "--input", in, "--out", dotted}, "--out " + dotted + " is the --input file"},
		{[]string{"predict", "--model", model, "--input", in, "--out", link}, "is the --input file"},
		{[]string{"predict", "--model", model, "--out", sym}, "is the model's data.train file"},
		{[]string{"predict", "--model", model, "--out", filepath.Join(model, "manifest.json")}, "is the model's manifest.json file"},
		{[]string{"eval", "--pred", pred, "--truth", in, "--result", in}, "--result " + in + " is the --truth file"},
		{[]string{"eval", "--pred", pred, "--truth", in, "--per-label", pred}, "is the --pred file"},
		{[]string{"eval", "--pred", pred, "--truth", in, "--result", other, "--per-label", other}, "--result " + other + " and --per-label " + other + " are the same file"},
		{[]string{"eval", "--model", model, "--result", filepath.Join(model, "result.json")}, "is the model's result.json file"},
		{[]string{"embed", "--model", model, "--input", in, "--out", in, "--format", "text"}, "is the --input file"},
		{[]string{"train", "--config", cfg, "--out", filepath.Join(tmp, "m2"), "--result", cfg}, "is the --config file"},
		{[]string{"train", "--config", cfg, "--out", filepath.Join(tmp, "m2"), "--result", data}, "is the data.train file"},
		{[]string{"plan", "--config", cfg, "--method", "mhc", "--out", cfg}, "is the --config file"},
		{[]string{"data", "synth", "--examples", "9", "--features", "9", "--labels", "3", "--out", other, "--test-examples", "2", "--test-out", other}, "are the same file"},
		{[]string{"data", "convert", in, other, "--to", "xc-matrix", "--labels-out", other}, "are the same file"},
		{[]string{"report", model, "--out", filepath.Join(model, "result.json")}, "is the run record file"},
		{[]string{"report", tmp, "--out", filepath.Join(model, "config.yaml")}, "is the model's config.yaml file"},
		{[]string{"plan", "--model", model, "--codes", filepath.Join(model, "config.yaml")}, "is the model's config.yaml file"},
	} {
		code, out, errOut := runMain(t, "", tc.args...)
		if code != ExitUsage || !strings.Contains(errOut, tc.msg) || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d and %q", tc.args, code, out, errOut, ExitUsage, tc.msg)
		}
	}
	for p, b := range before {
		if rd(p) != b {
			t.Errorf("%s changed", p)
		}
	}
	if _, err := os.Stat(other); err == nil {
		t.Errorf("%s was written", other)
	}
	if _, err := os.Stat(filepath.Join(tmp, "m2")); err == nil {
		t.Error("train made its model directory before refusing --result")
	}
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	// predict and embed check --out before reading anything, as train
	// and eval check --result.
	missing := filepath.Join(tmp, "nodir", "p.txt")
	for _, args := range [][]string{
		{"predict", "--model", model, "--out", missing},
		{"embed", "--model", model, "--out", missing, "--format", "text"},
	} {
		if code, _, errOut := runMain(t, "", args...); code != ExitUsage || !strings.Contains(errOut, "mkdir -p "+filepath.Dir(missing)) {
			t.Errorf("%v: exit %d %q, want exit 2 naming the missing directory", args, code, errOut)
		}
	}
	// A conversion in place is allowed: the input is read whole first.
	if code, _, errOut := runMain(t, "", "data", "convert", in, in, "--to", "libsvm"); code != 0 {
		t.Errorf("data convert in place: exit %d %s", code, errOut)
	}
}

// Test rows with feature ids or true labels beyond the model's (a --set
// data.test naming another dataset's file) are scored, with a warning that
// counts them; the model's own test split gets none.
func TestEvalWarnsBeyondModel(t *testing.T) {
	tmp := t.TempDir()
	synth := func(name string, features, labels, seed int) string {
		path := filepath.Join(tmp, name)
		if code, _, errOut := runMain(t, "", "data", "synth", "--examples", "400", "--features", strconv.Itoa(features),
			"--labels", strconv.Itoa(labels), "--seed", strconv.Itoa(seed), "--out", path, "--quiet"); code != 0 {
			t.Fatalf("synth %s: %s", name, errOut)
		}
		return path
	}
	train, test := synth("tr.txt", 200, 30, 1), synth("te.txt", 200, 30, 2)
	wide, more := synth("wide.txt", 900, 30, 3), synth("more.txt", 200, 300, 4)
	cfg := filepath.Join(tmp, "c.yaml")
	os.WriteFile(cfg, []byte("data: {train: "+train+", test: "+test+"}\nencoder: {type: linear}\nhead: {method: mhc}\ntrain: {epochs: 1}\n"), 0o644)
	dir := filepath.Join(tmp, "model")
	if code, _, errOut := runMain(t, "", "train", "--config", cfg, "--out", dir, "--quiet"); code != 0 {
		t.Fatalf("train: %s", errOut)
	}
	for _, c := range []struct {
		test string
		want string // "" for no warning
	}{
		{test, ""},
		{wide, "eval: warning: 400 test rows have feature ids >= 200, the model's input dimension"},
		{more, "test rows have true labels >= 30, the model's label count; no model can predict them"},
	} {
		code, out, errOut := runMain(t, "", "eval", "--model", dir, "--set", "data.test="+c.test, "--quiet")
		if code != 0 || !strings.Contains(out, "nDCG") {
			t.Fatalf("eval on %s: exit %d: %s%s", c.test, code, out, errOut)
		}
		if got := strings.Contains(errOut, "warning"); got != (c.want != "") || !strings.Contains(errOut, c.want) {
			t.Errorf("eval on %s: stderr %q, want %q", filepath.Base(c.test), errOut, c.want)
		}
	}
}

// The plan's warnings reach stderr from train (and the run goes on) and
// from plan: an MHC bottleneck no narrower than the encoder output (the
// default 300 under a 32-wide encoder), and a head of length 1 among MHP
// heads or MHC levels. A narrower bottleneck, or none, and heads longer
// than 1 give none.
func TestPlanWarningsReachStderr(t *testing.T) {
	tmp := t.TempDir()
	cfg := filepath.Join(tmp, "tiny.yaml")
	os.WriteFile(cfg, []byte(tinyConfig), 0o644)
	const wide, unit = "is not below the encoder's output width 32", "has length 1: its one value is the same for every label"
	train := func(out string, sets ...string) []string {
		args := []string{"train", "--config", cfg, "--out", filepath.Join(tmp, out), "--quiet", "--set", "train.epochs=1"}
		for _, s := range sets {
			args = append(args, "--set", s)
		}
		return args
	}
	for _, tc := range []struct {
		args []string
		want string // the warning, or "" for none
	}{
		{train("a", "head.method=mhc"), wide},
		{train("b", "head.method=mhc", "head.bottleneck_dim=16"), ""},
		{[]string{"plan", "--method", "mhc", "--labels", "100", "--dim", "32"}, wide},
		{[]string{"plan", "--method", "mhc", "--labels", "100", "--dim", "32", "--bottleneck-dim", "0"}, ""},
		{[]string{"plan", "--method", "mhp", "--labels", "100", "--dim", "32"}, ""},
		{train("c", "head.lengths=[1,40]"), unit},
		{train("d", "head.method=mhc", "head.heads=3", "head.lengths=[8,1,5]", "head.bottleneck_dim=0"), unit},
		{train("e", "head.lengths=[8,5]"), ""},
		{[]string{"plan", "--lengths", "1,40"}, unit},
		{[]string{"plan", "--lengths", "8,5"}, ""},
	} {
		code, _, errOut := runMain(t, "", tc.args...)
		warned := strings.Contains(errOut, wide) || strings.Contains(errOut, unit)
		if code != 0 || (tc.want == "" && warned) || (tc.want != "" && !strings.Contains(errOut, tc.want)) {
			t.Errorf("%v: exit %d, stderr %q; want the warning %q", tc.args, code, errOut, tc.want)
		}
	}
}

// A model trained without a test split has none to evaluate or predict:
// eval --model and predict name the two ways out, and the first of them,
// --set data.test, scores a test file as the training data was read.
func TestNoTestSplitNamesTheWayOut(t *testing.T) {
	tmp := t.TempDir()
	train, test := filepath.Join(tmp, "train.txt"), filepath.Join(tmp, "test.txt")
	if code, _, errOut := runMain(t, "", "data", "synth", "--examples", "200", "--features", "50", "--labels", "10", "--out", train, "--test-examples", "50", "--test-out", test, "--quiet"); code != 0 {
		t.Fatalf("synth: %s", errOut)
	}
	cfg := filepath.Join(tmp, "c.yaml")
	os.WriteFile(cfg, []byte("data: {train: "+train+"}\nhead: {method: mhc}\ntrain: {epochs: 1}\n"), 0o644)
	model := filepath.Join(tmp, "m")
	if code, _, errOut := runMain(t, "", "train", "--config", cfg, "--out", model, "--quiet"); code != 0 {
		t.Fatalf("train: %s", errOut)
	}
	code, out, errOut := runMain(t, "", "eval", "--model", model)
	if code != ExitUsage || out != "" || !strings.Contains(errOut, "the model's config has no test split to evaluate; name a test file with --set data.test=FILE") || !strings.Contains(errOut, "mhe eval --pred pred.txt --truth FILE") {
		t.Errorf("eval --model: exit %d %q %s", code, out, errOut)
	}
	code, out, errOut = runMain(t, "", "predict", "--model", model)
	if code != ExitUsage || out != "" || !strings.Contains(errOut, "give --input FILE (or --set data.test=FILE)") {
		t.Errorf("predict: exit %d %q %s", code, out, errOut)
	}
	code, out, errOut = runMain(t, "", "eval", "--model", model, "--set", "data.test="+test, "--format", "json")
	if code != 0 || !strings.Contains(out, `"p@1"`) {
		t.Errorf("eval --model --set data.test: exit %d %q %s", code, out, errOut)
	}
}

// The README's "Your own dataset" commands work on a user's two files with
// configs/template-mhc.yaml as shipped (only the data directory and the
// epochs overridden): stats, plan, train, eval --model and predict.
func TestTemplateWorkflow(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a small model")
	}
	// A user of their own data, without MHE_DATA_DIR (which overrides the
	// template's data.dir, as CI sets it for the shared sets).
	t.Setenv("MHE_DATA_DIR", "")
	dir := t.TempDir()
	train, test := filepath.Join(dir, "train.txt"), filepath.Join(dir, "test.txt")
	if code, _, errOut := runMain(t, "", "data", "synth", "--examples", "2000", "--features", "500", "--labels", "300", "--out", train, "--test-examples", "300", "--test-out", test, "--quiet"); code != 0 {
		t.Fatalf("synth: %s", errOut)
	}
	if code, out, errOut := runMain(t, "", "data", "stats", train); code != 0 || !strings.Contains(out, "2,000") {
		t.Errorf("data stats: exit %d %s %s", code, out, errOut)
	}
	sets := []string{"--set", "data.dir=" + dir, "--set", "train.epochs=2"}
	lengths := func(args ...string) string {
		t.Helper()
		code, out, errOut := runMain(t, "", append([]string{"plan", "--format", "json"}, args...)...)
		var p struct {
			Labels  int   `json:"labels"`
			Lengths []int `json:"lengths"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &p) != nil || p.Labels != 300 {
			t.Fatalf("plan %v: exit %d %s %s", args, code, out, errOut)
		}
		return fmt.Sprint(p.Lengths)
	}
	planned := lengths(append([]string{"--config", "../../configs/template-mhc.yaml"}, sets...)...)
	model := filepath.Join(dir, "runs", "my")
	if code, _, errOut := runMain(t, "", append([]string{"train", "--config", "../../configs/template-mhc.yaml", "--out", model, "--quiet"}, sets...)...); code != 0 {
		t.Fatalf("train: %s", errOut)
	}
	// plan --config showed the lengths the model was trained with.
	if trained := lengths("--model", model); trained != planned {
		t.Errorf("plan --config gave lengths %s, the model has %s", planned, trained)
	}
	code, out, errOut := runMain(t, "", "eval", "--model", model, "--format", "json")
	var res struct {
		Metrics map[string]float64 `json:"metrics"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Metrics["p@1"] <= 0 {
		t.Fatalf("eval --model: exit %d %s %s", code, out, errOut)
	}
	pred := filepath.Join(dir, "pred.txt")
	if code, _, errOut := runMain(t, "", "predict", "--model", model, "--input", test, "--out", pred, "--quiet"); code != 0 {
		t.Fatalf("predict: %s", errOut)
	}
	if raw, _ := os.ReadFile(pred); strings.Count(string(raw), "\n") != 300 {
		t.Errorf("pred.txt has %d lines, want one per test row (300)", strings.Count(string(raw), "\n"))
	}
}
