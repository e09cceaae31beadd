package main

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/sweep"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "run.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// An MHE_* variable reaches the typed settings, including keys that the
// config file does not mention (spf13/viper#761) and list values.
func TestEnvReachesSettings(t *testing.T) {
	t.Setenv("MHE_TRAIN_EPOCHS", "7")
	t.Setenv("MHE_DATA_DIR", "/datasets")
	t.Setenv("MHE_EVAL_K", "1,10")
	t.Setenv("MHE_HEAD_LENGTHS", "172,23")
	t.Setenv("MHE_TRAIN_HUGE_PAGES", "false") // a bool whose default is true
	cfg, err := loadConfig(configInput{File: writeConfig(t, "data:\n  train: x.txt\n")})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Train.Epochs != 7 || cfg.Data.Dir != "/datasets" || !slices.Equal(cfg.Eval.K, []int{1, 10}) || !slices.Equal(cfg.Head.Lengths, []int{172, 23}) || cfg.Train.HugePages {
		t.Errorf("env did not reach the settings: epochs %d dir %q k %v lengths %v huge_pages %v", cfg.Train.Epochs, cfg.Data.Dir, cfg.Eval.K, cfg.Head.Lengths, cfg.Train.HugePages)
	}
	if !config.Default().Train.HugePages {
		t.Error("train.huge_pages defaults to false, want true")
	}
	if cfg.Data.Train != "x.txt" || cfg.Train.BatchSize != config.Default().Train.BatchSize {
		t.Errorf("file or defaults lost: %+v", cfg.Train)
	}
}

// flags > env > file > defaults, and --set above all.
func TestPrecedence(t *testing.T) {
	file := writeConfig(t, "train:\n  epochs: 3\n  threads: 1\n  batch_size: 64\n")
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.Int("threads", 0, "")
	fs.Int("epochs", 0, "")
	if err := fs.Parse([]string{"--threads", "2"}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MHE_TRAIN_THREADS", "5")
	t.Setenv("MHE_TRAIN_EPOCHS", "4")
	cfg, err := loadConfig(configInput{File: file, Flags: fs, FlagKeys: map[string]string{"threads": "train.threads", "epochs": "train.epochs"},
		Sets: []string{"train.batch_size=32"}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Train.Threads != 2 {
		t.Errorf("threads = %d, want the flag's 2 (flag > env > file)", cfg.Train.Threads)
	}
	if cfg.Train.Epochs != 4 {
		t.Errorf("epochs = %d, want the env's 4 (env > file; the flag was not given)", cfg.Train.Epochs)
	}
	if cfg.Train.BatchSize != 32 {
		t.Errorf("batch size = %d, want --set's 32", cfg.Train.BatchSize)
	}
	if cfg.Train.LR != config.Default().Train.LR {
		t.Errorf("lr = %v, want the default", cfg.Train.LR)
	}
}

func TestUnknownAndBadKeys(t *testing.T) {
	cases := []struct{ body, want string }{
		{"train:\n  epoch: 3\n", "train.epoch: unknown key (did you mean train.epochs?)"},
		{"trian:\n  epochs: 3\n", "trian"},
		{"train: 5\n", "train"},
		{"train:\n  epochs: many\n", `train.epochs: "many" (in FILE) is not a whole number`},
		{"train: {lr: fast, huge_pages: maybe}\neval: {k: [1, x]}\n", `train.lr: "fast" (in FILE) is not a number`},
		{"train: {lr: fast, huge_pages: maybe}\neval: {k: [1, x]}\n", `train.huge_pages: "maybe" (in FILE) is not true or false`},
		{"train: {lr: fast, huge_pages: maybe}\neval: {k: [1, x]}\n", `eval.k[1]: "x" (in FILE) is not a whole number`},
		{"train: [1, 2\n", "not valid YAML"},
		{"head:\n  lengths: {a: 1}\n", "head.lengths[0] (in FILE): want a whole number, got a mapping (key: value pairs)"},
		{"train:\n  epochs: [1]\n", "train.epochs (in FILE): want a whole number, got a list"},
		// Weak typing used to change these numbers silently: 2.5 epochs
		// became 2, true became 1, and an unsigned -1 became 2^64-1 (the
		// flags refused them).
		{"train:\n  epochs: 2.5\n", "train.epochs (in FILE): 2.5 is not a whole number"},
		{"train:\n  epochs: true\n", "train.epochs (in FILE): true is not a number"},
		{"train:\n  lr: true\n", "train.lr (in FILE): true is not a number"},
		{"encoder:\n  hidden: [32.5]\n", "encoder.hidden[0] (in FILE): 32.5 is not a whole number"},
		{"train:\n  seed: -1\n", "train.seed (in FILE): -1 is negative"},
		{"data:\n  synth: {examples: 10, features: 5, labels: 3, seed: -2}\n", "data.synth.seed (in FILE): -2 is negative"},
	}
	for _, c := range cases {
		file := writeConfig(t, c.body)
		_, err := loadConfig(configInput{File: file})
		if c.want = strings.ReplaceAll(c.want, "FILE", file); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to mention %q", c.body, err, c.want)
		}
		if exitCode(err) != ExitUsage {
			t.Errorf("%q: exit %d, want %d", c.body, exitCode(err), ExitUsage)
		}
	}
	if _, err := loadConfig(configInput{Sets: []string{"train.nope=1"}}); err == nil || !strings.Contains(err.Error(), "unknown key") {
		t.Errorf("--set of an unknown key: %v", err)
	}
	if _, err := loadConfig(configInput{Sets: []string{"train.seed=-1"}}); err == nil || !strings.Contains(err.Error(), "train.seed (from --set train.seed=-1): -1 is negative") {
		t.Errorf("--set train.seed=-1: %v", err)
	}
	// A bad value is named with where it came from: a bad MHE_TRAIN_EPOCHS
	// was reported as an error of the config file.
	file := writeConfig(t, "train: {epochs: 3}\n")
	t.Setenv("MHE_TRAIN_EPOCHS", "abc")
	t.Setenv("MHE_EVAL_K", "1,x")
	_, err := loadConfig(configInput{File: file})
	for _, want := range []string{`train.epochs: "abc" (from MHE_TRAIN_EPOCHS) is not a whole number`, `eval.k[1]: "x" (from MHE_EVAL_K) is not a whole number`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad environment values: %v, want %q", err, want)
		}
	}
	if _, err := loadConfig(configInput{File: file, Sets: []string{"train.epochs=xyz"}}); err == nil || !strings.Contains(err.Error(), `train.epochs: "xyz" (from --set train.epochs=xyz) is not a whole number`) {
		t.Errorf("--set above the environment: %v", err)
	}
	t.Setenv("MHE_TRAIN_EPOCHS", "")
	t.Setenv("MHE_EVAL_K", "")
	if cfg, err := loadConfig(configInput{Sets: []string{"train.seed=18446744073709551615"}}); err != nil || cfg.Train.Seed != 1<<64-1 {
		t.Errorf("--set of the largest seed: %v, %v", cfg.Train.Seed, err)
	}
	// Whole numbers written as floats, and numbers in strings, still fill
	// integer keys.
	if cfg, err := loadConfig(configInput{Sets: []string{"train.epochs=1e3", "train.batch_size=64.0", `head.beam="7"`}}); err != nil || cfg.Train.Epochs != 1000 || cfg.Train.BatchSize != 64 || cfg.Head.Beam != 7 {
		t.Errorf("whole numbers: epochs %d, batch %d, beam %d, %v", cfg.Train.Epochs, cfg.Train.BatchSize, cfg.Head.Beam, err)
	}
	if _, err := loadConfig(configInput{Sets: []string{"novalue"}}); err == nil {
		t.Error("--set without = should fail")
	}
	if _, err := loadConfig(configInput{File: "/does/not/exist.yaml"}); err == nil || exitCode(err) != ExitUsage {
		t.Errorf("missing config file: %v", err)
	}
	if _, err := loadConfig(configInput{File: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "is a directory; give a YAML file") {
		t.Errorf("a directory as config: %v", err)
	}
	// The record of mhe eval --pred/--truth holds no run config to rerun
	// (it used to fail with a list of empty values).
	rec := filepath.Join(t.TempDir(), "eval.json")
	if code, _, errOut := runMain(t, "", "eval", "--pred", "testdata/hand_pred.txt", "--truth", "testdata/hand_truth.txt", "--result", rec); code != 0 {
		t.Fatal(errOut)
	}
	if _, err := loadConfig(configInput{File: rec}); err == nil || exitCode(err) != ExitUsage || !strings.Contains(err.Error(), "is the record of mhe eval --pred/--truth, which holds no run config") {
		t.Errorf("an eval record as config: %v", err)
	}
}

func TestValidateNamesKeyAndFix(t *testing.T) {
	cfg, err := loadConfig(configInput{Sets: []string{"data.train=x", "train.lr=-0.1", "head.beam=0", "train.epochs=0"}})
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate()
	for _, want := range []string{"train.lr: -0.1 must be > 0", "head.beam: 0", "train.epochs: 0 must be >= 1"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("validate: %v, want %q", err, want)
		}
	}
	if exitCode(err) != ExitUsage {
		t.Errorf("validate: exit %d, want %d", exitCode(err), ExitUsage)
	}
	// mhe train names the flag, --set or variable a bad value came from;
	// the file's own values are named by the file.
	file := writeConfig(t, "data: {train: x.txt}\ntrain: {batch_size: 0}\n")
	t.Setenv("MHE_HEAD_BEAM", "0")
	code, _, errOut := runMain(t, "", "train", "--config", file, "--out", filepath.Join(t.TempDir(), "m"), "--epochs", "0", "--set", "train.lr=-0.1")
	for _, want := range []string{file + ": config: invalid:", "head.beam (from MHE_HEAD_BEAM): 0", "train.epochs (from --epochs): 0 must be >= 1",
		"train.lr (from --set train.lr=-0.1): -0.1 must be > 0", "\n  train.batch_size: 0 must be >= 1"} {
		if code != ExitUsage || !strings.Contains(errOut, want) {
			t.Errorf("train: exit %d, %q; want exit 2 and %q", code, errOut, want)
		}
	}
}

// Every shipped config, and the sweep example's base configs, load and pass
// Validate: a rule added to Validate must not break what we ship.
func TestShippedConfigsValidate(t *testing.T) {
	files, err := filepath.Glob("../../configs/*.yaml")
	if err != nil || len(files) < 10 {
		t.Fatalf("shipped configs not found: %v %v", files, err)
	}
	for _, p := range files {
		cfg, err := loadConfig(configInput{File: p})
		if err == nil {
			err = cfg.Validate()
		}
		if err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

// Every sweep file in scripts/ parses, and each of its runs' configs, with
// the run's seed and overrides, loads and passes Validate: a sweep whose
// override names a key that does not exist, or a value Validate refuses,
// fails here rather than in a cluster job.
func TestShippedSweepsValidate(t *testing.T) {
	files, err := filepath.Glob("../../scripts/*.yaml")
	if err != nil || len(files) < 2 {
		t.Fatalf("shipped sweeps not found: %v %v", files, err)
	}
	for _, p := range files {
		runs, err := sweep.Load(p)
		if err != nil || len(runs) == 0 {
			t.Errorf("%s: %d runs, %v", p, len(runs), err)
			continue
		}
		for _, r := range runs {
			sets := append([]string{"train.seed=" + strconv.FormatUint(r.Seed, 10)}, r.Sets...)
			cfg, err := loadConfig(configInput{File: filepath.Join("../..", r.Config), Sets: sets})
			if err == nil {
				err = cfg.Validate()
			}
			if err != nil {
				t.Errorf("%s, run %s: %v", p, r.Name, err)
			}
		}
	}
}

// An MHE_ variable spelled like a config key but naming none is refused
// with the key it probably means; config keys and the variables of
// scripts and tests pass.
func TestEnvKeysChecked(t *testing.T) {
	known := config.Keys()
	for _, c := range []struct {
		env  []string
		want string // "" = accepted
	}{
		{[]string{"MHE_TRAIN_EPOCHS=5", "MHE_DATA_DIR=/d", "MHE_DATA_SYNTH_TEST_EXAMPLES=9", "MHE_EVAL_K=1,3"}, ""},
		{[]string{"MHE_REQUIRE_DATA=1", "MHE_BIN=/x/mhe", "MHE_CHECKPOINT_INTERVAL=10s", "MHE_TEST_AS_MAIN=1", "MHE_DATA=/d", "PATH=/bin"}, ""},
		{[]string{"MHE_TRAIN_EPOCH=5"}, "environment variable MHE_TRAIN_EPOCH names no config key; did you mean MHE_TRAIN_EPOCHS (train.epochs)?"},
		{[]string{"MHE_HEAD_BOTTLENECK=64"}, "did you mean MHE_HEAD_BOTTLENECK_DIM"},
		{[]string{"MHE_TRAIN_BEAM=4"}, "did you mean MHE_HEAD_BEAM (head.beam)?"},
		{[]string{"MHE_ENCODER_WHATEVER_ELSE=1"}, "MHE_ENCODER_WHATEVER_ELSE names no config key; every key is listed"},
	} {
		err := checkEnvKeys(c.env, known)
		if c.want == "" {
			if err != nil {
				t.Errorf("%v: %v", c.env, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || exitCode(err) != ExitUsage {
			t.Errorf("%v: got %v (exit %d), want %q and exit %d", c.env, err, exitCode(err), c.want, ExitUsage)
		}
	}
	t.Setenv("MHE_TRAIN_EPOCH", "3")
	if _, err := loadConfig(configInput{File: writeConfig(t, "data:\n  train: x.txt\n")}); err == nil || !strings.Contains(err.Error(), "MHE_TRAIN_EPOCH") {
		t.Errorf("loadConfig with MHE_TRAIN_EPOCH set: %v", err)
	}
}

// --threads 0 takes the runtime's count of the CPUs this process may use
// (its affinity mask capped by a cgroup CPU quota, or GOMAXPROCS), not every
// CPU of the machine, and a given count is kept, with a warning when it is
// more than that; both are undone after.
func TestSetThreads(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, c := range []struct {
		in, want int
		warn     string
	}{
		{0, 1, ""}, {-1, 1, ""}, {1, 1, ""},
		{3, 3, "cmd: warning: 3 threads on the 1 CPU this process may use; threads beyond 1 wait for a CPU and slow the run (results are the same)\n"},
	} {
		var warn strings.Builder
		n, restore := setThreads(c.in, &warn, "cmd")
		if n != c.want || runtime.GOMAXPROCS(0) != c.want {
			t.Errorf("setThreads(%d) = %d, GOMAXPROCS %d; want %d", c.in, n, runtime.GOMAXPROCS(0), c.want)
		}
		if warn.String() != c.warn {
			t.Errorf("setThreads(%d) warns %q, want %q", c.in, warn.String(), c.warn)
		}
		restore()
		if got := runtime.GOMAXPROCS(0); got != 1 {
			t.Errorf("after setThreads(%d), GOMAXPROCS is %d, want 1 again", c.in, got)
		}
	}
	_, cfg := trainTiny(t)
	code, _, errOut := runMain(t, "", "train", "--config", cfg, "--out", filepath.Join(t.TempDir(), "m"), "--threads", "0")
	if code != 0 || !strings.Contains(errOut, "threads 1 (effective)") {
		t.Errorf("train --threads 0 under GOMAXPROCS 1: exit %d\n%s", code, errOut)
	}
}

// A "~" in data paths is the home directory, wherever the path comes from:
// a YAML file, MHE_DATA_DIR set in quotes, or --set (none of which a shell
// expands). Before, "~/xc" was looked for as a directory named "~".
func TestHomeInDataPaths(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	xc := filepath.Join(home, "xc")
	os.Mkdir(xc, 0o755)
	if code, _, errOut := runMain(t, "", "data", "synth", "--examples", "300", "--features", "50", "--labels", "10",
		"--out", filepath.Join(xc, "small.txt"), "--quiet"); code != 0 {
		t.Fatal(errOut)
	}
	train := func(name, body string, env, set string) {
		t.Helper()
		t.Setenv("MHE_DATA_DIR", env)
		args := []string{"train", "--config", writeConfig(t, body), "--out", filepath.Join(t.TempDir(), "m"), "--quiet",
			"--set", "train.epochs=1"}
		if set != "" {
			args = append(args, "--set", set)
		}
		if code, _, errOut := runMain(t, "", args...); code != 0 {
			t.Errorf("%s: exit %d: %s", name, code, errOut)
		}
	}
	const cfg = "data: {train: small.txt, holdout_every: 5}\nencoder: {type: linear}\nhead: {method: vanilla}\n"
	train("yaml data.dir", "data: {dir: ~/xc, train: small.txt, holdout_every: 5}\nencoder: {type: linear}\nhead: {method: vanilla}\n", "", "")
	train("MHE_DATA_DIR", cfg, "~/xc", "")
	train("--set data.dir", cfg, "/nonexistent", "data.dir=~/xc")
	train("--set data.train", cfg, "/nonexistent", "data.train=~/xc/small.txt")
	if got, want := resolvePlanPath("~/plans/p.json", "/configs/c.yaml"), filepath.Join(home, "plans/p.json"); got != want {
		t.Errorf("head.plan ~/plans/p.json resolved to %q, want %q", got, want)
	}
	// The not-found message names the expanded directory.
	t.Setenv("MHE_DATA_DIR", "~/elsewhere")
	code, _, errOut := runMain(t, "", "train", "--config", writeConfig(t, cfg), "--out", filepath.Join(t.TempDir(), "m"), "--quiet")
	if want := filepath.Join(home, "elsewhere", "small.txt"); code != ExitData || !strings.Contains(errOut, want) {
		t.Errorf("missing file: exit %d %q, want exit %d naming %s", code, errOut, ExitData, want)
	}
}

// A relative head.plan is read from the current directory when it is
// there, else from beside the config file; an absolute one, and any plan
// given without a config file, as it is written.
func TestResolvePlanPath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	confDir := filepath.Join(dir, "configs")
	os.Mkdir(confDir, 0o755)
	for _, f := range []string{"here.yaml", "configs/beside.yaml", "configs/both.yaml", "both.yaml"} {
		os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644)
	}
	cfg := filepath.Join(confDir, "c.yaml")
	for _, c := range []struct{ plan, config, want string }{
		{"", cfg, ""},
		{"here.yaml", cfg, "here.yaml"},
		{"beside.yaml", cfg, filepath.Join(confDir, "beside.yaml")},
		{"both.yaml", cfg, "both.yaml"},
		{"nowhere.yaml", cfg, "nowhere.yaml"},
		{"beside.yaml", "", "beside.yaml"},
		{filepath.Join(dir, "x", "abs.yaml"), cfg, filepath.Join(dir, "x", "abs.yaml")},
	} {
		if got := resolvePlanPath(c.plan, c.config); got != c.want {
			t.Errorf("resolvePlanPath(%q, %q) = %q, want %q", c.plan, c.config, got, c.want)
		}
	}
}

// configValue reads an element of a list key by its index, and the whole
// value for an index past the list's end.
func TestConfigValue(t *testing.T) {
	v := viper.New()
	v.Set("eval.k", []any{1, 3, 5})
	v.Set("head.lengths", []string{"172", "23"})
	v.Set("train.names", "1, 3,5")
	for _, c := range []struct {
		key  string
		want any
	}{
		{"eval.k", []any{1, 3, 5}},
		{"eval.k[0]", 1},
		{"eval.k[2]", 5},
		{"eval.k[3]", []any{1, 3, 5}},
		{"head.lengths[1]", "23"},
		{"head.lengths[2]", []string{"172", "23"}},
		{"train.names[1]", "3"},
		{"train.names[2]", "5"},
		{"train.names[3]", "1, 3,5"},
	} {
		if got := configValue(v, c.key); !reflect.DeepEqual(got, c.want) {
			t.Errorf("configValue(%q) = %#v, want %#v", c.key, got, c.want)
		}
	}
}

// numberHook lets 0 into unsigned keys and refuses what is below it.
func TestNumberHookUnsigned(t *testing.T) {
	to := reflect.TypeFor[uint64]()
	for _, c := range []struct {
		v  any
		ok bool
	}{
		{0, true}, {0.0, true}, {"0", true}, {7, true}, {7.0, true},
		{-1, false}, {-0.5, false}, {-1.0, false}, {" -3", false},
	} {
		_, err := numberHook(reflect.TypeOf(c.v), to, c.v)
		if (err == nil) != c.ok {
			t.Errorf("numberHook(%#v) into uint64: %v, want ok=%v", c.v, err, c.ok)
		}
	}
}
