package aggregate

import (
	"cmp"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/record"
)

// Runs that differ only in seed share a row (mean over seeds); evaluations
// of one model with another prediction beam (Extra.predict_beam) do not.
func TestRowsGroupBySettings(t *testing.T) {
	rec := func(seed uint64, p1 float64, extra map[string]any) *record.Record {
		cfg := config.Default()
		cfg.Name, cfg.Head.Method, cfg.Head.Lengths, cfg.Train.Seed = "toy", "mhc", []int{4, 3}, seed
		return &record.Record{Kind: "eval", Name: "toy", Seed: seed, Config: cfg, Extra: extra,
			Plan:    record.Plan{Method: "mhc", Lengths: []int{4, 3}, Params: 100},
			Metrics: map[string]float64{"p@1": p1}}
	}
	recs := []*record.Record{
		rec(1, 0.5, nil), rec(2, 0.7, nil),
		rec(1, 0.8, map[string]any{"predict_beam": 8}), rec(2, 0.9, map[string]any{"predict_beam": 8}),
	}
	rows, err := Rows(recs, []string{"a", "b", "c", "d"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2 (training beam, prediction beam 8)", len(rows))
	}
	got := map[string]float64{}
	for _, r := range rows {
		if len(r.Seeds) != 2 {
			t.Errorf("%s: seeds %v, want 1 and 2", r.Label(), r.Seeds)
		}
		got[r.Label()] = r.Metrics["p@1"].Mean
	}
	if m, ok := got["mhc 4×3 (predict_beam=8)"]; !ok || m < 0.849 || m > 0.851 {
		t.Errorf("rows %v, want mhc 4×3 (predict_beam=8) with mean P@1 0.85", got)
	}
	if m, ok := got["mhc 4×3"]; !ok || m < 0.599 || m > 0.601 {
		t.Errorf("rows %v, want mhc 4×3 with mean P@1 0.6", got)
	}
}

// A row's figures: each metric's mean and sample standard deviation (n − 1)
// over the runs that have it, and the timings' over the runs that
// measured them (0 = not measured, left out).
func TestRowsStatistics(t *testing.T) {
	rec := func(seed uint64, p1 float64, trainS, rss float64) *record.Record {
		cfg := config.Default()
		cfg.Name, cfg.Head.Method, cfg.Head.Lengths, cfg.Train.Seed = "toy", "mhc", []int{4, 3}, seed
		r := &record.Record{Kind: "train", Name: "toy", Seed: seed, Config: cfg,
			Plan:    record.Plan{Method: "mhc", Lengths: []int{4, 3}, Params: 100},
			Metrics: map[string]float64{"p@1": p1}}
		r.Timing.TrainSeconds, r.Timing.PeakRSSMiB = trainS, rss
		return r
	}
	recs := []*record.Record{rec(1, 0.1, 2, 0), rec(2, 0.2, 4, 100), rec(3, 0.3, 0, 0), rec(4, 0.4, 9, 0)}
	rows, err := Rows(recs, []string{"a", "b", "c", "d"}, false)
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows %+v, %v; want one", rows, err)
	}
	r := rows[0]
	for _, c := range []struct {
		name      string
		got, want Stat
	}{
		// 0.1..0.4: mean 0.25, variance (0.0225+0.0025)·2/3.
		{"p@1", r.Metrics["p@1"], Stat{Mean: 0.25, Std: math.Sqrt(0.05 / 3), N: 4}},
		{"train seconds", r.TrainSeconds, Stat{Mean: 5, Std: math.Sqrt(13), N: 3}},
		{"peak RSS", r.PeakRSSMiB, Stat{Mean: 100, Std: 0, N: 1}},
		{"predict ms", r.MsPerPredict, Stat{}},
	} {
		if c.got.N != c.want.N || !(math.Abs(c.got.Mean-c.want.Mean) <= 1e-12) || !(math.Abs(c.got.Std-c.want.Std) <= 1e-12) {
			t.Errorf("%s: %+v, want %+v", c.name, c.got, c.want)
		}
	}
}

func TestSortBy(t *testing.T) {
	row := func(ds, label string, m map[string]float64) Row {
		r := Row{Dataset: ds, Method: label, Metrics: map[string]Stat{}}
		for k, v := range m {
			r.Metrics[k] = Stat{Mean: v}
		}
		return r
	}
	rows := []Row{
		row("A", "a1", map[string]float64{"p@1": 0.5}),
		row("A", "a2", map[string]float64{"p@3": 0.9}), // no p@1: last
		row("A", "a3", map[string]float64{"p@1": 0.7}),
		row("A", "a4", map[string]float64{"p@1": 0.5}), // tie with a1: stays after it
		row("B", "b1", map[string]float64{"p@1": 0.1}),
		row("B", "b2", map[string]float64{"p@1": 0.9}),
	}
	SortBy(rows, "p@1")
	var got []string
	for _, r := range rows {
		got = append(got, r.Method)
	}
	if want := []string{"a3", "a1", "a4", "a2", "b2", "b1"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

// A row's label names only the settings where it leaves what most of its
// siblings share; where no value is most common (two rows), every row names
// its own.
func TestVariantsNameDeviations(t *testing.T) {
	rec := func(name string, set func(*config.Config)) *record.Record {
		cfg := config.Default()
		cfg.Name, cfg.Head.Method, cfg.Head.Lengths = name, "mhc", []int{4, 3}
		set(&cfg)
		return &record.Record{Kind: "train", Name: name, Config: cfg,
			Plan: record.Plan{Method: "mhc", Lengths: []int{4, 3}, Params: 100}, Metrics: map[string]float64{"p@1": 0.5}}
	}
	recs := []*record.Record{
		rec("sweep", func(*config.Config) {}),
		rec("sweep", func(c *config.Config) { c.Train.LR = 0.1 }),
		rec("sweep", func(c *config.Config) { c.Head.LabelOrder = "random" }),
		rec("sweep", func(c *config.Config) { c.Encoder.Dropout = 0.3 }),
		rec("pair", func(*config.Config) {}),
		rec("pair", func(c *config.Config) { c.Head.LabelOrder = "random" }),
	}
	rows, err := Rows(recs, []string{"a", "b", "c", "d", "e", "f"}, false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Dataset+": "+r.Label())
	}
	slices.Sort(got)
	want := []string{
		"pair: mhc 4×3 (head.label_order=index)",
		"pair: mhc 4×3 (head.label_order=random)",
		"sweep: mhc 4×3",
		"sweep: mhc 4×3 (encoder.dropout=0.3)",
		"sweep: mhc 4×3 (head.label_order=random)",
		"sweep: mhc 4×3 (train.lr=0.1)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("labels\n%q\nwant\n%q", got, want)
	}
}

// Head keys the row's method does not read are left out of its label: the
// vanilla rows of a sweep around an MHC config differ from each other in
// train.lr, not in the MHC-only head.bottleneck_dim and head.beam they
// inherit; an MHC row still names them.
func TestVariantsOmitKeysTheHeadIgnores(t *testing.T) {
	rec := func(method string, lengths []int, set func(*config.Config)) *record.Record {
		cfg := config.Default()
		cfg.Name, cfg.Head.Method, cfg.Head.Lengths = "sweep", "mhc", []int{4, 3}
		set(&cfg)
		cfg.Head.Method = method
		return &record.Record{Kind: "train", Name: "sweep", Config: cfg,
			Plan: record.Plan{Method: method, Lengths: lengths, Params: 100}, Metrics: map[string]float64{"p@1": 0.5}}
	}
	recs := []*record.Record{
		rec("vanilla", []int{12}, func(*config.Config) {}),
		rec("vanilla", []int{12}, func(c *config.Config) { c.Head.BottleneckDim, c.Head.Beam, c.Train.LR = 64, 4, 0.1 }),
		rec("vanilla", []int{12}, func(c *config.Config) { c.Head.BottleneckDim, c.Train.LR = 64, 0.2 }),
		rec("mhc", []int{4, 3}, func(*config.Config) {}),
		rec("mhc", []int{4, 3}, func(c *config.Config) { c.Head.BottleneckDim = 64 }),
		rec("mhc", []int{4, 3}, func(c *config.Config) { c.Head.Beam = 4 }),
	}
	rows, err := Rows(recs, []string{"a", "b", "c", "d", "e", "f"}, false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Label())
	}
	slices.Sort(got)
	want := []string{
		"mhc 4×3",
		"mhc 4×3 (head.beam=4)",
		"mhc 4×3 (head.bottleneck_dim=64)",
		"vanilla (train.lr=0.001)",
		"vanilla (train.lr=0.1)",
		"vanilla (train.lr=0.2)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("labels\n%q\nwant\n%q", got, want)
	}
	for _, c := range []struct {
		key, method string
		want        bool
	}{
		{"head.beam", "mhc", true}, {"head.beam", "vanilla", false}, {"head.samples", "mhs", true},
		{"head.samples", "mhc", false}, {"head.lengths", "vanilla", false}, {"train.lr", "vanilla", true},
	} {
		if got := readBy(c.key, c.method); got != c.want {
			t.Errorf("readBy(%s, %s) = %v, want %v", c.key, c.method, got, c.want)
		}
	}
}

// The paired difference pairs runs by seed: over seeds 1-3 the differences
// are -0.02, -0.04 and -0.03 (mean -0.03, sd 0.01, t(0.975, 2) = 4.3027), a seed
// only one row ran is left out, and the top row of each dataset has none.
func TestPairWithTop(t *testing.T) {
	rec := func(name string, lr float64, seed uint64, p1 float64) *record.Record {
		cfg := config.Default()
		cfg.Name, cfg.Head.Method, cfg.Train.LR, cfg.Train.Seed = name, "vanilla", lr, seed
		return &record.Record{Kind: "train", Name: name, Seed: seed, Config: cfg,
			Plan: record.Plan{Method: "vanilla", Params: 100}, Metrics: map[string]float64{"p@1": p1}}
	}
	recs := []*record.Record{
		rec("A", 0.1, 1, 0.50), rec("A", 0.1, 2, 0.60), rec("A", 0.1, 3, 0.70), rec("A", 0.1, 4, 0.10),
		rec("A", 0.2, 1, 0.52), rec("A", 0.2, 2, 0.64), rec("A", 0.2, 3, 0.73),
		rec("B", 0.1, 1, 0.30),
	}
	rows, err := Rows(recs, make([]string, len(recs)), false)
	if err != nil {
		t.Fatal(err)
	}
	SortBy(rows, "p@1")
	PairWithTop(rows, "p@1")
	if len(rows) != 3 || !strings.Contains(rows[0].Variant, "train.lr=0.2") || rows[0].Paired != nil || rows[2].Paired != nil {
		t.Fatalf("rows %+v", rows)
	}
	p := rows[1].Paired
	half := 4.302652729911275 * 0.01 / math.Sqrt(3)
	if p == nil || p.N != 3 || p.Metric != "p@1" || !(math.Abs(p.Mean+0.03) <= 1e-12) || !(math.Abs(p.Low-(-0.03-half)) <= 1e-9) || !(math.Abs(p.High-(-0.03+half)) <= 1e-9) {
		t.Errorf("paired %+v, want mean -0.03 ± %.6f over 3 seeds", p, half)
	}
	if p != nil && p.Against != rows[0].Label() {
		t.Errorf("against %q, want %q", p.Against, rows[0].Label())
	}
}

func TestRowLabel(t *testing.T) {
	for _, tc := range []struct {
		row  Row
		want string
	}{
		{Row{Method: "vanilla", Lengths: []int{159}}, "vanilla"},
		{Row{Method: "mhc", Lengths: []int{21, 5}}, "mhc 21×5"},
		{Row{Method: "mhc", Lengths: []int{21, 5}, Variant: "head.beam=8"}, "mhc 21×5 (head.beam=8)"},
		// A record without head lengths (scripts/pltreplica's).
		{Row{Method: "napkinxc-plt"}, "napkinxc-plt"},
	} {
		if got := tc.row.Label(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.row, got, tc.want)
		}
	}
}

// Runs on other holdout folds or XC split columns are replicates of one
// experiment: one row per config, and the paired difference matches runs
// on seed and fold. Here MHC − vanilla is -0.02 on fold 1 and -0.04 on
// fold 2 for both seeds, and -0.03 on fold 5, so pairing by seed and fold
// gives 5 pairs with mean -0.03 and a spread; pairing by seed alone would
// give 2 pairs.
func TestRowsPoolFoldsAndPairByFold(t *testing.T) {
	rec := func(method string, fold int, seed uint64, p1 float64) *record.Record {
		cfg := config.Default()
		cfg.Name, cfg.Head.Method, cfg.Train.Seed = "rcv1", method, seed
		cfg.Data.HoldoutEvery, cfg.Data.HoldoutFold = 5, fold
		return &record.Record{Kind: "train", Name: "rcv1", Seed: seed, Config: cfg,
			Plan: record.Plan{Method: method, Params: 100}, Metrics: map[string]float64{"p@1": p1}}
	}
	var recs []*record.Record
	for _, fold := range []int{1, 2} {
		for _, seed := range []uint64{101, 102} {
			base := 0.5 + 0.1*float64(fold) + 0.01*float64(seed-100)
			recs = append(recs, rec("vanilla", fold, seed, base), rec("mhc", fold, seed, base-0.02*float64(fold)))
		}
	}
	// The last fold given as 0 (the default) and as 5 is one fold: these
	// pair, with a difference of 0.
	recs = append(recs, rec("vanilla", 0, 101, 0.9), rec("mhc", 5, 101, 0.9-0.03))
	rows, err := Rows(recs, make([]string, len(recs)), false)
	if err != nil {
		t.Fatal(err)
	}
	SortBy(rows, "p@1")
	PairWithTop(rows, "p@1")
	if len(rows) != 2 || rows[0].Method != "vanilla" || len(rows[0].Seeds) != 5 || len(rows[1].Seeds) != 5 {
		t.Fatalf("rows %+v, want vanilla then mhc, 5 runs each", rows)
	}
	if rows[0].Variant != "" || rows[1].Variant != "" {
		t.Errorf("variants %q, %q: a fold is not a setting", rows[0].Variant, rows[1].Variant)
	}
	if !slices.Equal(rows[0].HoldoutFolds, []int{1, 1, 2, 2, 5}) || !slices.Equal(rows[0].Seeds, []uint64{101, 102, 101, 102, 101}) || rows[0].SplitColumns != nil {
		t.Errorf("vanilla row: folds %v, seeds %v, split columns %v; want folds 1 1 2 2 5 beside seeds 101 102 101 102 101, no split columns",
			rows[0].HoldoutFolds, rows[0].Seeds, rows[0].SplitColumns)
	}
	p := rows[1].Paired
	if p == nil || p.N != 5 || !(math.Abs(p.Mean+0.03) <= 1e-12) || p.High-p.Low < 0.02 {
		t.Errorf("paired %+v, want 5 pairs (seed, fold) with mean -0.03 and a non-zero spread", p)
	}
}

// A result file that is not valid JSON for a run record is named with the
// line and the key and what it holds, in a reader's terms, not Go's.
func TestLoadDamagedRecord(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ body, want string }{
		{"{\"kind\":\"train\",\n\"metrics\":{\"p@1\":\"NaN\"}}", `line 2: "metrics" holds a string, want a number`},
		{"{\"kind\":\"train\",\n\"metrics\":{\"p@1\":1e400}}", `line 2: "metrics" holds number 1e400, want a number within float64's range`},
		{`{"kind":"train","seed":-4,"metrics":{}}`, `line 1: "seed" holds number -4, want a whole number, not negative`},
		{`{"kind":"train","history":{},"metrics":{}}`, `line 1: "history" holds an object, want a list`},
		{"{\"kind\":\"train\",\n\"metrics\": [1,2", "line 2: unexpected end of JSON input"},
		{`{"name":"x","metrics":{}}`, "no kind or metrics"},
	} {
		p := filepath.Join(dir, "result.json")
		os.WriteFile(p, []byte(c.body), 0o644)
		_, err := Load([]string{p})
		if err == nil || !strings.Contains(err.Error(), p+": not an mhe result file") || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "Go struct") {
			t.Errorf("%s: %v, want %q", c.body, err, c.want)
		}
	}
}

// A row whose runs read different contents of one data file (by role and
// file name: the data directory may differ) names it in MixedData; runs on
// the same contents from two directories do not.
func TestRowsNameMixedData(t *testing.T) {
	rec := func(seed uint64, dir, sum string) *record.Record {
		cfg := config.Default()
		cfg.Name, cfg.Head.Method, cfg.Train.Seed = "toy", "mhc", seed
		return &record.Record{Kind: "train", Name: "toy", Seed: seed, Config: cfg,
			Plan:    record.Plan{Method: "mhc", Lengths: []int{4, 3}, Params: 100},
			Data:    []modelio.DataInfo{{Role: "train", Path: filepath.Join(dir, "toy", "train.txt"), SHA256: sum}, {Role: "test", Path: filepath.Join(dir, "toy", "test.txt"), SHA256: "t"}},
			Metrics: map[string]float64{"p@1": 0.5}}
	}
	for _, c := range []struct {
		recs []*record.Record
		want []string
	}{
		{[]*record.Record{rec(1, "/a", "x"), rec(2, "/b", "x")}, nil},
		{[]*record.Record{rec(1, "/a", "x"), rec(2, "/a", "y"), rec(3, "/b", "x")}, []string{"train: train.txt"}},
	} {
		rows, err := Rows(c.recs, make([]string, len(c.recs)), false)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || !slices.Equal(rows[0].MixedData, c.want) {
			t.Errorf("%d runs: rows %d, mixed data %q; want one row with %q", len(c.recs), len(rows), rows[0].MixedData, c.want)
		}
	}
}

// A row whose runs were timed on machines of different kinds (CPU name,
// identity, kernels or platform) lists them in MixedMachines, each kind
// once; hosts of one kind, and an older build's record without an
// identity or kernels beside a newer one, are not mixed.
func TestRowsNameMixedMachines(t *testing.T) {
	rec := func(seed uint64, m record.Machine) *record.Record {
		cfg := config.Default()
		cfg.Name, cfg.Head.Method, cfg.Train.Seed = "toy", "mhc", seed
		if m.Platform == "" {
			m.Platform = "linux/amd64"
		}
		return &record.Record{Kind: "train", Name: "toy", Seed: seed, Config: cfg, Machine: m,
			Plan:    record.Plan{Method: "mhc", Lengths: []int{4, 3}, Params: 100},
			Metrics: map[string]float64{"p@1": 0.5}}
	}
	zen3 := record.Machine{CPU: "AMD EPYC", CPUID: "AuthenticAMD family 25 model 1 stepping 1", Kernels: "avx", Hostname: "n1"}
	zen3b := zen3
	zen3b.Hostname = "n2"
	zen5 := record.Machine{CPU: "AMD EPYC", CPUID: "AuthenticAMD family 26 model 2 stepping 1", Kernels: "avx512"}
	avxOff := zen5
	avxOff.Kernels = "avx"
	old := record.Machine{CPU: "AMD EPYC"}
	mac := zen3
	mac.Platform = "darwin/amd64"
	for _, c := range []struct {
		name string
		ms   []record.Machine
		want []string
	}{
		{"one kind, two hosts", []record.Machine{zen3, zen3b, zen3}, nil},
		{"an older build's record", []record.Machine{old, zen3}, nil},
		{"two generations", []record.Machine{zen3, zen5, zen3b}, []string{
			"AMD EPYC (AuthenticAMD family 25 model 1 stepping 1), avx kernels, linux/amd64",
			"AMD EPYC (AuthenticAMD family 26 model 2 stepping 1), avx512 kernels, linux/amd64"}},
		{"kernels switched off", []record.Machine{zen5, avxOff}, []string{
			"AMD EPYC (AuthenticAMD family 26 model 2 stepping 1), avx512 kernels, linux/amd64",
			"AMD EPYC (AuthenticAMD family 26 model 2 stepping 1), avx kernels, linux/amd64"}},
		{"another OS", []record.Machine{zen3, mac}, []string{
			"AMD EPYC (AuthenticAMD family 25 model 1 stepping 1), avx kernels, linux/amd64",
			"AMD EPYC (AuthenticAMD family 25 model 1 stepping 1), avx kernels, darwin/amd64"}},
	} {
		var recs []*record.Record
		for i, m := range c.ms {
			recs = append(recs, rec(uint64(i+1), m))
		}
		rows, err := Rows(recs, make([]string, len(recs)), false)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || !slices.Equal(rows[0].MixedMachines, c.want) {
			t.Errorf("%s: rows %d, mixed machines %q; want one row with %q", c.name, len(rows), rows[0].MixedMachines, c.want)
		}
	}
}

// A training record without test metrics loads (its run had no test split
// or did not score it); an evaluation record without them does not.
func TestLoadMetricsRule(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		body string
		ok   bool
	}{
		{`{"kind":"train"}`, true},
		{`{"kind":"train","metrics":{"p@1":0.5}}`, true},
		{`{"kind":"eval","metrics":{"p@1":0.5}}`, true},
		{`{"kind":"eval"}`, false},
		{`{"kind":"","metrics":{"p@1":0.5}}`, false},
	} {
		p := filepath.Join(dir, "result.json")
		os.WriteFile(p, []byte(c.body), 0o644)
		recs, err := Load([]string{p})
		if c.ok && (err != nil || len(recs) != 1) {
			t.Errorf("%s: %v, want it loaded", c.body, err)
		}
		if !c.ok && (err == nil || !strings.Contains(err.Error(), "no kind or metrics")) {
			t.Errorf("%s: %v, want a refusal", c.body, err)
		}
	}
}

// Rows come by dataset, then by classifier parameters (largest first:
// vanilla on top), then label; a row lists each mhe commit of its runs
// once, in the order met.
func TestRowsOrderAndCommits(t *testing.T) {
	rec := func(name, method string, lengths []int, params int64, commit string) *record.Record {
		cfg := config.Default()
		cfg.Name, cfg.Head.Method, cfg.Head.Lengths = name, method, lengths
		r := &record.Record{Kind: "eval", Name: name, Config: cfg,
			Plan:    record.Plan{Method: method, Lengths: lengths, Params: params},
			Metrics: map[string]float64{"p@1": 0.5}}
		r.MHE.Commit = commit
		return r
	}
	recs := []*record.Record{
		rec("B", "mhc", []int{4, 3}, 100, "c1"),
		rec("A", "mhp", []int{3, 4}, 100, "c1"),
		rec("A", "mhc", []int{4, 3}, 100, "c2"),
		rec("A", "vanilla", nil, 1000, "c1"),
		rec("B", "vanilla", nil, 1000, ""),
	}
	recs = append(recs, rec("A", "mhc", []int{4, 3}, 100, "c1"), rec("A", "mhc", []int{4, 3}, 100, "c2"))
	rows, err := Rows(recs, []string{"1", "2", "3", "4", "5", "6", "7"}, false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Dataset+" "+r.Label())
	}
	if want := []string{"A vanilla", "A mhc 4×3", "A mhp 3×4", "B vanilla", "B mhc 4×3"}; !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
	if c := rows[1].MHECommits; !slices.Equal(c, []string{"c2", "c1"}) {
		t.Errorf("A mhc commits %v, want c2, c1 (each once, in the order met)", c)
	}
	if c := rows[3].MHECommits; len(c) != 0 {
		t.Errorf("B vanilla commits %v, want none (the record names none)", c)
	}
}

// A row sharing a single replicate with the best row gets that one
// difference and no interval (Low = High = Mean), not NaN bounds.
func TestPairWithTopOneReplicate(t *testing.T) {
	rec := func(lr float64, seed uint64, p1 float64) *record.Record {
		cfg := config.Default()
		cfg.Name, cfg.Head.Method, cfg.Train.LR, cfg.Train.Seed = "A", "vanilla", lr, seed
		return &record.Record{Kind: "train", Name: "A", Seed: seed, Config: cfg,
			Plan: record.Plan{Method: "vanilla", Params: 100}, Metrics: map[string]float64{"p@1": p1}}
	}
	rows, err := Rows([]*record.Record{rec(0.1, 1, 0.5), rec(0.1, 2, 0.6), rec(0.2, 2, 0.4)}, make([]string, 3), false)
	if err != nil {
		t.Fatal(err)
	}
	SortBy(rows, "p@1")
	PairWithTop(rows, "p@1")
	p := rows[1].Paired
	if p == nil || p.N != 1 || !(math.Abs(p.Mean+0.2) <= 1e-12) || p.Low != p.Mean || p.High != p.Mean {
		t.Errorf("paired %+v, want the one difference -0.2 (seed 2) and no interval", p)
	}
}

// Replicates order by seed, then split column, then holdout fold (the
// paired differences' summation order).
func TestReplicateCompare(t *testing.T) {
	ordered := []replicate{{1, 1, 0}, {1, 1, 2}, {1, 2, 0}, {2, 0, 0}, {2, 0, 1}}
	for i, a := range ordered {
		for j, b := range ordered {
			if got, want := a.compare(b), cmp.Compare(i, j); got != want {
				t.Errorf("%v vs %v: %d, want %d", a, b, got, want)
			}
		}
	}
}

// modeOf: the most frequent value, and whether it is the only one that
// frequent.
func TestModeOf(t *testing.T) {
	for _, c := range []struct {
		in     map[string]int
		value  string
		unique bool
	}{
		{map[string]int{"a": 1}, "a", true},
		{map[string]int{"a": 2, "b": 1}, "a", true},
		{map[string]int{"a": 1, "b": 3, "c": 1}, "b", true},
		{map[string]int{"a": 2, "b": 2}, "", false},
	} {
		v, u := modeOf(c.in)
		if u != c.unique || (c.unique && v != c.value) {
			t.Errorf("%v: %q, %v; want %q, %v", c.in, v, u, c.value, c.unique)
		}
	}
}

// flatten names nested keys with dots and leaves out null and empty lists
// alike (a config read back from YAML may hold either).
func TestFlatten(t *testing.T) {
	out := map[string]string{}
	flatten("", map[string]any{"head": map[string]any{"lengths": []any{}, "beam": 4.0, "loss": "auto", "plan": nil},
		"encoder": map[string]any{"hidden": []any{512.0}}}, out)
	want := map[string]string{"head.beam": "4", "head.loss": "auto", "encoder.hidden": "[512]"}
	if !maps.Equal(out, want) {
		t.Errorf("flatten: %v, want %v", out, want)
	}
}
