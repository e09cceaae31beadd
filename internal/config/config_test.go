package config

import (
	"errors"
	"math"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/eval"
)

// valid returns the defaults plus the one key they leave unset (the
// training data), so that every case below changes exactly one thing.
func valid() Config {
	c := Default()
	c.Data.Train = "Bibtex/Bibtex_data.txt.gz"
	return c
}

func TestValidateDefaultsPass(t *testing.T) {
	c := valid()
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults with data.train: %v", err)
	}
	d := Default()
	err := d.Validate()
	if err == nil || !strings.Contains(err.Error(), "data.train: no training data") {
		t.Fatalf("defaults without data: want the data.train error, got %v", err)
	}
}

// Every rule names its key and says how to fix the value; a config that
// breaks one rule gets exactly that one message.
func TestValidateRules(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Config)
		want string // "" = valid
	}{
		// The smallest (and largest) values each bound takes.
		{"bounds at their edges", func(c *Config) {
			c.Data.NumFeatures, c.Data.NumLabels = math.MaxInt32, math.MaxInt32
			c.Encoder.Type, c.Encoder.Hidden = "mlp", []int{1}
			c.Head.Lengths, c.Head.Beam, c.Head.Samples = []int{1, 1}, 1, 1
			c.Train.Epochs, c.Train.BatchSize, c.Train.Threads = 1, 1, MaxThreads
			c.Eval.K = []int{1, eval.MaxCutoff}
		}, ""},
		{"synth sizes at their edges", func(c *Config) {
			c.Data.Train, c.Data.Synth = "", SynthConfig{Labels: 2, Examples: 1, Features: 1, AvgLabels: 1, AvgFeatures: 1}
		}, ""},
		{"k beyond the largest cut-off", func(c *Config) { c.Eval.K = []int{eval.MaxCutoff + 1} }, "eval.k: k = "},
		{"threads beyond the bound", func(c *Config) { c.Train.Threads = MaxThreads + 1 }, "train.threads: "},
		{"holdout beside a test file", func(c *Config) { c.Data.Test, c.Data.HoldoutEvery = "test.txt", 2 }, "data.holdout_every: 2 would be ignored"},
		{"format", func(c *Config) { c.Data.Format = "csv" }, `data.format: "csv" is not one of auto, xc`},
		{"format case-insensitive", func(c *Config) { c.Data.Format = "XC" }, ""},
		{"normalize", func(c *Config) { c.Data.Normalize = "l1" }, "data.normalize"},
		{"synthetic data needs no file", func(c *Config) {
			c.Data.Train = ""
			c.Data.Synth = SynthConfig{Labels: 10, Examples: 100, Features: 20, AvgLabels: 2, AvgFeatures: 5}
		}, ""},
		{"synth sizes", func(c *Config) {
			c.Data.Train, c.Data.Synth = "", SynthConfig{Labels: 1, Examples: 1, Features: 1, AvgLabels: 1, AvgFeatures: 1}
		}, "data.synth: labels >= 2"},
		{"synth noise", func(c *Config) {
			c.Data.Train, c.Data.Synth = "", SynthConfig{Labels: 10, Examples: 100, Features: 20, AvgLabels: 2, AvgFeatures: 5, Noise: 1}
		}, "0 <= noise < 1"},
		{"synth and a file", func(c *Config) {
			c.Data.Synth = SynthConfig{Labels: 10, Examples: 100, Features: 20, AvgLabels: 2, AvgFeatures: 5}
		}, `data.train: "Bibtex/Bibtex_data.txt.gz" and data.synth both give data`},
		{"synth and holdout", func(c *Config) {
			c.Data.Train, c.Data.HoldoutEvery = "", 5
			c.Data.Synth = SynthConfig{Labels: 10, Examples: 100, Features: 20, AvgLabels: 2, AvgFeatures: 5}
		}, "data.holdout_every: synthetic data has its own test rows"},
		{"holdout and a test file", func(c *Config) { c.Data.HoldoutEvery, c.Data.Test = 5, "test.txt" }, "data.holdout_every: 5 would be ignored"},
		{"holdout and split files", func(c *Config) { c.Data.HoldoutEvery, c.Data.TrainRows, c.Data.TestRows = 5, "tr", "te" }, "data.holdout_every: 5 would be ignored"},
		{"validation file and share", func(c *Config) { c.Data.Validation, c.Train.ValidationFraction = "val.txt", 0.1 },
			"train.validation_fraction: 0.1 would be ignored: data.validation already gives"},
		{"split files in pairs", func(c *Config) { c.Data.TrainRows = "tr.txt" }, "data.test_rows: give both"},
		{"split pair", func(c *Config) { c.Data.TrainRows, c.Data.TestRows = "tr.txt", "te.txt" }, ""},
		{"split column", func(c *Config) { c.Data.SplitColumn = 0 }, "data.split_column: 0: split columns are numbered from 1"},
		{"holdout 1", func(c *Config) { c.Data.HoldoutEvery = 1 }, "data.holdout_every: 1: use 0 (off) or n >= 2"},
		{"holdout 5", func(c *Config) { c.Data.HoldoutEvery = 5 }, ""},
		{"holdout fold 1 of 5", func(c *Config) { c.Data.HoldoutEvery, c.Data.HoldoutFold = 5, 1 }, ""},
		{"holdout fold 5 of 5", func(c *Config) { c.Data.HoldoutEvery, c.Data.HoldoutFold = 5, 5 }, ""},
		{"holdout fold 6 of 5", func(c *Config) { c.Data.HoldoutEvery, c.Data.HoldoutFold = 5, 6 },
			"data.holdout_fold: 6: folds of data.holdout_every 5 are numbered 1 to 5 (0 = 5, the rows i % 5 == 4)"},
		{"holdout fold -1", func(c *Config) { c.Data.HoldoutEvery, c.Data.HoldoutFold = 5, -1 }, "data.holdout_fold: -1: folds of"},
		{"holdout fold without a rule", func(c *Config) { c.Data.HoldoutFold = 2 }, "data.holdout_fold: 2 needs data.holdout_every n >= 2"},
		{"label base", func(c *Config) { c.Data.LabelBase = 2 }, "data.label_base: 2: index bases are 0 or 1"},
		{"feature base", func(c *Config) { c.Data.FeatureBase = -1 }, "data.feature_base"},
		{"negative dims", func(c *Config) { c.Data.NumLabels = -3 }, "data.num_labels: dimensions cannot be negative"},
		{"xc-matrix labels", func(c *Config) { c.Data.Format = "xc-matrix" }, "data.train_labels: format xc-matrix"},
		{"encoder type", func(c *Config) { c.Encoder.Type = "cnn" }, "encoder.type"},
		{"activation", func(c *Config) { c.Encoder.Activation = "swish" }, "encoder.activation"},
		{"mlp without sizes", func(c *Config) { c.Encoder.Type = "mlp" }, "encoder.hidden: an mlp encoder needs at least one hidden size"},
		{"hidden size", func(c *Config) { c.Encoder.Type, c.Encoder.Hidden = "mlp", []int{512, 0} }, "encoder.hidden: size 0 must be >= 1"},
		{"dropout 1", func(c *Config) { c.Encoder.Dropout = 1 }, "encoder.dropout: 1 must be in [0, 1)"},
		{"linear with hidden sizes", func(c *Config) { c.Encoder.Hidden = []int{512} }, "encoder.hidden: [512] needs encoder.type: mlp"},
		{"linear with dropout", func(c *Config) { c.Encoder.Dropout = 0.5 }, "encoder.dropout: 0.5 acts on hidden layers"},
		{"mlp with dropout", func(c *Config) { c.Encoder.Type, c.Encoder.Hidden, c.Encoder.Dropout = "mlp", []int{64}, 0.5 }, ""},
		{"linear with input dropout", func(c *Config) { c.Encoder.InputDropout = 0.5 }, ""},
		{"input dropout", func(c *Config) { c.Encoder.InputDropout = -0.1 }, "encoder.input_dropout"},
		{"hashing", func(c *Config) { c.Encoder.HashFeatures = -1 }, "encoder.hash_features"},
		{"method", func(c *Config) { c.Head.Method = "plt" }, `head.method: "plt" is not one of vanilla, mhp, mhc, mhs`},
		{"method from plan file", func(c *Config) { c.Head.Method, c.Head.Plan = "", "plan.json" }, ""},
		{"label order", func(c *Config) { c.Head.LabelOrder = "alphabet" }, "head.label_order"},
		{"path score", func(c *Config) { c.Head.PathScore = "sum" }, "head.path_score"},
		{"loss", func(c *Config) { c.Head.Loss = "hinge" }, "head.loss"},
		{"heads", func(c *Config) { c.Head.Heads = -1 }, "head.heads"},
		{"lengths", func(c *Config) { c.Head.Lengths = []int{172, 0} }, "head.lengths: length 0 must be >= 1"},
		{"beam", func(c *Config) { c.Head.Beam = 0 }, "head.beam: 0: the beam keeps at least one node"},
		{"bottleneck", func(c *Config) { c.Head.BottleneckDim = -1 }, "head.bottleneck_dim"},
		{"no bottleneck", func(c *Config) { c.Head.BottleneckDim = 0 }, ""},
		{"samples", func(c *Config) { c.Head.Samples = 0 }, "head.samples"},
		{"groups", func(c *Config) { c.Head.Groups = -2 }, "head.groups"},
		{"epochs", func(c *Config) { c.Train.Epochs = 0 }, "train.epochs: 0 must be >= 1"},
		{"batch", func(c *Config) { c.Train.BatchSize = 0 }, "train.batch_size"},
		{"optimizer", func(c *Config) { c.Train.Optimizer = "lbfgs" }, "train.optimizer"},
		{"schedule", func(c *Config) { c.Train.Schedule = "exp" }, "train.schedule"},
		{"lr 0", func(c *Config) { c.Train.LR = 0 }, "train.lr: 0 must be > 0"},
		{"lr NaN", func(c *Config) { c.Train.LR = nan() }, "train.lr: NaN must be > 0"},
		{"lr Inf", func(c *Config) { c.Train.LR = math.Inf(1) }, "train.lr: +Inf must be > 0 and finite"},
		{"dropout NaN", func(c *Config) { c.Encoder.Dropout = nan() }, "encoder.dropout: NaN must be in [0, 1)"},
		{"input dropout NaN", func(c *Config) { c.Encoder.InputDropout = nan() }, "encoder.input_dropout: NaN"},
		{"momentum NaN", func(c *Config) { c.Train.Momentum = nan() }, "train.momentum: NaN"},
		{"weight decay NaN", func(c *Config) { c.Train.WeightDecay = nan() }, "train.weight_decay: NaN"},
		{"weight decay Inf", func(c *Config) { c.Train.WeightDecay = math.Inf(1) }, "train.weight_decay: +Inf"},
		{"validation fraction NaN", func(c *Config) { c.Train.ValidationFraction = nan() }, "train.validation_fraction: NaN"},
		{"propensity NaN", func(c *Config) { c.Eval.A, c.Eval.B = nan(), 1.5 }, "eval.a: propensity A and B must both be finite"},
		{"propensity Inf", func(c *Config) { c.Eval.A, c.Eval.B = 0.55, math.Inf(1) }, "eval.a"},
		{"synth noise NaN", func(c *Config) {
			c.Data.Train, c.Data.Synth = "", SynthConfig{Labels: 10, Examples: 100, Features: 20, AvgLabels: 2, AvgFeatures: 5, Noise: nan()}
		}, "0 <= noise < 1"},
		{"synth avg labels Inf", func(c *Config) {
			c.Data.Train, c.Data.Synth = "", SynthConfig{Labels: 10, Examples: 100, Features: 20, AvgLabels: math.Inf(1), AvgFeatures: 5}
		}, "avg_labels >= 1"},
		{"momentum", func(c *Config) { c.Train.Momentum = 1 }, "train.momentum"},
		{"weight decay", func(c *Config) { c.Train.WeightDecay = -1e-5 }, "train.weight_decay"},
		{"warmup", func(c *Config) { c.Train.WarmupSteps = -1 }, "train.warmup_steps"},
		{"threads", func(c *Config) { c.Train.Threads = -1 }, "train.threads: -1 must be in [0, 4096] (0 = all CPUs this process may use)"},
		{"threads beyond the runtime's", func(c *Config) { c.Train.Threads = 5000 }, "train.threads: 5000 must be in [0, 4096]"},
		{"validation fraction", func(c *Config) { c.Train.ValidationFraction = 1 }, "train.validation_fraction"},
		{"patience < 0", func(c *Config) { c.Train.EarlyStoppingPatience = -1 }, "train.early_stopping_patience: -1 must be >= 0"},
		{"patience without validation rows", func(c *Config) { c.Train.EarlyStoppingPatience = 3 },
			"train.early_stopping_patience: 3 needs validation rows: set train.validation_fraction"},
		{"patience with a validation share", func(c *Config) { c.Train.EarlyStoppingPatience, c.Train.ValidationFraction = 3, 0.1 }, ""},
		{"patience with a validation file", func(c *Config) { c.Train.EarlyStoppingPatience, c.Data.Validation = 3, "val.txt" }, ""},
		{"metric family", func(c *Config) { c.Train.EarlyStoppingMetric = "f1@1" }, `train.early_stopping_metric: "f1@1" is not a metric`},
		{"metric without k", func(c *Config) { c.Train.EarlyStoppingMetric = "p" }, "train.early_stopping_metric"},
		{"metric k trailing junk", func(c *Config) { c.Train.EarlyStoppingMetric = "p@1x" }, `"p@1x" is not a metric`},
		{"metric k leading zero", func(c *Config) { c.Train.EarlyStoppingMetric = "p@01" }, `"p@01" is not a metric`},
		{"metric k sign", func(c *Config) { c.Train.EarlyStoppingMetric = "ndcg@+3" }, `"ndcg@+3" is not a metric`},
		{"metric k 0", func(c *Config) { c.Train.EarlyStoppingMetric = "p@0" }, `"p@0" is not a metric`},
		{"metric upper case", func(c *Config) { c.Train.EarlyStoppingMetric = "nDCG@3" }, ""},
		{"metric k not evaluated, no validation", func(c *Config) { c.Train.EarlyStoppingMetric = "p@7" }, ""},
		{"metric k not evaluated", func(c *Config) { c.Train.EarlyStoppingMetric, c.Train.ValidationFraction = "p@7", 0.1 },
			`train.early_stopping_metric: "p@7" is not computed: eval.k is [1 3 5]; add 7 to eval.k`},
		{"metric k evaluated", func(c *Config) {
			c.Train.EarlyStoppingMetric, c.Train.ValidationFraction, c.Eval.K = "psp@10", 0.1, []int{1, 10}
		}, ""},
		{"average", func(c *Config) { c.Train.Average = "ema" }, "train.average"},
		{"average start < 0", func(c *Config) { c.Train.AverageStart = -1 }, "train.average_start: -1 must be >= 0"},
		{"swa start after the end", func(c *Config) { c.Train.Average, c.Train.AverageStart = "swa", 11 },
			"train.average_start: 11 is after the last epoch (10)"},
		{"swa start at the end", func(c *Config) { c.Train.Average, c.Train.AverageStart = "swa", 10 }, ""},
		{"average start ignored without swa", func(c *Config) { c.Train.AverageStart = 50 }, ""},
		{"no k", func(c *Config) { c.Eval.K = nil }, "eval.k: give at least one k"},
		{"k 0", func(c *Config) { c.Eval.K = []int{0, 1} }, "eval.k: k = 0 must be in [1, 100000]"},
		// Refused at once, not after training, when the test rows are scored.
		{"k beyond the cut-offs", func(c *Config) { c.Eval.K = []int{1, 2000000000} }, "eval.k: k = 2000000000 must be in [1, 100000]"},
		{"propensity A alone", func(c *Config) { c.Eval.A = 0.55 }, "eval.a: propensity A and B must both be finite and > 0"},
		{"propensity pair", func(c *Config) { c.Eval.A, c.Eval.B = 0.55, 1.5 }, ""},
		{"empty rows", func(c *Config) { c.Eval.EmptyRows = "drop" }, "eval.empty_rows"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.edit(&c)
			err := c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want an error containing %q, got none", tc.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not contain %q", msg, tc.want)
			}
			if n := strings.Count(msg, "\n  "); n != 1 {
				t.Errorf("one broken rule gave %d messages: %q", n, msg)
			}
		})
	}
}

// Validate reports every problem at once, not just the first.
func TestValidateReportsAll(t *testing.T) {
	c := valid()
	c.Train.Epochs, c.Head.Beam, c.Eval.K = 0, 0, nil
	err := c.Validate()
	if err == nil {
		t.Fatal("want an error")
	}
	for _, key := range []string{"train.epochs", "head.beam", "eval.k"} {
		if !strings.Contains(err.Error(), key+":") {
			t.Errorf("%s missing from %q", key, err)
		}
	}
}

func TestPath(t *testing.T) {
	c := Config{Data: DataConfig{Dir: "/data"}}
	for in, want := range map[string]string{
		"":                 "",
		"-":                "-",
		"/abs/file.txt":    "/abs/file.txt", // as given, on Windows too (rooted on the current drive)
		"Bibtex/b.txt.gz":  filepath.FromSlash("/data/Bibtex/b.txt.gz"),
		"../other/x.txt":   filepath.FromSlash("/other/x.txt"),
		"./Delicious/t.gz": filepath.FromSlash("/data/Delicious/t.gz"),
	} {
		if got := c.Path(in); got != want {
			t.Errorf("Path(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsRooted(t *testing.T) {
	windows := runtime.GOOS == "windows"
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"", false},
		{"b.txt", false},
		{"Bibtex/b.txt", false},
		{"./b.txt", false},
		{"../b.txt", false},
		{"~/b.txt", false}, // ExpandHome's job
		{"/data/b.txt", true},
		{`\data\b.txt`, windows},
		{`C:\data\b.txt`, windows},
		{"C:b.txt", windows},
		{`\\server\share\b.txt`, windows},
	} {
		if got := IsRooted(tc.path); got != tc.want {
			t.Errorf("IsRooted(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

func TestPathHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home) // os.UserHomeDir on Windows
	for _, tc := range []struct{ dir, in, want string }{
		{"/data", "~/xc/b.txt", filepath.Join(home, "xc/b.txt")},
		{"/data", "~", home},
		{"~/xc", "Bibtex/b.txt", filepath.Join(home, "xc/Bibtex/b.txt")},
		{"~", "b.txt", filepath.Join(home, "b.txt")},
		{"~/xc", "/abs/b.txt", "/abs/b.txt"},
		{"~/xc", "-", "-"},
		{"~/xc", "", ""},
		// Not the home directory: another user's, or a name that starts with ~.
		{"/data", "~bob/b.txt", filepath.FromSlash("/data/~bob/b.txt")},
		{"/data", "~b.txt", filepath.FromSlash("/data/~b.txt")},
		{"/data", "x/~/b.txt", filepath.FromSlash("/data/x/~/b.txt")},
	} {
		c := Config{Data: DataConfig{Dir: tc.dir}}
		if got := c.Path(tc.in); got != tc.want {
			t.Errorf("data.dir %q: Path(%q) = %q, want %q", tc.dir, tc.in, got, tc.want)
		}
	}
	// Without a home directory the path is left as given, for the
	// not-found message to show.
	t.Setenv("HOME", "")
	t.Setenv("USERPROFILE", "")
	if got := ExpandHome("~/xc"); got != "~/xc" {
		t.Errorf("without a home directory, ExpandHome(~/xc) = %q", got)
	}
}

func TestSuggest(t *testing.T) {
	for in, want := range map[string]string{
		"train.epoch":       "train.epochs",
		"head.bottleneck":   "head.bottleneck_dim",
		"train.beam":        "head.beam", // right leaf, wrong section
		"data.holdout":      "data.holdout_every",
		"head.seed":         "train.seed",
		"synth.seed":        "data.synth.seed",
		"completely.absent": "",
	} {
		if got := Suggest(in); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKeysMatchFlatten(t *testing.T) {
	keys := Keys()
	flat := Flatten(Default())
	if len(keys) != len(flat) {
		t.Fatalf("%d keys but %d flattened values", len(keys), len(flat))
	}
	for _, k := range keys {
		if _, ok := flat[k]; !ok {
			t.Errorf("key %s has no flattened default", k)
		}
		if IsSection(k) {
			t.Errorf("value key %s reported as a section", k)
		}
	}
	for _, s := range []string{"data", "data.synth", "train", "eval"} {
		if !IsSection(s) {
			t.Errorf("%s is a section", s)
		}
	}
}

func nan() float64 { return math.NaN() }

// Dimensions beyond int32 do not fit the 32-bit ids (a 64-bit int can hold
// them; a 32-bit one cannot, so there is nothing to test there).
func TestDimensionsBeyondInt32(t *testing.T) {
	if strconv.IntSize < 64 {
		t.Skip("int is 32 bits here: no dimension exceeds int32")
	}
	beyond := int64(math.MaxInt32) + 1
	for _, set := range []func(c *Config){
		func(c *Config) { c.Data.NumFeatures = int(beyond) },
		func(c *Config) { c.Data.NumLabels = int(beyond) },
	} {
		c := valid()
		set(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "dimensions above 2147483647 do not fit") {
			t.Errorf("%+v: %v", c.Data, err)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"config", "config", 0}, {"confg", "config", 1}, {"", "abc", 3}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"thread", "threads", 1}, {"ab", "ba", 2}} {
		if d := EditDistance(tc.a, tc.b); d != tc.d {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tc.a, tc.b, d, tc.d)
		}
	}
}
