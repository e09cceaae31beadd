package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/aggregate"
	"github.com/mhe-xlc/mhe/internal/record"
)

// predict and eval with --model repeated rank with the ensemble of the
// models: the same output whatever --threads, not member 1's ranking,
// scores sorted and averaged (within [0, 1]); eval --model scores exactly
// what predict writes, and its record says it was an ensemble.
func TestEnsembleCLI(t *testing.T) {
	a, _ := trainTiny(t, "head.method=mhc", "head.lengths=[8,5]", "head.beam=2")
	b, _ := trainTiny(t, "head.method=mhc", "head.lengths=[8,5]", "head.beam=2", "train.seed=2", "head.label_order=random")
	c, _ := trainTiny(t) // MHP: members' heads may differ
	predict := func(args ...string) string {
		t.Helper()
		code, out, errOut := runMain(t, "", append([]string{"predict", "--topk", "5", "--quiet"}, args...)...)
		if code != 0 {
			t.Fatalf("predict %v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	ens := predict("--model", a, "--model", b, "--model", c, "--threads", "1")
	if again := predict("--model", a, "--model", b, "--model", c, "--threads", "3"); again != ens {
		t.Error("the ensemble's predictions depend on --threads")
	}
	if ens == predict("--model", a) {
		t.Error("the ensemble predicted exactly what its first member did")
	}
	lines := strings.Split(strings.TrimSuffix(ens, "\n"), "\n")
	if len(lines) != 300 {
		t.Fatalf("%d lines for 300 test rows", len(lines))
	}
	for i, line := range lines {
		prev := 2.0
		pairs := strings.Fields(line)
		if len(pairs) != 5 {
			t.Fatalf("line %d: %q, want 5 labels", i+1, line)
		}
		for _, p := range pairs {
			s, err := strconv.ParseFloat(p[strings.IndexByte(p, ':')+1:], 64)
			if err != nil || s < 0 || s > 1 || s > prev {
				t.Fatalf("line %d: %q: scores must be sorted probabilities", i+1, line)
			}
			prev = s
		}
	}
	// --beam widens the MHC members' beams and leaves the MHP member
	// alone; with no MHC member it is refused.
	if wide := predict("--model", a, "--model", b, "--model", c, "--beam", "8"); wide == ens {
		t.Error("--beam 8 changed nothing in the ensemble")
	}
	// --beam reaches every MHC member: the ensemble is the same whichever
	// member comes first.
	if ab, ba := predict("--model", a, "--model", b, "--beam", "8"), predict("--model", b, "--model", a, "--beam", "8"); ab != ba {
		t.Error("--beam 8: the ensemble of a and b differs from that of b and a")
	}
	c2, _ := trainTiny(t, "train.seed=2")
	if code, _, errOut := runMain(t, "", "predict", "--model", c, "--model", c2, "--beam", "8"); code != ExitUsage || !strings.Contains(errOut, "none of the 2 models is MHC") {
		t.Errorf("--beam without an MHC member: exit %d %q", code, errOut)
	}
	// One model twice, as the same directory or a copy, is refused: the
	// mean would weigh it double.
	dup := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(dup, os.DirFS(a)); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"predict", "--model", a, "--model", b, "--model", a},
		{"eval", "--model", b, "--model", a, "--model", dup},
	} {
		code, out, errOut := runMain(t, "", args...)
		first, second := args[2], args[6] // the 1st and 3rd --model
		names := "--model " + first + " (number 1) and --model " + second + " (number 3) are the same model (weights-"
		if args[0] == "eval" {
			names = "--model " + a + " (number 2) and --model " + dup + " (number 3)"
		}
		if code != ExitUsage || out != "" || !strings.Contains(errOut, names) || !strings.Contains(errOut, "give each member once") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	// eval --model ... --against the ensemble's own predictions: no
	// difference in any metric.
	pred := filepath.Join(t.TempDir(), "ens.txt")
	os.WriteFile(pred, []byte(ens), 0o644)
	rec := filepath.Join(t.TempDir(), "ens.result.json")
	code, out, errOut := runMain(t, "", "eval", "--model", a, "--model", b, "--model", c, "--against", pred, "--format", "json", "--resamples", "10")
	if code != 0 {
		t.Fatalf("eval --against: exit %d: %s", code, errOut)
	}
	var cmp comparisonJSON
	if err := json.Unmarshal([]byte(out), &cmp); err != nil || len(cmp.Comparison) == 0 {
		t.Fatalf("eval --against: %v %s", err, out)
	}
	for _, m := range cmp.Comparison {
		if m.Diff != 0 {
			t.Errorf("%s: eval --model of the ensemble %v, its predict output %v", m.Metric, m.A, m.B)
		}
	}
	if code, _, errOut := runMain(t, "", "eval", "--model", a, "--model", b, "--model", c, "--result", rec); code != 0 {
		t.Fatalf("eval --result: exit %d: %s", code, errOut)
	}
	r := readRecord(t, rec)
	if r.Extra["ensemble"] != 3.0 || r.ModelDir != a+","+b+","+c {
		t.Errorf("record: model_dir %q, extra %v", r.ModelDir, r.Extra)
	}
	// The classifier parameters and training seconds are the members'
	// together (each model directory's result.json has its time).
	var sum int64
	var secs float64
	for _, dir := range []string{a, b, c} {
		secs += readRecord(t, filepath.Join(dir, "result.json")).Timing.TrainSeconds
		one := filepath.Join(t.TempDir(), "one.json")
		if code, _, errOut := runMain(t, "", "eval", "--model", dir, "--result", one); code != 0 {
			t.Fatalf("eval %s: %s", dir, errOut)
		}
		sum += readRecord(t, one).Plan.Params
	}
	if r.Plan.Params != sum || sum == 0 {
		t.Errorf("ensemble record: %d classifier parameters, the members have %d together", r.Plan.Params, sum)
	}
	if v := r.Plan.VanillaParams; v <= 0 || r.Plan.ParamRatio != float64(sum)/float64(v) {
		t.Errorf("ensemble record: parameter ratio %v for %d parameters against vanilla's %d", r.Plan.ParamRatio, sum, v)
	}
	if secs <= 0 || !(math.Abs(r.Timing.TrainSeconds-secs) <= 1e-9*secs) {
		t.Errorf("ensemble record: %v training seconds, the members took %v together", r.Timing.TrainSeconds, secs)
	}
	// Without a member's time, or its record, the time is unknown, not a
	// partial sum.
	cRec := filepath.Join(c, "result.json")
	raw, _ := os.ReadFile(cRec)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	delete(m["timing"].(map[string]any), "train_seconds")
	raw, _ = json.Marshal(m)
	os.WriteFile(cRec, raw, 0o644)
	if code, _, errOut := runMain(t, "", "eval", "--model", a, "--model", b, "--model", c, "--result", rec); code != 0 {
		t.Fatalf("eval --result: exit %d: %s", code, errOut)
	}
	if r := readRecord(t, rec); r.Timing.TrainSeconds != 0 {
		t.Errorf("a member's record without its time: %v training seconds recorded, want none", r.Timing.TrainSeconds)
	}
	os.Remove(cRec)
	if code, _, errOut := runMain(t, "", "eval", "--model", a, "--model", b, "--model", c, "--result", rec); code != 0 {
		t.Fatalf("eval --result: exit %d: %s", code, errOut)
	}
	if r := readRecord(t, rec); r.Timing.TrainSeconds != 0 {
		t.Errorf("a member without result.json: %v training seconds recorded, want none", r.Timing.TrainSeconds)
	}
}

// Members trained on other labels are refused with exit 4 before anything
// is written, and a damaged member is reported as for one model.
func TestEnsembleRefusesMismatch(t *testing.T) {
	a, _ := trainTiny(t)
	more, _ := trainTiny(t, "data.synth.labels=41")
	out := filepath.Join(t.TempDir(), "p.txt")
	for _, args := range [][]string{
		{"predict", "--model", a, "--model", more, "--out", out},
		{"eval", "--model", a, "--model", more},
	} {
		code, stdout, errOut := runMain(t, "", args...)
		if code != ExitModel || stdout != "" || !strings.Contains(errOut, "ensemble member 2 has 41 labels, member 1 has 40") || !strings.Contains(errOut, "2: "+more) {
			t.Errorf("%v: exit %d %q %q, want exit 4 naming the label counts", args, code, stdout, errOut)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("predict wrote its output for a refused ensemble")
	}
	for _, cmd := range []string{"predict", "eval"} {
		code, _, errOut := runMain(t, "", cmd, "--model", a, "--model", "")
		if code != ExitUsage || !strings.Contains(errOut, "--model number 2 of 2 is empty") {
			t.Errorf("%s with an empty --model: exit %d %q, want exit 2", cmd, code, errOut)
		}
	}
	// A damaged member (a weights byte flipped) of a compatible ensemble.
	twin, _ := trainTiny(t, "train.seed=2")
	weights, _ := filepath.Glob(filepath.Join(twin, "weights-*.bin"))
	if len(weights) != 1 {
		t.Fatalf("weights files %v", weights)
	}
	raw, _ := os.ReadFile(weights[0])
	raw[len(raw)/2] ^= 1
	os.WriteFile(weights[0], raw, 0o644)
	if code, stdout, errOut := runMain(t, "", "predict", "--model", a, "--model", twin, "--out", out); code != ExitModel || stdout != "" || !strings.Contains(errOut, twin) {
		t.Errorf("damaged member: exit %d %q", code, errOut)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("predict wrote its output with a damaged member")
	}
}

// Commands that read one model refuse a second --model instead of
// silently using the last.
func TestSingleModelFlags(t *testing.T) {
	for _, args := range [][]string{
		{"embed", "--model", "a", "--model", "b", "--out", "x.npy"},
		{"plan", "--model", "a", "--model", "b"},
	} {
		code, out, errOut := runMain(t, "", args...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, `given more than once ("a", then "b")`) {
			t.Errorf("%v: exit %d %q, want exit 2 naming both", args, code, errOut)
		}
	}
}

// trainOnSynthFile writes a synthetic XC file of the given rows (200
// features, 20 labels) and trains one epoch on it with encoder and head
// (YAML flow maps), holding out rows i % 5 == 4; it returns the file and
// the model directory.
func trainOnSynthFile(t *testing.T, rows, encoder, head string) (file, model string) {
	t.Helper()
	tmp := t.TempDir()
	file = filepath.Join(tmp, "d.txt")
	if code, _, errOut := runMain(t, "", "data", "synth", "--examples", rows, "--features", "200", "--labels", "20", "--out", file, "--quiet"); code != 0 {
		t.Fatalf("synth: %s", errOut)
	}
	cfg := filepath.Join(tmp, "c.yaml")
	os.WriteFile(cfg, []byte("name: d\ndata: {train: "+file+", holdout_every: 5}\nencoder: "+encoder+"\nhead: "+head+"\ntrain: {epochs: 1}\n"), 0o644)
	model = filepath.Join(tmp, "m")
	if code, _, errOut := runMain(t, "", "train", "--config", cfg, "--out", model, "--quiet"); code != 0 {
		t.Fatalf("train: %s", errOut)
	}
	return file, model
}

// A data file changed after training (same path, other contents) is named
// in a warning by eval --model and predict of the config's test split: the
// rows its holdout rule picks may be rows the model trained on. An
// unchanged file gets none.
func TestChangedDataWarning(t *testing.T) {
	file, model := trainOnSynthFile(t, "300", "{type: mlp, hidden: [8]}", "{method: mhp}")
	check := func(changed bool) {
		t.Helper()
		for _, args := range [][]string{{"eval", "--model", model}, {"predict", "--model", model, "--quiet"}} {
			code, _, errOut := runMain(t, "", args...)
			warned := strings.Contains(errOut, file+" changed after the model in "+model+" was trained on it")
			if code != 0 || warned != changed {
				t.Errorf("%v, file changed %v: exit %d, warned %v: %s", args, changed, code, warned, errOut)
			}
		}
	}
	check(false)
	// One value written differently: the same rows, another sha256.
	raw, _ := os.ReadFile(file)
	os.WriteFile(file, []byte(strings.Replace(string(raw), ":", ":0", 1)), 0o644)
	check(true)
}

// A data file whose header now declares 2^31-1 rows (over its 300) is a
// row-count error (exit 3) from eval --model and predict of the config's
// holdout rows, at once: the holdout rule's rows were listed for every
// declared row, 16 GiB, which ran for minutes and was killed.
func TestHoldoutRowsOfLyingHeader(t *testing.T) {
	file, model := trainOnSynthFile(t, "300", "{type: mlp, hidden: [8]}", "{method: mhp}")
	raw, _ := os.ReadFile(file)
	header, rest, _ := strings.Cut(string(raw), "\n")
	if !strings.HasPrefix(header, "300 ") {
		t.Fatalf("synth header %q", header)
	}
	os.WriteFile(file, []byte("2147483647"+strings.TrimPrefix(header, "300")+"\n"+rest), 0o644)
	out := filepath.Join(t.TempDir(), "pred.txt")
	for _, args := range [][]string{{"eval", "--model", model}, {"predict", "--model", model, "--out", out}} {
		code, _, errOut := runMain(t, "", args...)
		if code != ExitData || !strings.Contains(errOut, "header declares 2147483647 rows but the file has 300") {
			t.Errorf("%v: exit %d: %s", args, code, errOut)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("predict wrote %s: %v", out, err)
	}
}

// predict --input warns when the input file (or standard input) is the
// model's training file and its rows (all of them when streamed, or those
// --rows selects) hold rows the model trained on; test rows alone, or
// another file, pass quietly.
func TestPredictInputTrainingRows(t *testing.T) {
	file, model := trainOnSynthFile(t, "500", "{type: mlp, hidden: [16]}", "{method: mhc, lengths: [5, 4], beam: 2}")
	tmp := filepath.Dir(file)
	split := func(name string, rows ...int) string {
		var b strings.Builder
		for _, r := range rows {
			fmt.Fprintf(&b, "%d\n", r)
		}
		path := filepath.Join(tmp, name)
		os.WriteFile(path, []byte(b.String()), 0o644)
		return path
	}
	other := filepath.Join(tmp, "other.txt")
	runMain(t, "", "data", "synth", "--examples", "50", "--features", "200", "--labels", "20", "--seed", "9", "--out", other, "--quiet")
	for _, c := range []struct {
		args  []string
		stdin string // the file piped to --input -
		want  string // "" = no warning
	}{
		{[]string{"--input", file}, "", "400 of the 500 input rows of " + file + " (row 1 first) are rows the model in " + model + " trained on"},
		{[]string{"--input", file, "--rows", split("mixed.txt", 5, 10, 2)}, "", "1 of the 3 input rows of " + file + " (row 2 first)"},
		{[]string{"--input", file, "--rows", split("test.txt", 5, 10, 15)}, "", ""},
		{[]string{"--input", other}, "", ""},
		{[]string{"--input", "-"}, file, "400 of the 500 input rows of <stdin> (row 1 first) are rows the model in " + model + " trained on"},
		{[]string{"--input", "-"}, other, ""},
	} {
		stdin := ""
		if c.stdin != "" {
			raw, _ := os.ReadFile(c.stdin)
			stdin = string(raw)
		}
		code, out, errOut := runMain(t, stdin, append([]string{"predict", "--model", model, "--quiet"}, c.args...)...)
		if code != 0 || out == "" {
			t.Fatalf("%v: exit %d %s", c.args, code, errOut)
		}
		if c.want == "" && strings.Contains(errOut, "warning") || c.want != "" && !strings.Contains(errOut, c.want) {
			t.Errorf("%v: stderr %q, want %q", c.args, errOut, c.want)
		}
	}
}

// readRecord reads a run record (mhe train's or mhe eval --result's).
func readRecord(t *testing.T, path string) record.Record {
	t.Helper()
	recs, err := aggregate.Load([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	return *recs[0]
}
