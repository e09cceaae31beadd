package record

import (
	"cmp"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestSetPredict(t *testing.T) {
	for _, c := range []struct {
		secs        float64
		rows        int
		perSec, per float64
	}{
		{2, 1000, 500, 2},
		{0.5, 1, 2, 500},
		{0, 1000, 0, 0}, // no time measured: no rates, not Inf
		{1.5, 0, 0, 0},  // no rows: no rates, not NaN
	} {
		var tm Timing
		tm.SetPredict(c.secs, c.rows)
		if tm.PredictSeconds != c.secs || tm.PredictRows != c.rows || tm.PredictRowsPerSec != c.perSec || tm.MsPerPredictRow != c.per {
			t.Errorf("SetPredict(%v, %d) = %+v, want %v rows/s and %v ms/row", c.secs, c.rows, tm, c.perSec, c.per)
		}
	}
}

func TestThisMachine(t *testing.T) {
	m := ThisMachine()
	if m.Cores != runtime.NumCPU() || m.Platform != runtime.GOOS+"/"+runtime.GOARCH || m.CPU == "" {
		t.Errorf("ThisMachine() = %+v", m)
	}
}

func TestWriteRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "result.json")
	r := &Record{Kind: "eval", Name: "bibtex", Seed: 7, Metrics: map[string]float64{"p@1": 0.627}, Epochs: 15}
	r.Timing.SetPredict(0.12, 1836)
	if err := Write(path, r); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back Record
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatalf("%s is not a record: %v", path, err)
	}
	if back.Kind != "eval" || back.Seed != 7 || back.Metrics["p@1"] != 0.627 || back.Timing.PredictRows != 1836 {
		t.Errorf("read back %+v", back)
	}
	// Omitted when unset: the training time an eval record never had.
	var top struct {
		Timing map[string]any `json:"timing"`
	}
	if err := json.Unmarshal(raw, &top); err != nil {
		t.Fatal(err)
	}
	if _, ok := top.Timing["train_seconds"]; ok {
		t.Errorf("an eval record has train_seconds: %v", top.Timing)
	}
	if _, ok := top.Timing["predict_rows_per_sec"]; !ok {
		t.Errorf("no predict_rows_per_sec: %v", top.Timing)
	}
}

// Label shows a record's machine: the CPU's name and identity (as
// hostcpu.Identify gives them) and the kernels.
func TestMachineLabel(t *testing.T) {
	for _, c := range []struct {
		name, id, label string
	}{
		{"AMD EPYC", "AuthenticAMD family 25 model 1 stepping 1",
			"AMD EPYC (AuthenticAMD family 25 model 1 stepping 1), avx kernels"},
		{"", "implementer 0x41 part 0xd40 variant 0x1",
			"unknown (implementer 0x41 part 0xd40 variant 0x1), avx kernels"},
	} {
		m := Machine{CPU: cmp.Or(c.name, "unknown"), CPUID: c.id, Kernels: "avx"}
		if got := m.Label(); got != c.label {
			t.Errorf("%q: Label() = %q, want %q", c.name, got, c.label)
		}
	}
	if got := (Machine{CPU: "AMD EPYC"}).Label(); got != "AMD EPYC" {
		t.Errorf("a record of an older build: Label() = %q", got)
	}
}
