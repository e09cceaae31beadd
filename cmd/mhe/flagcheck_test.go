package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Out-of-range shared integer flags (and a negative --checkpoint-interval) end with exit 2 and the flag's range
// before any work starts, on every command that takes them; values in range
// pass the check.
func TestIntFlagRanges(t *testing.T) {
	cases := []struct {
		args []string
		want string // "" = accepted
	}{
		{[]string{"predict", "--model", "/nonexistent", "--threads", "-1"}, "--threads -1 must be in [0, 4096] (0 = all CPUs this process may use)"},
		{[]string{"eval", "--model", "/nonexistent", "--threads", "-2"}, "--threads -2 must be in [0, 4096]"},
		// The Go runtime dies of more than 10,000 threads.
		{[]string{"predict", "--model", "/nonexistent", "--threads", "100000"}, "--threads 100000 must be in [0, 4096]"},
		{[]string{"embed", "--model", "/nonexistent", "--out", "x.npy", "--threads", "-1"}, "--threads -1"},
		{[]string{"train", "--config", "x.yaml", "--threads", "-1"}, "--threads -1"},
		{[]string{"sweep", "run", "x.yaml", "--index", "-1"}, "--index -1 must be >= 0"},
		{[]string{"eval", "--pred", "p", "--truth", "t", "--against", "b", "--resamples", "2000000000"}, "--resamples 2000000000 must be in [1, 1000000]"},
		{[]string{"eval", "--pred", "p", "--truth", "t", "--label-base", "2"}, "--label-base 2 must be in [0, 1]"},
		{[]string{"eval", "--pred", "p", "--truth", "t", "--column", "0"}, "--column 0 must be >= 1"},
		{[]string{"eval", "--pred", "p", "--truth", "t", "--per-label-k", "-1"}, "--per-label-k -1"},
		{[]string{"data", "convert", "a", "b", "--to", "libsvm", "--out-feature-base", "-1"}, "--out-feature-base -1 must be in [0, 1]"},
		{[]string{"data", "stats", "a", "--feature-base", "3"}, "--feature-base 3"},
		{[]string{"data", "stats", "a", "--num-labels", "-4"}, "--num-labels -4"},
		{[]string{"data", "synth", "--examples", "5", "--features", "5", "--labels", "3", "--out", "o", "--test-out", "t", "--test-examples", "-2"}, "--test-examples -2"},
		{[]string{"plan", "--labels", "1000", "--dim", "-1"}, "--dim -1"},
		{[]string{"plan", "--labels", "1000", "--method", "mhc", "--beam", "-3"}, "--beam -3"},
		{[]string{"plan", "--labels", "1000", "--method", "mhc", "--groups", "-1"}, "--groups -1"},
		{[]string{"plan", "--labels", "1000", "--method", "mhs", "--samples", "-1"}, "--samples -1"},
		{[]string{"train", "--config", "x.yaml", "--checkpoint-interval", "-5s"}, "--checkpoint-interval -5s must be >= 0 (0 = a checkpoint after every epoch)"},
		{[]string{"sweep", "run", "x.yaml", "--checkpoint-interval", "-1m"}, "--checkpoint-interval -1m0s must be >= 0"},
		{[]string{"plan", "--labels", "1000", "--dim", "0", "--beam", "0"}, ""},
		{[]string{"plan", "--labels", "1", "--heads", "1"}, ""},
		{[]string{"plan", "--labels", "100", "--heads", "1"}, ""},
		{[]string{"plan", "--labels", "1000", "--method", "mhc", "--groups", "40", "--dim", "256"}, ""},
	}
	for _, c := range cases {
		code, out, errOut := runMain(t, "", c.args...)
		if c.want == "" {
			if code != 0 {
				t.Errorf("%v: exit %d %s", c.args, code, errOut)
			}
			continue
		}
		if code != ExitUsage || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d and %q", c.args, code, out, errOut, ExitUsage, c.want)
		}
	}
}

// A flag value its flag cannot parse is named in words, without Go's parser
// names ("strconv.ParseFloat: parsing "abc": invalid syntax"); exit 2.
func TestFlagValueErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"predict", "--model", "m", "--threshold", "abc"}, `--threshold "abc": want a number, such as 0.5`},
		{[]string{"train", "--config", "c.yaml", "--seed", "1.5"}, `--seed "1.5": want a whole number >= 0`},
		{[]string{"train", "--config", "c.yaml", "--epochs", "many"}, `--epochs "many": want a whole number`},
		{[]string{"train", "--config", "c.yaml", "--checkpoint-interval", "5x"}, `--checkpoint-interval "5x": want a duration, such as 90s, 10m or 1h30m`},
		{[]string{"predict", "--model", "m", "--header=maybe"}, `--header "maybe": want true or false`},
		{[]string{"eval", "--pred", "p", "--truth", "t", "--k", "1,,3"}, `--k "1,,3": want whole numbers separated by commas, such as 1,3,5`},
		{[]string{"eval", "--nope"}, "unknown flag: --nope"},
		// A near miss names the flag meant; an argument given as a flag
		// says how to give it.
		{[]string{"train", "--confg", "c.yaml"}, "unknown flag: --confg (did you mean --config?)"},
		{[]string{"predict", "--thread", "2"}, "unknown flag: --thread (did you mean --threads?)"},
		{[]string{"eval", "--per_label", "x"}, "unknown flag: --per_label (did you mean --per-label?)"},
		{[]string{"plan", "--Labels", "5"}, "unknown flag: --Labels (did you mean --labels?)"},
		{[]string{"data", "convert", "a", "b", "--out", "c"}, "unknown flag: --out: mhe data convert takes OUT as an argument, not a flag: mhe data convert IN OUT [flags]"},
		{[]string{"report", "--result", "r.json"}, "mhe report takes RESULT as an argument, not a flag"},
	} {
		code, out, errOut := runMain(t, "", tc.args...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "strconv") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// nearestFlag suggests a flag only when it is close: never for a name far
// from every flag, nor for an argument's value ("sweep run FILE --index I"
// does not make --i an argument).
func TestNearestFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // the whole first line of stderr
	}{
		{[]string{"eval", "--nope"}, "mhe: unknown flag: --nope"},
		{[]string{"predict", "--k", "5"}, "mhe: unknown flag: --k"},
		{[]string{"sweep", "run", "f", "--i", "1"}, "mhe: unknown flag: --i"},
		{[]string{"train", "--xyzzy-plugh"}, "mhe: unknown flag: --xyzzy-plugh"},
		{[]string{"train", "--seedzzz", "1"}, "mhe: unknown flag: --seedzzz"}, // 3 from --seed
		// Names of up to 4 letters get a suggestion 1 edit away, longer
		// ones 2.
		{[]string{"predict", "--topx", "5"}, "mhe: unknown flag: --topx (did you mean --topk?)"},
		{[]string{"predict", "--tipx", "5"}, "mhe: unknown flag: --tipx"}, // 2 from --topk
		{[]string{"predict", "--thrxxds", "2"}, "mhe: unknown flag: --thrxxds (did you mean --threads?)"},
		{[]string{"predict", "--qxixt"}, "mhe: unknown flag: --qxixt (did you mean --quiet?)"},
	} {
		code, _, errOut := runMain(t, "", tc.args...)
		if first, _, _ := strings.Cut(errOut, "\n"); code != ExitUsage || first != tc.want {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and first line %q", tc.args, code, errOut, tc.want)
		}
	}
}

// A whole number in exponent notation is read by integer flags and keys
// (--examples 1e6); one that is not whole, and every other string, is left
// for the flag to read or refuse.
func TestExponentToInteger(t *testing.T) {
	for in, want := range map[string]string{
		"1e6": "1000000", "6.7E5": "670000", "-2e3": "-2000", "1e0": "1", "1e15": "1000000000000000",
		"12": "12", "0x1E": "0x1E", "1e-3": "1e-3", "1.5e0": "1.5e0", "1e400": "1e400", "1e16": "1e16",
		"Inf": "Inf", "NaN": "NaN", "abc": "abc", "": "", "2.5": "2.5",
		// 2^53 is the largest exponent form written out (above it a
		// float64 no longer holds every whole number).
		"9.007199254740992e15": "9007199254740992", "-9.007199254740992e15": "-9007199254740992",
		"9.007199254740994e15": "9.007199254740994e15",
	} {
		if got := exponentToInteger(in); got != want {
			t.Errorf("exponentToInteger(%q) = %q, want %q", in, got, want)
		}
	}
	code, out, errOut := runMain(t, "", "plan", "--labels", "1e6", "--heads", "2", "--format", "json")
	if code != 0 || !strings.Contains(out, `"labels": 1000000`) {
		t.Errorf("plan --labels 1e6: exit %d, %s%s", code, out, errOut)
	}
	code, _, errOut = runMain(t, "", "plan", "--labels", "2.5e0")
	if code != ExitUsage || !strings.Contains(errOut, `--labels "2.5e0": want a whole number`) {
		t.Errorf("plan --labels 2.5e0: exit %d, %s", code, errOut)
	}
	t.Setenv("MHE_HEAD_BEAM", "3e0")
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(cfg, []byte("data: {synth: {examples: 1e2, features: 50, labels: 20}}\nhead: {method: mhc}\n"), 0o644)
	code, out, errOut = runMain(t, "", "plan", "--config", cfg, "--format", "json")
	if code != 0 || !strings.Contains(out, `"beam": 3,`) {
		t.Errorf("MHE_HEAD_BEAM=3e0: exit %d, %s%s", code, out, errOut)
	}
}
