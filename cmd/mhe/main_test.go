package main

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mhe-xlc/mhe/internal/memlimit"
	"github.com/mhe-xlc/mhe/internal/record"
	"github.com/mhe-xlc/mhe/internal/testutil"
	"github.com/mhe-xlc/mhe/internal/train"
)

// runMain runs the CLI in-process and returns its exit code and output.
func runMain(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, &streams{in: strings.NewReader(stdin), out: &out, errOut: &errOut})
	return code, out.String(), errOut.String()
}

func golden(t *testing.T, name string, got string) {
	t.Helper()
	testutil.CheckGolden(t, name, []byte(got))
}

func TestPlanIssueFigures(t *testing.T) {
	code, out, errOut := runMain(t, "", "plan", "--labels", "3993", "--heads", "2", "--method", "mhp", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var p struct {
		Method          string  `json:"method"`
		Labels          int     `json:"labels"`
		Heads           int     `json:"heads"`
		Lengths         []int   `json:"lengths"`
		Padding         int     `json:"padding"`
		ConfusionDegree float64 `json:"confusion_degree"`
		Params          int64   `json:"params"`
		FlopsTrain      int64   `json:"flops_train"`
		FlopsPredict    int64   `json:"flops_predict"`
		Vanilla         struct {
			Params int64 `json:"params"`
		} `json:"vanilla"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if p.Method != "mhp" || p.Labels != 3993 || p.Heads != 2 || len(p.Lengths) != 2 || p.Lengths[0] != 64 || p.Lengths[1] != 63 || p.Padding != 39 {
		t.Errorf("plan = %+v, want mhp 64 x 63 with 39 padding codes", p)
	}
	golden(t, "plan_3993_mhp.json", out)

	code, out, _ = runMain(t, "", "plan", "--method", "mhc", "--lengths", "172,23", "--format", "json")
	if code != 0 {
		t.Fatal(code)
	}
	json.Unmarshal([]byte(out), &p)
	if !(math.Abs(p.ConfusionDegree-23.0/172) <= 1e-12) {
		t.Errorf("D = %v, want 23/172", p.ConfusionDegree)
	}
	code, out, _ = runMain(t, "", "plan", "--labels", "670091", "--heads", "3", "--method", "mhp", "--format", "json")
	if code != 0 {
		t.Fatal(code)
	}
	json.Unmarshal([]byte(out), &p)
	if float64(p.Params) >= 0.01*float64(p.Vanilla.Params) {
		t.Errorf("C = 670,091, H = 3: %d params vs vanilla %d, want < 1%%", p.Params, p.Vanilla.Params)
	}
}

func TestPlanTableGolden(t *testing.T) {
	code, out, errOut := runMain(t, "", "plan", "--labels", "670091", "--method", "mhc", "--groups", "8400", "--beam", "75", "--bottleneck-dim", "400", "--dim", "768")
	if code != 0 {
		t.Fatal(errOut)
	}
	golden(t, "plan_amazon670k_mhc.txt", out)
	code, out, errOut = runMain(t, "", "plan", "--labels", "670091", "--method", "mhc", "--groups", "8400", "--beam", "75", "--bottleneck-dim", "400", "--dim", "768", "--rowwise-tables")
	if code != 0 {
		t.Fatal(errOut)
	}
	golden(t, "plan_amazon670k_mhc_rowwise.txt", out)
}

func TestPlanOutRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.yaml")
	if code, _, errOut := runMain(t, "", "plan", "--labels", "3993", "--method", "mhc", "--out", path); code != 0 {
		t.Fatal(errOut)
	}
	cfg := filepath.Join(dir, "run.yaml")
	os.WriteFile(cfg, []byte("data:\n  num_labels: 3993\n  num_features: 5000\nhead:\n  plan: "+path+"\n"), 0o644)
	code, out, errOut := runMain(t, "", "plan", "--config", cfg, "--format", "json")
	if code != 0 {
		t.Fatal(errOut)
	}
	if !strings.Contains(out, `"method": "mhc"`) || !strings.Contains(out, `"dim": 5000`) {
		t.Errorf("plan from config with head.plan: %s", out)
	}
}

// plan --config of an MHC config under Adam also prices row-wise tables
// (less, in the table and in JSON); a config that sets them, or cannot
// (sgd, mhp), gets no such line.
func TestPlanConfigRowwiseTables(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "run.yaml")
	os.WriteFile(cfg, []byte("data:\n  num_labels: 100000\n  num_features: 5000\nhead:\n  method: mhc\n  lengths: [400, 250]\n"), 0o644)
	code, out, errOut := runMain(t, "", "plan", "--config", cfg, "--format", "json")
	if code != 0 {
		t.Fatal(errOut)
	}
	var got struct {
		Train   int64 `json:"train_memory_bytes"`
		Rowwise int64 `json:"rowwise_tables_train_memory_bytes"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	// The level-2 table is 100,000 x 300 (the default bottleneck): Adam's
	// two moments a weight against one value a row of it and its bias.
	if want := got.Train - 4*(2*(100000*300+100000)-2*100000); got.Rowwise != want {
		t.Errorf("row-wise training memory %d bytes, want %d (Adam's %d less the tables' moments)", got.Rowwise, want, got.Train)
	}
	if code, out, _ := runMain(t, "", "plan", "--config", cfg); code != 0 || !strings.Contains(out, "with row-wise tables  "+train.FormatBytes(got.Rowwise)) {
		t.Errorf("the table lacks the row-wise figure %s:\n%s", train.FormatBytes(got.Rowwise), out)
	}
	for _, set := range []string{"train.rowwise_tables=true", "train.optimizer=sgd", "head.method=mhp"} {
		code, out, errOut := runMain(t, "", "plan", "--config", cfg, "--set", set, "--format", "json")
		if code != 0 || strings.Contains(out, "rowwise_tables_train_memory_bytes") || !strings.Contains(out, "train_memory_bytes") {
			t.Errorf("--set %s: exit %d, a row-wise figure where none applies: %s%s", set, code, out, errOut)
		}
	}
}

// plan --config prices a config that mhe train would refuse, and says
// so with the problems train would name; a shipped config gets no warning.
func TestPlanConfigWarnsWhatTrainRefuses(t *testing.T) {
	code, out, errOut := runMain(t, "", "plan", "--config", "../../configs/eurlex4k-mhc.yaml", "--set", "train.optimizer=sgd", "--set", "train.rowwise_tables=true")
	if code != 0 || !strings.Contains(out, "optimizer bytes (sgd)") || !strings.Contains(errOut, "plan: warning: mhe train refuses this config as it stands: ../../configs/eurlex4k-mhc.yaml: config: invalid:") ||
		!strings.Contains(errOut, "train.rowwise_tables (from --set train.rowwise_tables=true): true needs train.optimizer adam or adamw") {
		t.Errorf("sgd with row-wise tables: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	if code, _, errOut := runMain(t, "", "plan", "--config", "../../configs/eurlex4k-mhc.yaml"); code != 0 || errOut != "" {
		t.Errorf("the shipped config: exit %d, stderr %q", code, errOut)
	}
	// An mlp encoder without hidden sizes: the memory estimate built the
	// model and panicked (index -1) after the warning.
	code, out, errOut = runMain(t, "", "plan", "--config", "../../configs/eurlex4k-mhc.yaml", "--set", "encoder.hidden=[]")
	if code != 0 || !strings.Contains(errOut, "an mlp encoder needs at least one hidden size") || strings.Contains(errOut, "internal error") || !strings.Contains(out, "lengths") {
		t.Errorf("encoder.hidden=[]: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}

func TestPlanErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"plan", "--labels", "3993", "--method", "mhc", "--lengths", "172,23"}, ExitUsage, "fewer than the 3993 labels"},
		{[]string{"plan", "--labels", "10", "--method", "tree"}, ExitUsage, "unknown head method"},
		{[]string{"plan", "--labels", "10", "--heads", "auto"}, ExitUsage, "needs --budget"},
		{[]string{"plan", "--labels", "0"}, ExitUsage, "--labels 0: need at least one label"},
		{[]string{"plan", "--labels", "100", "--heads", "0"}, ExitUsage, `--heads "0": want a number >= 1 or auto`},
		{[]string{"plan", "--labels", "1000", "--heads", "two"}, ExitUsage, "--heads"},
		{[]string{"plan", "--labels", "1000", "--beam", "-1", "--method", "mhc"}, ExitUsage, "beam"},
		{[]string{"plan", "--nope"}, ExitUsage, "unknown flag"},
		{[]string{"plan", "--labels", "5", "--data", "x"}, ExitUsage, "one way"},
		{[]string{"plan", "--data", "does-not-exist.txt"}, ExitData, "does-not-exist.txt"},
		{[]string{"plan", "--labels", "9223372036854775807"}, ExitUsage, map[bool]string{
			true:  "at most 2147483647 labels",
			false: `--labels "9223372036854775807": want a whole number from -2147483648 to 2147483647 (this is a 32-bit build)`,
		}[strconv.IntSize == 64]},
		{[]string{"frobnicate"}, ExitUsage, "unknown command"},
		// A wrong count of arguments names the command and its usage.
		{[]string{"data", "stats"}, ExitUsage, "mhe: data stats: accepts 1 arg(s), received 0 (usage: mhe data stats FILE [flags])\n"},
		{[]string{"report"}, ExitUsage, "mhe: report: requires at least 1 arg(s), only received 0 (usage: mhe report RESULT... [flags])\n"},
		{[]string{"train", "extra"}, ExitUsage, `mhe: unknown command "extra" for "mhe train" (usage: mhe train [flags])`},
		{[]string{"train", "configs/bibtex-mhc.yaml"}, ExitUsage, "mhe: mhe train takes no arguments: give the config file as --config configs/bibtex-mhc.yaml\n"},
		{[]string{"plan", "my.yml"}, ExitUsage, "mhe: mhe plan takes no arguments: give the config file as --config my.yml\n"},
	}
	for _, c := range cases {
		code, _, errOut := runMain(t, "", c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d %q, want exit %d with %q", c.args, code, errOut, c.code, c.msg)
		}
		if strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine") {
			t.Errorf("%v: panicked: %s", c.args, errOut)
		}
	}
}

func TestEvalHandComputedCLI(t *testing.T) {
	args := []string{"eval", "--truth", "testdata/hand_truth.txt", "--pred", "testdata/hand_pred.txt",
		"--inv-prop", "testdata/hand_invprop.txt", "--k", "1,3", "--format", "json"}
	code, out, errOut := runMain(t, "", args...)
	if code != 0 {
		t.Fatal(errOut)
	}
	var res struct {
		NRows      int                `json:"n_rows"`
		NEmptyRows int                `json:"n_empty_rows"`
		Metrics    map[string]float64 `json:"metrics"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"p@1": 2.0 / 3, "p@3": 1.0 / 3, "ndcg@3": 0.4629998, "psp@3": 0.6, "psndcg@3": 0.7215221, "r@1": 0.2777778, "r@3": 0.4444444}
	for k, v := range want {
		if !(math.Abs(res.Metrics[k]-v) <= 1e-4) {
			t.Errorf("%s = %v, want %v", k, res.Metrics[k], v)
		}
	}
	if res.NRows != 3 || res.NEmptyRows != 1 {
		t.Errorf("rows %d empty %d", res.NRows, res.NEmptyRows)
	}
	golden(t, "eval_hand.json", out)
	// The same through stdin, as a table.
	pred, _ := os.ReadFile("testdata/hand_pred.txt")
	code, out, errOut = runMain(t, string(pred), "eval", "--truth", "testdata/hand_truth.txt", "--pred", "-", "--inv-prop", "testdata/hand_invprop.txt", "--k", "1,3")
	if code != 0 {
		t.Fatal(errOut)
	}
	golden(t, "eval_hand.txt", out)
	for _, format := range []string{"csv", "markdown"} {
		code, out, _ = runMain(t, "", "eval", "--truth", "testdata/hand_truth.txt", "--pred", "testdata/hand_pred.txt", "--k", "1,3", "--format", format)
		if code != 0 {
			t.Fatal(format)
		}
		golden(t, "eval_hand."+format, out)
	}
}

// A prediction file naming labels the truth does not have (1-based ids,
// or predictions for another dataset) or declaring another label count is
// scored, with a warning that says so; a file within the labels gets none.
func TestEvalWarnsOfForeignLabels(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, c := range []struct {
		name, pred string
		warn       []string
	}{
		{"within", "2:0.9 1:0.8 0:0.7\n1:0.9 3:0.5 4:0.1\n4:0.9\n", nil},
		{"1-based", "3:0.9 2:0.8 1:0.7\n2:0.9 4:0.5 5:0.1\n5:0.9\n", []string{"1-based.txt predicts label id 5, beyond the truth's 5 labels (ids 0..4", "subtract 1"}},
		{"header", "3 6\n2:0.9\n1:0.9\n4:0.9\n", []string{"header.txt declares 6 labels in its header but the truth has 5"}},
	} {
		recPath := filepath.Join(dir, c.name+".json")
		code, out, errOut := runMain(t, "", "eval", "--truth", "testdata/hand_truth.txt", "--pred", write(c.name+".txt", c.pred), "--k", "1", "--format", "json", "--result", recPath)
		if code != 0 || !strings.Contains(out, `"p@1"`) {
			t.Fatalf("%s: exit %d: %s", c.name, code, errOut)
		}
		if c.warn == nil && strings.Contains(errOut, "warning") {
			t.Errorf("%s: unexpected warning: %s", c.name, errOut)
		}
		for _, w := range c.warn {
			if !strings.Contains(errOut, w) {
				t.Errorf("%s: stderr lacks %q: %s", c.name, w, errOut)
			}
		}
		// The JSON lists the warnings too, for scripts that keep stdout only.
		var res struct {
			Warnings []string `json:"warnings"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		if len(res.Warnings) != min(len(c.warn), 1) || (len(c.warn) > 0 && !strings.Contains(res.Warnings[0], c.warn[0])) {
			t.Errorf("%s: JSON warnings %q, want one with %q", c.name, res.Warnings, c.warn)
		}
		// So does the run record.
		var rec record.Record
		raw, err := os.ReadFile(recPath)
		if err != nil || json.Unmarshal(raw, &rec) != nil {
			t.Fatalf("%s: record: %v", c.name, err)
		}
		if !slices.Equal(rec.Warnings, res.Warnings) {
			t.Errorf("%s: record warnings %q, want the JSON's %q", c.name, rec.Warnings, res.Warnings)
		}
	}
}

// warnLog keeps the lines of stderr that are warnings, with or without a
// command's name before "warning: ", and nothing else.
func TestWarnLog(t *testing.T) {
	var errOut bytes.Buffer
	l := &warnLog{w: &errOut}
	for _, chunk := range []string{
		"eval: warning: a\n",
		"mhe train: /tmp/x, threads 2\nwarning: b\n",
		"progress 50% (warning: not one)\n",
		"data: train 2 rows\n",
		"mhe sweep: warning: c",
		"Warning: d\n",
	} {
		if n, err := l.Write([]byte(chunk)); n != len(chunk) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", chunk, n, err)
		}
	}
	s := &streams{warned: l}
	if got, want := s.warnings(), []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("warnings %q, want %q", got, want)
	}
	if !strings.HasSuffix(errOut.String(), "Warning: d\n") || !strings.HasPrefix(errOut.String(), "eval: warning: a\n") {
		t.Errorf("stderr not passed through: %q", errOut.String())
	}
	if (&streams{}).warnings() != nil {
		t.Error("streams without a log have warnings")
	}
}

// Propensity parameters come as a finite positive pair, with or without
// --model (which used to ignore a lone or NaN --A silently).
func TestEvalPropensityFlags(t *testing.T) {
	dir, _ := trainTiny(t)
	for _, bad := range [][]string{{"--A", "0.6"}, {"--B", "2.6"}, {"--A", "NaN", "--B", "1.5"}, {"--A", "0.55", "--B", "+Inf"}, {"--A", "-1", "--B", "1"}} {
		for _, src := range [][]string{{"--model", dir}, {"--truth", "testdata/hand_truth.txt", "--pred", "testdata/hand_pred.txt"}} {
			args := append(append([]string{"eval"}, src...), bad...)
			code, out, errOut := runMain(t, "", args...)
			if code != ExitUsage || out != "" || !strings.Contains(errOut, "--A and --B go together") {
				t.Errorf("%v: exit %d, stdout %q, stderr %q", args[1:], code, out, errOut)
			}
		}
	}
	if code, _, errOut := runMain(t, "", "eval", "--model", dir, "--A", "0.6", "--B", "2.6"); code != 0 {
		t.Errorf("a valid pair: exit %d %s", code, errOut)
	}
	// Propensities from fewer than 3 training rows are computed (as
	// pyxclib does) with a warning: the model's C is negative there.
	for rows, warn := range map[int]bool{1: true, 2: true, 3: false} {
		train := filepath.Join(t.TempDir(), "train.txt")
		body := strconv.Itoa(rows) + " 3 5\n" + strings.Repeat("0,1 0:1\n", rows)
		os.WriteFile(train, []byte(body), 0o644)
		code, _, errOut := runMain(t, "", "eval", "--truth", "testdata/hand_truth.txt", "--pred", "testdata/hand_pred.txt", "--train", train)
		if code != 0 || strings.Contains(errOut, "PSP@k and PSnDCG@k mean nothing here") != warn {
			t.Errorf("--train of %d rows: exit %d, stderr %q; want a warning: %v", rows, code, errOut, warn)
		}
	}
}

func TestEvalPerLabel(t *testing.T) {
	dir := t.TempDir()
	names := filepath.Join(dir, "names.txt")
	os.WriteFile(names, []byte("a\nb\nc\nd\ne\n"), 0o644)
	out := filepath.Join(dir, "per_label.csv")
	code, stdout, errOut := runMain(t, "", "eval", "--truth", "testdata/hand_truth.txt", "--pred", "testdata/hand_pred.txt",
		"--per-label", out, "--per-label-k", "1", "--names", names)
	if code != 0 {
		t.Fatal(errOut)
	}
	// The averages of the counts below: macro over the 5 labels (each true
	// once) 2/5 for P, R and F1; micro 2 hits of 3 predictions and 5 true
	// labels, F1 = 2·(2/3)·(2/5) / (2/3 + 2/5) = 1/2.
	if want := "per-label: macro P 40.00 R 40.00 F1 40.00 over the 5 labels true or predicted; micro P 66.67 R 40.00 F1 50.00 (predicted set: the first prediction of a row)\n"; !strings.HasSuffix(stdout, want) {
		t.Errorf("table output:\n%s\nwant it to end with:\n%s", stdout, want)
	}
	// Markdown: the metric table, then the averages as a second table; CSV:
	// the metric grid alone (its columns are cut-offs).
	code, stdout, errOut = runMain(t, "", "eval", "--truth", "testdata/hand_truth.txt", "--pred", "testdata/hand_pred.txt",
		"--per-label", filepath.Join(dir, "md.csv"), "--per-label-k", "1", "--format", "markdown")
	wantMD := "\nPer-label averages, in percent: macro over the 5 labels true or predicted, micro over all predictions (predicted set: the first prediction of a row).\n\n" +
		"| average | P | R | F1 |\n|---|---:|---:|---:|\n| macro | 40.00 | 40.00 | 40.00 |\n| micro | 66.67 | 40.00 | 50.00 |\n"
	if code != 0 || !strings.HasSuffix(stdout, wantMD) || !strings.HasPrefix(stdout, "| metric |") {
		t.Errorf("markdown: exit %d %s\n%s\nwant it to end with:\n%s", code, errOut, stdout, wantMD)
	}
	code, stdout, errOut = runMain(t, "", "eval", "--truth", "testdata/hand_truth.txt", "--pred", "testdata/hand_pred.txt",
		"--per-label", filepath.Join(dir, "csv.csv"), "--per-label-k", "1", "--format", "csv")
	if code != 0 || strings.Contains(stdout, "macro") || !strings.HasPrefix(stdout, "metric,@1") {
		t.Errorf("csv: exit %d %s\n%s", code, errOut, stdout)
	}
	got, _ := os.ReadFile(out)
	// Top-1 predictions: 2, 1, 4. Label 2: predicted once, true once, hit.
	// Label 4: predicted once (row 3), true once, hit. Label 1: predicted
	// once (row 2, no true labels), true once (row 3), no hit.
	want := "label,name,support,predicted,true_positives,precision,recall,f1\n" +
		"0,a,1,0,0,0.000000,0.000000,0.000000\n" +
		"1,b,1,1,0,0.000000,0.000000,0.000000\n" +
		"2,c,1,1,1,1.000000,1.000000,1.000000\n" +
		"3,d,1,0,0,0.000000,0.000000,0.000000\n" +
		"4,e,1,1,1,1.000000,1.000000,1.000000\n"
	if string(got) != want {
		t.Errorf("per-label file:\n%s\nwant:\n%s", got, want)
	}
	// A names file with fewer names than labels is refused.
	short := filepath.Join(dir, "short.txt")
	os.WriteFile(short, []byte("a\nb\n"), 0o644)
	code, _, errOut = runMain(t, "", "eval", "--truth", "testdata/hand_truth.txt", "--pred", "testdata/hand_pred.txt", "--names", short)
	if code != ExitData || !strings.Contains(errOut, "has 2 names but the data has 5") {
		t.Errorf("short names: exit %d %s", code, errOut)
	}
}

// A truth or training file whose header declares far more labels than
// memory holds is refused before --train's propensities or --per-label's
// counts are allocated (it ran for minutes, then was killed); with a
// plausible label count the same flags score it.
func TestEvalHugeDeclaredLabels(t *testing.T) {
	defer func(f func() memlimit.Limit) { detectLimit = f }(detectLimit)
	detectLimit = func() memlimit.Limit { return memlimit.Limit{Bytes: 1 << 20, Source: "/sys/fs/cgroup/job/memory.max"} }
	dir := t.TempDir()
	write := func(name, text string) string { return testutil.WriteFile(t, dir, name, text) }
	huge := write("huge.txt", "1 5 100000\n1,7 0:1 3:1\n")
	small := write("small.txt", "1 5 14\n1,7 0:1 3:1\n")
	pred := write("pred.txt", "1:0.9 7:0.1\n")
	perLabel := filepath.Join(dir, "per_label.csv")
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--truth", huge, "--train", small}, "huge.txt declares 100000 labels, and the propensities need 2 MiB for them"},
		{[]string{"--truth", small, "--train", huge}, "huge.txt declares 100000 labels, and the propensities need"},
		{[]string{"--truth", huge, "--per-label", perLabel}, "--per-label's counts need 2 MiB"},
	} {
		args := append([]string{"eval", "--pred", pred}, c.args...)
		code, out, errOut := runMain(t, "", args...)
		if code != ExitData || out != "" || !strings.Contains(errOut, c.msg) ||
			!strings.Contains(errOut, "more than this process may use (1 MiB: /sys/fs/cgroup/job/memory.max); its rows use label ids up to 7") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", c.args, code, out, errOut)
		}
	}
	if _, err := os.Stat(perLabel); !os.IsNotExist(err) {
		t.Errorf("a refused eval wrote %s: %v", perLabel, err)
	}
	if code, _, errOut := runMain(t, "", "eval", "--pred", pred, "--truth", small, "--train", small, "--per-label", perLabel); code != 0 {
		t.Errorf("14 labels: exit %d %s", code, errOut)
	}
}

func TestEvalPredNames(t *testing.T) {
	dir := t.TempDir()
	names := filepath.Join(dir, "names.txt")
	os.WriteFile(names, []byte("a\nb\nc\nd\ne\n"), 0o644)
	pred := "c:0.9 b:0.8 a:0.7\nb:0.9 d:0.5 e:0.1\ne:0.9\n"
	code, out, errOut := runMain(t, pred, "eval", "--truth", "testdata/hand_truth.txt", "--pred", "-", "--names", names, "--pred-names", "--k", "1,3", "--format", "json")
	if code != 0 {
		t.Fatal(errOut)
	}
	if !strings.Contains(out, `"p@1": 0.6666666666666666`) {
		t.Errorf("named predictions scored differently: %s", out)
	}
}

func TestJSONErrors(t *testing.T) {
	code, _, errOut := runMain(t, "", "eval", "--truth", "nope.txt", "--pred", "x", "--format", "json")
	if code != ExitData {
		t.Fatal(code)
	}
	var e struct {
		Error struct {
			Code    int    `json:"code"`
			Kind    string `json:"kind"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(errOut), &e); err != nil || e.Error.Code != 3 || e.Error.Kind != "data" {
		t.Errorf("JSON error = %q (%v)", errOut, err)
	}
	// A bad flag before --format json stops the flag parser before it
	// reads --format; the error is JSON all the same.
	for _, args := range [][]string{
		{"plan", "--lables", "5", "--format", "json"},
		{"plan", "--lables", "5", "--format=json"},
		{"plan", "--heads", "two", "--format", "json"},
	} {
		code, _, errOut = runMain(t, "", args...)
		e.Error.Kind = ""
		if err := json.Unmarshal([]byte(errOut), &e); err != nil || code != ExitUsage || e.Error.Code != 2 || e.Error.Kind != "usage" {
			t.Errorf("%v: exit %d, stderr %q (%v); want a JSON usage error", args, code, errOut, err)
		}
	}
	for _, args := range [][]string{
		{"plan", "--lables", "5", "--", "--format", "json"},                // not a flag after --
		{"plan", "--lables", "5", "--format", "json", "--format", "table"}, // the last one counts
	} {
		if code, _, errOut = runMain(t, "", args...); code != ExitUsage || strings.HasPrefix(errOut, "{") {
			t.Errorf("%v: exit %d, stderr %q; want a plain usage error", args, code, errOut)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runMain(t, "", "--version")
	if code != 0 || !strings.HasPrefix(out, "mhe ") {
		t.Errorf("--version: %d %q", code, out)
	}
	code, out, _ = runMain(t, "", "version", "--format", "json")
	if code != 0 || !strings.Contains(out, `"go_version"`) {
		t.Errorf("version --format json: %q", out)
	}
	code, out, _ = runMain(t, "", "help")
	if code != 0 || !strings.Contains(out, "Exit codes:") || !strings.Contains(out, "130") {
		t.Errorf("mhe help lacks the exit codes: %q", out)
	}
	code, out, _ = runMain(t, "", "completion", "bash")
	if code != 0 || !strings.Contains(out, "bash completion") {
		t.Errorf("completion bash: %d", code)
	}
}

// mhe report aggregates run records: seeds of one config are one row with
// mean ± sample std (Bibtex vanilla: 64.06, 63.18, 63.38 → 63.54 ± 0.46),
// rows with the same head are told apart by the config keys that differ,
// and every format renders (golden files).
func TestReportGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "report", "*.json"))
	if len(files) != 6 {
		t.Fatalf("fixtures: %v", files)
	}
	for i := range files {
		files[i] = filepath.ToSlash(files[i]) // the JSON lists them as given
	}
	for _, format := range []string{"table", "markdown", "latex", "csv", "json"} {
		args := append([]string{"report", "--format", format}, files...)
		code, out, errOut := runMain(t, "", args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", format, code, errOut)
		}
		golden(t, "report."+format, out)
	}
	_, out, _ := runMain(t, "", append([]string{"report", "--format", "markdown", "--metrics", "p@1"}, files...)...)
	if !strings.Contains(out, "| Bibtex | vanilla | 3 | 63.54 ± 0.46 |") || !strings.Contains(out, "mhc 32×5 (head.label_order=random)") {
		t.Errorf("report:\n%s", out)
	}
	for metrics, want := range map[string]string{
		"p@7":      "--metrics p@7: no run reports it; the runs have ",
		"p@1,p@1x": `--metrics "p@1x": want names like p@1`,
		"p@01":     `--metrics "p@01"`,
	} {
		code, out, errOut := runMain(t, "", append([]string{"report", "--metrics", metrics}, files...)...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, want) {
			t.Errorf("report --metrics %s: exit %d, stdout %q, stderr %q; want exit %d and %q", metrics, code, out, errOut, ExitUsage, want)
		}
	}
	if code, out, _ := runMain(t, "", append([]string{"report", "--format", "csv", "--metrics", "nDCG@3"}, files...)...); code != 0 || !strings.Contains(out, "ndcg@3") {
		t.Errorf("report --metrics nDCG@3 (case-insensitive): exit %d %q", code, out)
	}
	if code, _, errOut := runMain(t, "", "report", "testdata/hand_truth.txt"); code != ExitData || !strings.Contains(errOut, "not an mhe result file") {
		t.Errorf("a data file as a result: exit %d %s", code, errOut)
	}
	plotDir := t.TempDir()
	if code, _, errOut := runMain(t, "", append([]string{"report", "--plots", plotDir}, files...)...); code != 0 {
		t.Fatalf("--plots: %s", errOut)
	}
	for _, f := range []string{"Bibtex-cost.png", "Bibtex-cost.svg", "Delicious-cost.png", "Delicious-cost.svg"} {
		if st, err := os.Stat(filepath.Join(plotDir, f)); err != nil || st.Size() < 1000 {
			t.Errorf("--plots did not draw %s: %v", f, err)
		}
	}
	if code, _, _ := runMain(t, "", "report", "--metrics", "top@1", files[0]); code != ExitUsage {
		t.Errorf("--metrics top@1: exit %d, want 2", code)
	}
}

// --cpuprofile and --memprofile work on any command and write profiles
// pprof reads (gzipped protocol buffers); an unwritable path is a usage
// error before anything runs.
func TestProfileFlags(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.out"), filepath.Join(dir, "mem.out")
	code, _, errOut := runMain(t, "", "plan", "--labels", "3993", "--heads", "2", "--method", "mhp", "--cpuprofile", cpu, "--memprofile", mem)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, p := range []string{cpu, mem} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Errorf("%s is not a gzipped profile (%d bytes)", p, len(b))
		}
	}
	code, _, errOut = runMain(t, "", "plan", "--labels", "3993", "--heads", "2", "--cpuprofile", filepath.Join(dir, "missing", "cpu.out"))
	if code != ExitUsage || !strings.Contains(errOut, "--cpuprofile") {
		t.Errorf("unwritable --cpuprofile: exit %d, %q; want %d naming the flag", code, errOut, ExitUsage)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// TestTrainContinue: --continue starts a run, leaves its finished model as
// it is (exit 0), and refuses a directory holding another config's run;
// resuming an unfinished run is TestKillAndResume's last case.
func TestTrainContinue(t *testing.T) {
	tmp := t.TempDir()
	cfg := filepath.Join(tmp, "c.yaml")
	os.WriteFile(cfg, []byte(`name: continue-test
data:
  synth: {examples: 600, test_examples: 100, features: 50, labels: 20, seed: 2}
encoder: {type: mlp, hidden: [16]}
head: {method: mhc, lengths: [5, 4], beam: 2}
train: {epochs: 2, batch_size: 32, lr: 0.01}
`), 0o644)
	dir := filepath.Join(tmp, "run")
	args := []string{"train", "--config", cfg, "--out", dir, "--continue", "--quiet", "--format", "json"}
	code, first, stderr := runMain(t, "", args...)
	if code != 0 {
		t.Fatalf("first --continue: exit %d: %s", code, stderr)
	}
	weights, _ := filepath.Glob(filepath.Join(dir, "weights-*.bin"))
	st, err := os.Stat(weights[0])
	if err != nil {
		t.Fatal(err)
	}
	res := filepath.Join(tmp, "result.json")
	// The test metrics the finishing run printed, from its record, so
	// that a requeued job's stdout is what the first one's was.
	code, stdout, stderr := runMain(t, "", append(args, "--threads", "1", "--set", "data.dir=/elsewhere", "--result", res)...)
	if code != 0 || stdout != first || !strings.Contains(stderr, "holds the finished model of this config; nothing to do") {
		t.Errorf("--continue on the finished model: exit %d, stdout %q, want the first run's %q; stderr %q", code, stdout, first, stderr)
	}
	_, table, _ := runMain(t, "", "eval", "--model", dir, "--quiet")
	code, stdout, _ = runMain(t, "", "train", "--config", cfg, "--out", dir, "--continue", "--quiet")
	if code != 0 || stdout != table || !strings.Contains(table, "rows: 100 evaluated") {
		t.Errorf("--continue --format table on the finished model: exit %d, stdout\n%s\nwant mhe eval --model's\n%s", code, stdout, table)
	}
	want, _ := os.ReadFile(filepath.Join(dir, "result.json"))
	if got, err := os.ReadFile(res); err != nil || !bytes.Equal(got, want) || len(want) == 0 {
		t.Errorf("--result should get a copy of the run's record: %v", err)
	}
	if st2, err := os.Stat(weights[0]); err != nil || !st2.ModTime().Equal(st.ModTime()) {
		t.Errorf("the finished model was touched: %v", err)
	}
	for _, tc := range []struct {
		extra []string
		want  string
	}{
		{[]string{"--set", "train.lr=0.02"}, "holds a run of another config (train.lr: 0.01 there, 0.02 here)"},
		{[]string{"--seed", "7"}, "(train.seed: 1 there, 7 here)"},
		{[]string{"--force"}, "drop --resume and --force"},
		{[]string{"--resume", dir}, "drop --resume and --force"},
		// --result is checked before the finished run's record is copied.
		{[]string{"--result", tmp}, "--result " + tmp + " is a directory"},
	} {
		code, _, stderr := runMain(t, "", append(args, tc.extra...)...)
		// The error is JSON (--format json): a Windows path's
		// backslashes are escaped there.
		quoted, _ := json.Marshal(tc.want)
		if code != ExitUsage || !strings.Contains(stderr, strings.Trim(string(quoted), `"`)) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.extra, code, stderr, ExitUsage, tc.want)
		}
	}
	// A record of a build that did not keep the empty-row count: the
	// metrics are not printed, and the command says where they are.
	rec := filepath.Join(dir, "result.json")
	raw, _ := os.ReadFile(rec)
	os.WriteFile(rec, bytes.Replace(raw, []byte(`"n_empty_test_rows": 0,`), nil, 1), 0o644)
	code, stdout, stderr = runMain(t, "", args...)
	if code != 0 || stdout != "" || !strings.Contains(stderr, "did not keep what its metrics table needs") {
		t.Errorf("--continue with an older record: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, _, stderr := runMain(t, "", "train", "--out", dir, "--continue"); code != ExitUsage || !strings.Contains(stderr, "--continue needs --config FILE and --out DIR") {
		t.Errorf("--continue without --config: exit %d, %s", code, stderr)
	}
}

// TestTrainContinueChangedData: --continue does not call a finished model
// done when its data file has changed since (exit 4), and does when the
// file is as it was.
func TestTrainContinueChangedData(t *testing.T) {
	tmp := t.TempDir()
	data := filepath.Join(tmp, "train.txt")
	if code, _, stderr := runMain(t, "", "data", "synth", "--examples", "400", "--features", "40", "--labels", "12", "--seed", "3", "--out", data); code != 0 {
		t.Fatalf("data synth: exit %d: %s", code, stderr)
	}
	cfg := filepath.Join(tmp, "c.yaml")
	os.WriteFile(cfg, []byte(`name: continue-data
data: {format: xc, train: `+data+`, holdout_every: 5}
encoder: {type: mlp, hidden: [8]}
head: {method: mhc, lengths: [4, 3], beam: 2}
train: {epochs: 1, batch_size: 32}
`), 0o644)
	dir := filepath.Join(tmp, "run")
	args := []string{"train", "--config", cfg, "--out", dir, "--continue", "--quiet"}
	for i, want := range []int{0, 0} {
		if code, _, stderr := runMain(t, "", args...); code != want {
			t.Fatalf("run %d: exit %d, want %d: %s", i, code, want, stderr)
		}
	}
	if code, _, stderr := runMain(t, "", "data", "synth", "--examples", "400", "--features", "40", "--labels", "12", "--seed", "4", "--out", data); code != 0 {
		t.Fatalf("data synth: exit %d: %s", code, stderr)
	}
	code, _, stderr := runMain(t, "", args...)
	if code != ExitModel || !strings.Contains(stderr, "trained on other contents of "+data) || !strings.Contains(stderr, "--force without --continue") {
		t.Errorf("changed data: exit %d, stderr %q; want exit %d naming %s", code, stderr, ExitModel, data)
	}
	// A node without the data: the finished model stays done, with a warning.
	os.Remove(data)
	if code, _, stderr := runMain(t, "", args...); code != 0 || !strings.Contains(stderr, "cannot be checked") || !strings.Contains(stderr, "nothing to do") {
		t.Errorf("data gone: exit %d, stderr %q; want 0 with a warning", code, stderr)
	}
}

// A usage error ends with where to find the usage; any other error does
// not (it is not a question of how mhe is called).
func TestUsageHint(t *testing.T) {
	const hint = "Run 'mhe help' (or add --help to the command) for usage."
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"eval", "--nope"}, ExitUsage},
		{[]string{"data", "stats"}, ExitUsage},
		{[]string{"plan", "--labels", "5", "--data", "x"}, ExitUsage},
		{[]string{"plan", "--data", "does-not-exist.txt"}, ExitData},
		{[]string{"predict", "--model", "/nonexistent"}, ExitModel},
	} {
		code, _, errOut := runMain(t, "", c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d: %s", c.args, code, c.code, errOut)
		}
		if got, want := strings.Contains(errOut, hint), c.code == ExitUsage; got != want {
			t.Errorf("%v (exit %d): usage hint %v, want %v: %q", c.args, code, got, want, errOut)
		}
	}
}

// isWarningPrefix takes nothing or a lower-case command name and ": "
// before "warning: " (the lines mhe's warnings start with), nothing else.
func TestIsWarningPrefix(t *testing.T) {
	for in, want := range map[string]bool{
		"": true, "eval: ": true, "mhe sweep: ": true, "fuzz: ": true, "a: ": true,
		": ": false, "Eval: ": false, "x1: ": false, "eval:": false, "eval ": false, "{: ": false,
	} {
		if got := isWarningPrefix([]byte(in)); got != want {
			t.Errorf("isWarningPrefix(%q) = %v, want %v", in, got, want)
		}
	}
}

// formatJSONInArgs reads the last --format before "--" as pflag does, and
// a --format with nothing after it as no format.
func TestFormatJSONInArgs(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{
		{[]string{"plan", "--format", "json"}, true},
		{[]string{"plan", "--format=json"}, true},
		{[]string{"plan", "--format", "json", "--format", "table"}, false},
		{[]string{"plan", "--format=table", "--format", "json"}, true},
		{[]string{"plan", "--format", "json", "--", "--format", "table"}, true},
		{[]string{"plan", "--", "--format", "json"}, false},
		{[]string{"--format"}, false},
		{[]string{"plan", "--format"}, false},
		{[]string{"plan", "--format", "json", "--format"}, true},
	} {
		if got := formatJSONInArgs(c.args); got != c.want {
			t.Errorf("formatJSONInArgs(%q) = %v, want %v", c.args, got, c.want)
		}
	}
}

// gateReader blocks its first Read until released, after telling that the
// command has begun to read (its flags checked, its profiles started).
type gateReader struct {
	r        io.Reader
	reading  chan struct{}
	released chan struct{}
	once     sync.Once
}

func (g *gateReader) Read(p []byte) (int, error) {
	g.once.Do(func() { close(g.reading); <-g.released })
	return g.r.Read(p)
}

// A heap profile that cannot be written when the command ends fails a
// command that otherwise succeeded (exit 1, naming --memprofile); the
// command's output stands.
func TestProfileWriteFailureFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "profiles")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	in := &gateReader{r: strings.NewReader("0:0.9\n1:0.8\n4:0.7\n"), reading: make(chan struct{}), released: make(chan struct{})}
	var out, errOut bytes.Buffer
	done := make(chan int)
	go func() {
		done <- Main([]string{"--memprofile", filepath.Join(dir, "mem.prof"), "eval", "--pred", "-", "--truth", "testdata/hand_truth.txt",
			"--format", "json"}, &streams{in: in, out: &out, errOut: &errOut})
	}()
	<-in.reading
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	close(in.released)
	code := <-done
	if code != ExitFailure || !strings.Contains(errOut.String(), "--memprofile") {
		t.Errorf("exit %d, stderr %q; want exit %d naming --memprofile", code, errOut.String(), ExitFailure)
	}
	if !strings.Contains(out.String(), `"p@1": `) || strings.Contains(out.String(), "warnings") {
		t.Errorf("the metrics were not written: %q", out.String())
	}
}

// Propensities: --dataset names the A/B by the XC repository's rule (the
// truth file's path otherwise); a training file of fewer labels than the
// truth counts the rest as never seen, as its header declaring them would;
// and eval --against --format json says which propensities it used.
func TestEvalPropensitySources(t *testing.T) {
	dir := t.TempDir()
	// The hand truth's rows (5 labels), and a file of them declaring 3.
	narrow := filepath.Join(dir, "narrow.txt")
	os.WriteFile(narrow, []byte("3 6 3\n0,2 0:1\n 1:1\n1 2:1\n"), 0o644)
	wide := filepath.Join(dir, "wide.txt")
	os.WriteFile(wide, []byte("3 6 5\n0,2 0:1\n 1:1\n1 2:1\n"), 0o644)
	eval := func(extra ...string) map[string]any {
		t.Helper()
		args := append([]string{"eval", "--truth", "testdata/hand_truth.txt", "--pred", "testdata/hand_pred.txt", "--format", "json"}, extra...)
		code, out, errOut := runMain(t, "", args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", extra, code, errOut)
		}
		var res map[string]any
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	prop := func(res map[string]any) (a, b float64) {
		p, _ := res["propensity"].(map[string]any)
		a, _ = p["a"].(float64)
		b, _ = p["b"].(float64)
		return a, b
	}
	if a, b := prop(eval("--train", wide)); a != 0.55 || b != 1.5 {
		t.Errorf("no --dataset: A=%g B=%g, want the default 0.55/1.5", a, b)
	}
	if a, b := prop(eval("--train", wide, "--dataset", "Wiki-500K")); a != 0.5 || b != 0.4 {
		t.Errorf("--dataset Wiki-500K: A=%g B=%g, want 0.5/0.4", a, b)
	}
	w, n := eval("--train", wide)["metrics"], eval("--train", narrow)["metrics"]
	if !reflect.DeepEqual(w, n) {
		t.Errorf("a training file declaring 3 labels: %v; declaring 5: %v", n, w)
	}
	// With --against: the propensity key when there are propensities.
	for _, extra := range [][]string{nil, {"--train", wide}} {
		res := eval(append([]string{"--against", "testdata/hand_pred.txt", "--resamples", "10"}, extra...)...)
		if _, has := res["propensity"]; has != (extra != nil) {
			t.Errorf("--against %v: propensity key %v, want %v", extra, has, extra != nil)
		}
	}
	code, _, errOut := runMain(t, "", "eval", "--truth", "testdata/hand_truth.txt", "--pred", "testdata/hand_pred.txt", "--train-rows", "rows.txt")
	if code != ExitUsage || !strings.Contains(errOut, "--train-rows selects rows of --train; give --train too") {
		t.Errorf("--train-rows without --train: exit %d %q", code, errOut)
	}
}

// --heads N plans N heads whatever the budget; --heads auto takes the
// fewest heads whose parameters fit --budget; a budget without auto, or
// without heads to choose, is refused.
func TestPlanHeadsAndBudget(t *testing.T) {
	heads := func(args ...string) int {
		t.Helper()
		code, out, errOut := runMain(t, "", append([]string{"plan", "--format", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		var p struct{ Heads int }
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatal(err)
		}
		return p.Heads
	}
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"--labels", "670091", "--heads", "auto", "--budget", "1e8"}, 2},
		{[]string{"--labels", "670091", "--heads", "auto", "--budget", "5e5"}, 3},
		{[]string{"--labels", "1000", "--heads", "3", "--budget", "1e6"}, 3},
		{[]string{"--labels", "1000", "--heads", "1"}, 1},
		{[]string{"--labels", "1000", "--lengths", "40,25", "--budget", "1e6"}, 2},
	} {
		if got := heads(c.args...); got != c.want {
			t.Errorf("%v: %d heads, want %d", c.args, got, c.want)
		}
	}
	code, _, errOut := runMain(t, "", "plan", "--labels", "1000", "--budget", "1e6")
	if code != ExitUsage || !strings.Contains(errOut, "--budget only chooses heads with --heads auto") {
		t.Errorf("--budget without --heads auto: exit %d %q", code, errOut)
	}
}

// A head.plan file's beam, bottleneck and samples replace the config's
// where the file gives them, and leave them where it does not.
func TestPlanFileOverridesConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string { return testutil.WriteFile(t, dir, name, body) }
	const data = "data: {synth: {examples: 300, features: 50, labels: 100}}\n"
	write("mhc-full.yaml", "method: mhc\nlabels: 100\nlengths: [10, 10]\nbeam: 9\nbottleneck_dim: 32\n")
	write("mhc-bare.yaml", "method: mhc\nlabels: 100\nlengths: [10, 10]\n")
	write("mhs-full.yaml", "method: mhs\nlabels: 100\nlengths: [10, 10]\nsamples: 6\n")
	write("mhs-bare.yaml", "method: mhs\nlabels: 100\nlengths: [10, 10]\n")
	for _, c := range []struct {
		head string
		want map[string]float64
	}{
		{"{method: mhc, beam: 5, bottleneck_dim: 16, plan: mhc-full.yaml}", map[string]float64{"beam": 9, "bottleneck_dim": 32}},
		{"{method: mhc, beam: 5, bottleneck_dim: 16, plan: mhc-bare.yaml}", map[string]float64{"beam": 5, "bottleneck_dim": 16}},
		{"{method: mhs, samples: 3, plan: mhs-full.yaml}", map[string]float64{"samples": 6}},
		{"{method: mhs, samples: 3, plan: mhs-bare.yaml}", map[string]float64{"samples": 3}},
	} {
		cfg := write("c.yaml", data+"head: "+c.head+"\n")
		code, out, errOut := runMain(t, "", "plan", "--config", cfg, "--format", "json")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.head, code, errOut)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		for k, v := range c.want {
			if got[k] != v {
				t.Errorf("head %s: %s = %v, want %v", c.head, k, got[k], v)
			}
		}
	}
	// --out writes the plan file and still prints the plan.
	out := filepath.Join(dir, "plan-out.yaml")
	code, stdout, errOut := runMain(t, "", "plan", "--labels", "100", "--out", out)
	if b, err := os.ReadFile(out); code != 0 || err != nil || !strings.Contains(string(b), "lengths: [10, 10]") || !strings.Contains(stdout, "labels (C)") {
		t.Errorf("plan --out: exit %d, stdout %q, %s; file %q %v", code, stdout, errOut, b, err)
	}
}

// plan --config finds C and the encoder's width d without the data where it
// can: the synthetic generator's counts, the declared ones, or the training
// file's header (for a linear encoder, whose width is the feature count).
func TestPlanConfigDims(t *testing.T) {
	truth, err := filepath.Abs("testdata/hand_truth.txt") // header: 3 rows, 6 features, 5 labels
	if err != nil {
		t.Fatal(err)
	}
	const synth = "data: {synth: {examples: 300, features: 50, labels: 100}}\n"
	for _, c := range []struct {
		body                string
		labels, dim, nheads int
	}{
		{synth + "encoder: {type: linear}\nhead: {method: mhp, heads: 3}\n", 100, 50, 3},
		{synth + "encoder: {type: linear, hash_features: 64}\nhead: {method: mhp, heads: 2}\n", 100, 64, 2},
		{synth + "encoder: {type: mlp, hidden: [64, 24]}\nhead: {method: mhp, heads: 2}\n", 100, 24, 2},
		{synth + "encoder: {type: mlp, hidden: [32]}\nhead: {method: mhp, lengths: [20, 5]}\n", 100, 32, 2},
		{"data: {train: " + truth + ", num_labels: 5}\nencoder: {type: linear}\nhead: {method: mhp, heads: 2}\n", 5, 6, 2},
		{"data: {train: " + truth + ", num_labels: 4, num_features: 9}\nencoder: {type: linear}\nhead: {method: mhp, heads: 2}\n", 4, 9, 2},
		{"data: {train: " + truth + "}\nencoder: {type: mlp, hidden: [32]}\nhead: {method: mhp, heads: 2}\n", 5, 32, 2},
	} {
		code, out, errOut := runMain(t, "", "plan", "--config", writeConfig(t, c.body), "--format", "json")
		if code != 0 {
			t.Errorf("%q: exit %d: %s", c.body, code, errOut)
			continue
		}
		var p struct{ Labels, Dim, Heads int }
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatal(err)
		}
		if p.Labels != c.labels || p.Dim != c.dim || p.Heads != c.nheads {
			t.Errorf("%q: labels %d, dim %d, heads %d; want %d, %d, %d", c.body, p.Labels, p.Dim, p.Heads, c.labels, c.dim, c.nheads)
		}
	}
}

// parseCount reads --budget's counts: plain, in exponent form, or with a
// k, M or G suffix; nothing negative, infinite or past 2^62.
func TestParseCount(t *testing.T) {
	for in, want := range map[string]int64{
		"2000000": 2000000, "2e6": 2000000, "2M": 2000000, "3m": 3000000, "500k": 500000, "500K": 500000,
		"1.5G": 1500000000, "2g": 2000000000, "0": 0, " 7 ": 7, "4611686018427387904": 1 << 62,
	} {
		if got, err := parseCount(in); err != nil || got != want {
			t.Errorf("parseCount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "k", "-1", "-2M", "Inf", "NaN", "1e30", "9e18", "5e15k", "5e12M", "2x", "1,000"} {
		if got, err := parseCount(in); err == nil {
			t.Errorf("parseCount(%q) = %d, want an error", in, got)
		}
	}
}
