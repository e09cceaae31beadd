package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/aggregate"
	"github.com/mhe-xlc/mhe/internal/plots"
	"github.com/mhe-xlc/mhe/internal/testutil"
)

// A directory of links to hand-picked runs reports those runs; a link to a
// run already walked, a link cycle and a file named twice count nothing
// twice.
func TestResultFilesFollowLinks(t *testing.T) {
	root := t.TempDir()
	runs, picks := filepath.Join(root, "runs"), filepath.Join(root, "picks")
	for _, f := range []string{"runs/a/result.json", "runs/b/x.result.json", "runs/b/notes.json"} {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(picks, 0o755); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"a": "../runs/a", "again": "../runs/a", "loop": ".", "up": ".."} {
		testutil.Symlink(t, target, filepath.Join(picks, link))
	}
	real := func(ps []string) []string {
		var out []string
		for _, p := range ps {
			r, err := filepath.EvalSymlinks(p)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		slices.Sort(out)
		return out
	}
	a, _ := filepath.EvalSymlinks(filepath.Join(runs, "a", "result.json"))
	b, _ := filepath.EvalSymlinks(filepath.Join(runs, "b", "x.result.json"))
	t.Chdir(root)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{runs}, []string{a, b}},
		{[]string{picks}, []string{a, b}}, // "up" reaches runs/b too
		{[]string{runs, picks}, []string{a, b}},
		{[]string{filepath.Join(picks, "again")}, []string{a}},
		{[]string{a, filepath.Join(picks, "a", "result.json"), runs}, []string{a, b}},
		{[]string{runs, "runs"}, []string{a, b}}, // absolute and relative (run in root)
	} {
		got, err := resultFiles(c.args)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if r := real(got); !slices.Equal(r, c.want) {
			t.Errorf("%v: found %v, want %v", c.args, r, c.want)
		}
	}
	// A file found below a link is named by the path given, not the
	// link's target.
	again := filepath.Join(picks, "again")
	if got, err := resultFiles([]string{again}); err != nil || !slices.Equal(got, []string{filepath.Join(again, "result.json")}) {
		t.Errorf("%s: found %v (%v), want it named below the link", again, got, err)
	}
	testutil.Symlink(t, "missing", filepath.Join(picks, "broken"))
	if _, err := resultFiles([]string{picks}); err == nil {
		t.Error("a broken link was passed over silently")
	}
}

// --sort orders each dataset's rows best first; an unknown or absent
// metric is a usage error.
func TestReportSort(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "report", "*.json"))
	code, out, errOut := runMain(t, "", append([]string{"report", "--format", "json", "--sort", "P@1"}, files...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rows []struct {
		Dataset string `json:"dataset"`
		Metrics map[string]struct {
			Mean float64 `json:"mean"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) < 3 {
		t.Fatalf("report json: %v %s", err, out)
	}
	sorted := 0
	for i := 1; i < len(rows); i++ {
		a, b := rows[i-1], rows[i]
		if a.Dataset > b.Dataset || a.Dataset == b.Dataset && a.Metrics["p@1"].Mean < b.Metrics["p@1"].Mean {
			t.Errorf("rows %d and %d out of order: %+v then %+v", i-1, i, a, b)
		}
		if a.Dataset == b.Dataset {
			sorted++
		}
	}
	if sorted == 0 {
		t.Fatal("the fixtures have no dataset with two rows to order")
	}
	for flag, want := range map[string]string{
		"p@9":  "--sort p@9: no run reports it",
		"best": `--sort "best": want a metric name`,
	} {
		code, out, errOut := runMain(t, "", append([]string{"report", "--sort", flag}, files...)...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, want) {
			t.Errorf("--sort %s: exit %d %q %s", flag, code, out, errOut)
		}
	}
}

// --paired adds the paired difference from the top row to every other row
// of a dataset (table column, CSV columns, JSON "paired"); it needs --sort.
func TestReportPaired(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "report", "*.json"))
	code, out, errOut := runMain(t, "", append([]string{"report", "--format", "json", "--sort", "p@1", "--paired"}, files...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rows []struct {
		Dataset string `json:"dataset"`
		Paired  *struct {
			Metric string  `json:"metric"`
			N      int     `json:"n"`
			Mean   float64 `json:"mean"`
			Low    float64 `json:"low"`
			High   float64 `json:"high"`
		} `json:"paired"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	withPair := 0
	for i, r := range rows {
		top := i == 0 || rows[i-1].Dataset != r.Dataset
		switch {
		case top && r.Paired != nil:
			t.Errorf("row %d is its dataset's top row but has a paired difference", i)
		case r.Paired != nil:
			withPair++
			if r.Paired.Metric != "p@1" || r.Paired.N < 1 || r.Paired.Mean > 1e-12 || r.Paired.Low > r.Paired.Mean || r.Paired.High < r.Paired.Mean {
				t.Errorf("row %d: paired %+v", i, *r.Paired)
			}
		}
	}
	if withPair == 0 {
		t.Fatal("no row shares seeds with its top row in the fixtures")
	}
	if _, out, _ := runMain(t, "", append([]string{"report", "--sort", "p@1", "--paired", "--metrics", "p@1"}, files...)...); !strings.Contains(out, "Δ P@1 vs top (95% CI)") {
		t.Errorf("table without the paired column:\n%s", out)
	}
	if _, out, _ := runMain(t, "", append([]string{"report", "--sort", "p@1", "--paired", "--format", "csv"}, files...)...); !strings.Contains(out, "delta_p@1,delta_p@1_low,delta_p@1_high,delta_p@1_n") {
		t.Errorf("CSV without the paired columns:\n%s", out)
	}
	if code, out, errOut := runMain(t, "", append([]string{"report", "--paired"}, files...)...); code != ExitUsage || out != "" || !strings.Contains(errOut, "give --sort METRIC too") {
		t.Errorf("--paired without --sort: exit %d %q %s", code, out, errOut)
	}
}

// A row that pools runs trained on different contents of its data file
// gets a warning on stderr and "mixed_data" in JSON; the table is as before.
func TestReportWarnsOfMixedData(t *testing.T) {
	sums := []string{"aaaa", "aaaa", "bbbb"}
	files := editedBibtexRecords(t, func(i int, rec map[string]any) {
		rec["data"] = []map[string]any{{"role": "train", "path": "/data/Bibtex/Bibtex_data.txt.gz", "sha256": sums[i], "rows": 7395}}
	})
	want := "pools runs trained on different contents of train: Bibtex_data.txt.gz"
	code, out, errOut := runMain(t, "", append([]string{"report", "--format", "json"}, files...)...)
	if code != 0 || !strings.Contains(errOut, want) || !strings.Contains(out, `"mixed_data"`) {
		t.Errorf("three runs, one on other data: exit %d, stderr %q, stdout has mixed_data: %v", code, errOut, strings.Contains(out, `"mixed_data"`))
	}
	code, _, errOut = runMain(t, "", append([]string{"report"}, files[:2]...)...)
	if code != 0 || strings.Contains(errOut, "warning") {
		t.Errorf("two runs on the same data: exit %d, stderr %q", code, errOut)
	}
}

// A row that pools runs timed on different kinds of machine gets a warning
// on stderr and "mixed_machines" in JSON; runs of one kind on two hosts do
// not.
func TestReportWarnsOfMixedMachines(t *testing.T) {
	machines := []map[string]any{
		{"cpu": "AMD EPYC", "cpu_id": "AuthenticAMD family 25 model 1 stepping 1", "kernels": "avx", "cores": 2, "platform": "linux/amd64", "hostname": "n1"},
		{"cpu": "AMD EPYC", "cpu_id": "AuthenticAMD family 25 model 1 stepping 1", "kernels": "avx", "cores": 2, "platform": "linux/amd64", "hostname": "n2"},
		{"cpu": "AMD EPYC", "cpu_id": "AuthenticAMD family 26 model 2 stepping 1", "kernels": "avx512", "cores": 2, "platform": "linux/amd64", "hostname": "n3"},
	}
	files := editedBibtexRecords(t, func(i int, rec map[string]any) { rec["machine"] = machines[i] })
	want := "pools runs timed on different machines (AMD EPYC (AuthenticAMD family 25 model 1 stepping 1), avx kernels, linux/amd64; AMD EPYC (AuthenticAMD family 26 model 2 stepping 1), avx512 kernels, linux/amd64)"
	code, out, errOut := runMain(t, "", append([]string{"report", "--format", "json"}, files...)...)
	if code != 0 || !strings.Contains(errOut, want) || !strings.Contains(out, `"mixed_machines"`) {
		t.Errorf("three runs, one on another CPU: exit %d, stderr %q, stdout has mixed_machines: %v", code, errOut, strings.Contains(out, `"mixed_machines"`))
	}
	code, out, errOut = runMain(t, "", append([]string{"report", "--format", "json"}, files[:2]...)...)
	if code != 0 || strings.Contains(errOut, "warning") || strings.Contains(out, `"mixed_machines"`) {
		t.Errorf("two runs on one kind of machine: exit %d, stderr %q", code, errOut)
	}
	// --by-machine: a row per kind of machine, named in its variant, and
	// no warning.
	code, out, errOut = runMain(t, "", append([]string{"report", "--by-machine", "--format", "json"}, files...)...)
	var rows []struct {
		Variant string   `json:"variant"`
		Seeds   []uint64 `json:"seeds"`
	}
	if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil || strings.Contains(errOut, "warning") {
		t.Fatalf("--by-machine: exit %d, %v, stderr %q", code, err, errOut)
	}
	got := map[string]int{}
	for _, r := range rows {
		got[r.Variant] = len(r.Seeds)
	}
	wantRows := map[string]int{
		"machine=AMD EPYC (AuthenticAMD family 25 model 1 stepping 1), avx kernels, linux/amd64":    2,
		"machine=AMD EPYC (AuthenticAMD family 26 model 2 stepping 1), avx512 kernels, linux/amd64": 1,
	}
	if !maps.Equal(got, wantRows) {
		t.Errorf("--by-machine rows (variant: runs) %v, want %v", got, wantRows)
	}
}

// A row whose runs warned as they ran (their records keep the warnings)
// says so on stderr and lists them in its JSON; records without warnings
// give neither.
func TestReportNamesWarnedRuns(t *testing.T) {
	files := editedBibtexRecords(t, func(i int, rec map[string]any) {
		if i == 1 {
			rec["warnings"] = []string{"data changed", "8 threads on 2 CPUs"}
		}
	})
	code, out, errOut := runMain(t, "", append([]string{"report", "--format", "json"}, files...)...)
	var rows []struct {
		WarnedRuns []string `json:"warned_runs"`
	}
	if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil || len(rows) != 1 {
		t.Fatalf("exit %d, %v, %d rows; stderr %q", code, err, len(rows), errOut)
	}
	want := files[1] + ": data changed (and 1 more)"
	if !slices.Equal(rows[0].WarnedRuns, []string{want}) || !strings.Contains(errOut, "has 1 of 3 runs that warned as they ran") || !strings.Contains(errOut, want) {
		t.Errorf("warned_runs %q, stderr %q; want %q", rows[0].WarnedRuns, errOut, want)
	}
	code, out, errOut = runMain(t, "", append([]string{"report", "--format", "json"}, files[0], files[2])...)
	if code != 0 || strings.Contains(errOut, "warn") || strings.Contains(out, "warned_runs") {
		t.Errorf("runs without warnings: exit %d, stderr %q", code, errOut)
	}
}

// editedBibtexRecords writes the three Bibtex vanilla records of
// testdata/report, each changed by edit (i: 0 to 2), to files in a
// temporary directory, and returns their paths.
func editedBibtexRecords(t *testing.T, edit func(i int, rec map[string]any)) []string {
	t.Helper()
	tmp := t.TempDir()
	var files []string
	for i := range 3 {
		raw, err := os.ReadFile(filepath.Join("testdata", "report", fmt.Sprintf("bibtex-vanilla-%d.json", i+1)))
		if err != nil {
			t.Fatal(err)
		}
		var rec map[string]any
		if err := json.Unmarshal(raw, &rec); err != nil {
			t.Fatal(err)
		}
		edit(i, rec)
		out, _ := json.Marshal(rec)
		f := filepath.Join(tmp, fmt.Sprintf("r%d.json", i))
		if err := os.WriteFile(f, out, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// The cost/accuracy figure of a dataset plots its own rows that have a
// P@1, in percent, at their classifier's parameters.
func TestCostPoints(t *testing.T) {
	p1 := func(mean float64, n int) map[string]aggregate.Stat {
		return map[string]aggregate.Stat{"p@1": {Mean: mean, N: n}}
	}
	rows := []aggregate.Row{
		{Dataset: "A", Method: "vanilla", Params: 1000, Metrics: p1(0.625, 3)},
		{Dataset: "B", Method: "vanilla", Params: 2000, Metrics: p1(0.5, 1)},
		{Dataset: "A", Method: "mhc", Lengths: []int{8, 5}, Params: 300, Metrics: p1(0.6, 1)},
		{Dataset: "A", Method: "mhp", Lengths: []int{8, 5}, Params: 400, Metrics: p1(0, 0)},                                 // no run scored P@1
		{Dataset: "A", Method: "mhs", Lengths: []int{8, 5}, Params: 500, Metrics: map[string]aggregate.Stat{"p@3": {N: 1}}}, // no P@1
	}
	want := []plots.Point{{Label: "vanilla", Cost: 1000, Score: 62.5}, {Label: "mhc 8×5", Cost: 300, Score: 60}}
	if got := costPoints(rows, "A"); !slices.Equal(got, want) {
		t.Errorf("A: %+v, want %+v", got, want)
	}
	if got := costPoints(rows, "C"); got != nil {
		t.Errorf("C: %+v, want none", got)
	}
}

// report --plots draws each dataset's training curves (from the runs'
// histories) and its cost/accuracy figure, and still prints the report;
// records without a history (the fixtures) get no curves, and a dataset
// without a P@1 no cost figure, and neither is an error.
func TestReportPlots(t *testing.T) {
	a, _ := trainTiny(t)
	b, _ := trainTiny(t, "head.method=mhc", "head.lengths=[8,5]")
	c, _ := trainTiny(t, "name=at3", "eval.k=[3]")
	files, _ := filepath.Glob(filepath.Join("testdata", "report", "*.json"))
	dir := filepath.Join(t.TempDir(), "plots")
	args := []string{"report", "--plots", dir}
	for _, m := range []string{a, b, c} {
		args = append(args, filepath.Join(m, "result.json"))
	}
	args = append(args, files...)
	code, out, errOut := runMain(t, "", args...)
	if code != 0 || !strings.Contains(out, "tiny") || !strings.Contains(out, "Bibtex") {
		t.Fatalf("report --plots: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, f := range []string{"tiny-curves-loss.png", "tiny-curves-loss.svg", "tiny-cost.png", "tiny-cost.svg", "Bibtex-cost.svg"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() < 1000 {
			t.Errorf("--plots did not draw %s: %v", f, err)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "Bibtex-curves*")); len(m) != 0 {
		t.Errorf("curves drawn from records without a history: %v", m)
	}
	// A dataset whose runs report no P@1 (eval.k: [3]) has curves and no
	// cost figure.
	if _, err := os.Stat(filepath.Join(dir, "at3-curves-loss.svg")); err != nil {
		t.Errorf("no curves for the runs without P@1: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "at3-cost*")); len(m) != 0 {
		t.Errorf("a cost figure without points: %v", m)
	}
	// Alone, such runs are reported in the metrics they have: the default
	// columns are a choice, not a demand as --metrics is.
	if code, out, errOut := runMain(t, "", "report", filepath.Join(c, "result.json")); code != 0 || !strings.Contains(out, "P@3") {
		t.Errorf("report of runs without P@1: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
