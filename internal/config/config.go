// Package config is the typed run configuration of mhe: one YAML schema for
// data, encoder, head, training and evaluation. It knows nothing of flags,
// environment variables or viper; the CLI resolves those into a Config and
// calls Validate. Every key is documented in configs/README.md.
package config

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/mhe-xlc/mhe/internal/eval"
	"github.com/mhe-xlc/mhe/internal/synth"
)

// ErrInvalid marks a configuration that cannot run. The CLI maps it to exit
// code 2.
var ErrInvalid = errors.New("config: invalid")

// Config is a whole run.
type Config struct {
	// Name labels the run and its dataset in records (and chooses the
	// propensity A/B when eval.a is 0).
	Name    string        `mapstructure:"name" yaml:"name" json:"name"`
	Data    DataConfig    `mapstructure:"data" yaml:"data" json:"data"`
	Encoder EncoderConfig `mapstructure:"encoder" yaml:"encoder" json:"encoder"`
	Head    HeadConfig    `mapstructure:"head" yaml:"head" json:"head"`
	Train   TrainConfig   `mapstructure:"train" yaml:"train" json:"train"`
	Eval    EvalConfig    `mapstructure:"eval" yaml:"eval" json:"eval"`
}

// DataConfig says where the examples come from.
type DataConfig struct {
	// Dir is the root that relative paths are resolved against
	// (environment MHE_DATA_DIR).
	Dir string `mapstructure:"dir" yaml:"dir" json:"dir"`
	// Format of the files: auto, xc, xc-matrix or libsvm.
	Format string `mapstructure:"format" yaml:"format" json:"format"`
	// Train, Test and Validation are data files. With format xc-matrix they
	// are feature matrices and the *_labels keys name the label matrices.
	Train            string `mapstructure:"train" yaml:"train" json:"train"`
	TrainLabels      string `mapstructure:"train_labels" yaml:"train_labels" json:"train_labels"`
	Test             string `mapstructure:"test" yaml:"test" json:"test"`
	TestLabels       string `mapstructure:"test_labels" yaml:"test_labels" json:"test_labels"`
	Validation       string `mapstructure:"validation" yaml:"validation" json:"validation"`
	ValidationLabels string `mapstructure:"validation_labels" yaml:"validation_labels" json:"validation_labels"`
	// TrainRows and TestRows are XC split files selecting rows of Train
	// (then Test may be empty: both come from Train), column SplitColumn.
	TrainRows   string `mapstructure:"train_rows" yaml:"train_rows" json:"train_rows"`
	TestRows    string `mapstructure:"test_rows" yaml:"test_rows" json:"test_rows"`
	SplitColumn int    `mapstructure:"split_column" yaml:"split_column" json:"split_column"`
	// HoldoutEvery > 0 makes row i of Train a test row iff
	// i % HoldoutEvery == HoldoutEvery-1 (when there is no Test file and no
	// split files); 5 is the 80/20 rule of TARGETS.md.
	HoldoutEvery int `mapstructure:"holdout_every" yaml:"holdout_every" json:"holdout_every"`
	// HoldoutFold picks another fold of that rule, 1..HoldoutEvery: row i
	// is a test row iff i % HoldoutEvery == HoldoutFold-1; 0 means
	// HoldoutEvery (the rule above). Folds 1..n score every row once: a
	// cross-validation over the same file.
	HoldoutFold int `mapstructure:"holdout_fold" yaml:"holdout_fold" json:"holdout_fold"`
	// LabelBase and FeatureBase are the smallest ids in a LIBSVM file.
	LabelBase   int `mapstructure:"label_base" yaml:"label_base" json:"label_base"`
	FeatureBase int `mapstructure:"feature_base" yaml:"feature_base" json:"feature_base"`
	// NumFeatures and NumLabels declare dimensions (0 = header or inferred).
	// NumLabels also lets `mhe plan --config` work without the data.
	NumFeatures int `mapstructure:"num_features" yaml:"num_features" json:"num_features"`
	NumLabels   int `mapstructure:"num_labels" yaml:"num_labels" json:"num_labels"`
	// SingleLabel requires exactly one label per row (multi-class data).
	SingleLabel bool `mapstructure:"single_label" yaml:"single_label" json:"single_label"`
	// Normalize is none or l2 (row normalisation after tf-idf).
	Normalize string `mapstructure:"normalize" yaml:"normalize" json:"normalize"`
	// TFIDF re-weights values by the smoothed idf of the training rows.
	TFIDF bool `mapstructure:"tfidf" yaml:"tfidf" json:"tfidf"`
	// DropEmptyLabels and DropEmptyFeatures drop training rows without
	// labels / features (always counted and reported).
	DropEmptyLabels   bool `mapstructure:"drop_empty_labels" yaml:"drop_empty_labels" json:"drop_empty_labels"`
	DropEmptyFeatures bool `mapstructure:"drop_empty_features" yaml:"drop_empty_features" json:"drop_empty_features"`
	// Synth generates the built-in synthetic dataset instead of reading
	// files when Synth.Labels > 0.
	Synth SynthConfig `mapstructure:"synth" yaml:"synth" json:"synth"`
}

// SynthConfig parameterises the built-in synthetic data (mhe data synth).
type SynthConfig struct {
	Examples     int     `mapstructure:"examples" yaml:"examples" json:"examples"`
	TestExamples int     `mapstructure:"test_examples" yaml:"test_examples" json:"test_examples"`
	Features     int     `mapstructure:"features" yaml:"features" json:"features"`
	Labels       int     `mapstructure:"labels" yaml:"labels" json:"labels"`
	Seed         uint64  `mapstructure:"seed" yaml:"seed" json:"seed"`
	SingleLabel  bool    `mapstructure:"single_label" yaml:"single_label" json:"single_label"`
	AvgLabels    float64 `mapstructure:"avg_labels" yaml:"avg_labels" json:"avg_labels"`
	AvgFeatures  int     `mapstructure:"avg_features" yaml:"avg_features" json:"avg_features"`
	Exponent     float64 `mapstructure:"exponent" yaml:"exponent" json:"exponent"`
	Noise        float64 `mapstructure:"noise" yaml:"noise" json:"noise"`
}

// EncoderConfig is the feature extractor F (SPEC §4).
type EncoderConfig struct {
	// Type is linear (f = x) or mlp (f = act(W1 x + b1), further layers).
	Type       string  `mapstructure:"type" yaml:"type" json:"type"`
	Hidden     []int   `mapstructure:"hidden" yaml:"hidden" json:"hidden"`
	Activation string  `mapstructure:"activation" yaml:"activation" json:"activation"`
	Dropout    float64 `mapstructure:"dropout" yaml:"dropout" json:"dropout"`
	// InputDropout drops this share of every training row's nonzero
	// features (survivors scaled by 1/(1-p)); training only.
	InputDropout float64 `mapstructure:"input_dropout" yaml:"input_dropout" json:"input_dropout"`
	// HashFeatures > 0 hashes input feature ids into that many buckets,
	// bounding W1 for very wide inputs.
	HashFeatures int `mapstructure:"hash_features" yaml:"hash_features" json:"hash_features"`
}

// HeadConfig is the classifier head.
type HeadConfig struct {
	// Method is vanilla, mhp, mhc or mhs.
	Method string `mapstructure:"method" yaml:"method" json:"method"`
	// Plan is a plan file written by `mhe plan --out`; it sets method and
	// lengths.
	Plan    string `mapstructure:"plan" yaml:"plan" json:"plan"`
	Heads   int    `mapstructure:"heads" yaml:"heads" json:"heads"`
	Lengths []int  `mapstructure:"lengths" yaml:"lengths" json:"lengths"`
	// Groups applies the authors' MHC/MHS grouping rule (n groups of ⌈C/n⌉).
	Groups        int `mapstructure:"groups" yaml:"groups" json:"groups"`
	Beam          int `mapstructure:"beam" yaml:"beam" json:"beam"`
	BottleneckDim int `mapstructure:"bottleneck_dim" yaml:"bottleneck_dim" json:"bottleneck_dim"`
	Samples       int `mapstructure:"samples" yaml:"samples" json:"samples"`
	// PathScore ranks MHC's last-level candidates: product (of the sigmoids
	// along the path, the paper's) or last (the last level's sigmoid).
	PathScore  string `mapstructure:"path_score" yaml:"path_score" json:"path_score"`
	LabelOrder string `mapstructure:"label_order" yaml:"label_order" json:"label_order"`
	// Loss is auto, softmax, bce or softmargin. auto: softmax cross-entropy
	// for single-label data and for MHP (per head, the paper's), one-vs-all
	// bce for vanilla on multi-label data. softmax on multi-label data uses
	// the uniform distribution over the row's labels; softmargin is the MHP
	// variant of the authors' CIFAR code (bce over the heads' one-hot digits).
	Loss string `mapstructure:"loss" yaml:"loss" json:"loss"`
}

// TrainConfig is the optimisation.
type TrainConfig struct {
	Epochs      int     `mapstructure:"epochs" yaml:"epochs" json:"epochs"`
	BatchSize   int     `mapstructure:"batch_size" yaml:"batch_size" json:"batch_size"`
	Optimizer   string  `mapstructure:"optimizer" yaml:"optimizer" json:"optimizer"`
	LR          float64 `mapstructure:"lr" yaml:"lr" json:"lr"`
	Momentum    float64 `mapstructure:"momentum" yaml:"momentum" json:"momentum"`
	Schedule    string  `mapstructure:"schedule" yaml:"schedule" json:"schedule"`
	WarmupSteps int     `mapstructure:"warmup_steps" yaml:"warmup_steps" json:"warmup_steps"`
	WeightDecay float64 `mapstructure:"weight_decay" yaml:"weight_decay" json:"weight_decay"`
	Seed        uint64  `mapstructure:"seed" yaml:"seed" json:"seed"`
	// Threads is the worker count; 0 = all CPUs this process may use. Results do not depend on it.
	Threads int `mapstructure:"threads" yaml:"threads" json:"threads"`
	// RowwiseTables keeps the optimizer state of MHC's label tables (levels
	// 2 and up) by rows: one running mean of the squared gradient a row, no
	// momentum, instead of Adam's two values a weight. The tables' state
	// falls from 2·width values a row to one, and a step reads and writes
	// the weights alone. Needs adam or adamw; other heads have no such tables.
	RowwiseTables bool `mapstructure:"rowwise_tables" yaml:"rowwise_tables" json:"rowwise_tables"`
	// HugePages backs large tensors, and the arrays of large data files,
	// with transparent huge pages where the OS offers them (Linux): faster
	// training of large input layers and loading of large files, at the
	// cost of whole 2 MiB pages resident. Results do not depend on it.
	HugePages bool `mapstructure:"huge_pages" yaml:"huge_pages" json:"huge_pages"`
	// ValidationFraction holds out this share of training rows for
	// per-epoch validation when there is no validation file.
	ValidationFraction float64 `mapstructure:"validation_fraction" yaml:"validation_fraction" json:"validation_fraction"`
	// EarlyStopping stops after Patience epochs without improving Metric
	// (e.g. p@1) on the validation rows; 0 disables.
	EarlyStoppingMetric   string `mapstructure:"early_stopping_metric" yaml:"early_stopping_metric" json:"early_stopping_metric"`
	EarlyStoppingPatience int    `mapstructure:"early_stopping_patience" yaml:"early_stopping_patience" json:"early_stopping_patience"`
	// Average is none or swa (stochastic weight averaging from AverageStart).
	Average      string `mapstructure:"average" yaml:"average" json:"average"`
	AverageStart int    `mapstructure:"average_start" yaml:"average_start" json:"average_start"`
}

// EvalConfig is how results are scored.
type EvalConfig struct {
	K []int `mapstructure:"k" yaml:"k" json:"k"`
	// A and B are the propensity parameters; 0 picks them by Name.
	A float64 `mapstructure:"a" yaml:"a" json:"a"`
	B float64 `mapstructure:"b" yaml:"b" json:"b"`
	// EmptyRows is zero (pyxclib) or skip.
	EmptyRows string `mapstructure:"empty_rows" yaml:"empty_rows" json:"empty_rows"`
	// ScoreTest false leaves the test split unscored after training (model
	// selection on validation rows without a look at the test rows); the
	// test rows are still held out of training.
	ScoreTest bool `mapstructure:"score_test" yaml:"score_test" json:"score_test"`
}

// MaxThreads is the most worker threads a run takes. Workers wait for
// work in system calls, each on a thread of its own, and the Go runtime
// dies at 10,000 threads ("fatal error: thread exhaustion").
const MaxThreads = 4096

// Default returns the configuration every key falls back to.
func Default() Config {
	return Config{
		Data: DataConfig{
			Dir: "../shared/data", Format: "auto", SplitColumn: 1, LabelBase: 0, FeatureBase: 1, Normalize: "none",
			Synth: SynthConfig{Seed: 1, AvgLabels: synth.DefaultAvgLabels, AvgFeatures: synth.DefaultAvgFeatures, Exponent: synth.DefaultExponent, Noise: synth.DefaultNoise},
		},
		Encoder: EncoderConfig{Type: "linear", Activation: "relu"},
		Head:    HeadConfig{Method: "vanilla", Beam: 10, BottleneckDim: 300, Samples: 1, PathScore: "product", LabelOrder: "index", Loss: "auto"},
		Train: TrainConfig{
			Epochs: 10, BatchSize: 256, Optimizer: "adam", LR: 0.001, Momentum: 0.9, Schedule: "constant",
			Seed: 1, Threads: 0, HugePages: true, EarlyStoppingMetric: "p@1", Average: "none",
		},
		Eval: EvalConfig{K: []int{1, 3, 5}, EmptyRows: "zero", ScoreTest: true},
	}
}

// Keys lists every configuration key in dotted form ("train.epochs"), in
// declaration order.
func Keys() []string {
	var keys []string
	walk(reflect.TypeOf(Config{}), "", func(key string, _ reflect.StructField) { keys = append(keys, key) })
	return keys
}

// Flatten returns every key of c with its value (for defaults).
func Flatten(c Config) map[string]any {
	out := map[string]any{}
	v := reflect.ValueOf(c)
	var rec func(v reflect.Value, prefix string)
	rec = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			key := prefix + f.Tag.Get("mapstructure")
			if f.Type.Kind() == reflect.Struct {
				rec(v.Field(i), key+".")
				continue
			}
			out[key] = v.Field(i).Interface()
		}
	}
	rec(v, "")
	return out
}

func walk(t reflect.Type, prefix string, fn func(string, reflect.StructField)) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		key := prefix + f.Tag.Get("mapstructure")
		if f.Type.Kind() == reflect.Struct {
			walk(f.Type, key+".", fn)
			continue
		}
		fn(key, f)
	}
}

// IsSection reports whether key names a section (data, data.synth, …)
// rather than a value.
func IsSection(key string) bool {
	found := false
	walk(reflect.TypeOf(Config{}), "", func(k string, _ reflect.StructField) {
		if strings.HasPrefix(k, key+".") {
			found = true
		}
	})
	return found
}

// Suggest returns the known key closest to an unknown one ("" if none is
// close), for "did you mean" hints. In order of preference: the same leaf
// name in another section (train.beam -> head.beam; the nearest section
// when several have it: head.seed -> train.seed), a key the unknown one
// begins (head.bottleneck -> head.bottleneck_dim), then the key at the
// smallest edit distance below 4 (train.epoch -> train.epochs).
func Suggest(unknown string) string {
	keys := Keys()
	same, sameD := "", 0
	for _, k := range keys {
		if d := EditDistance(unknown, k); leaf(k) == leaf(unknown) && (same == "" || d < sameD) {
			same, sameD = k, d
		}
	}
	if same != "" {
		return same
	}
	if leaf(unknown) != "" {
		for _, k := range keys {
			if strings.HasPrefix(k, unknown) {
				return k
			}
		}
	}
	best, bestD := "", 4
	for _, k := range keys {
		if d := EditDistance(unknown, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func leaf(k string) string { return k[strings.LastIndexByte(k, '.')+1:] }

// EditDistance is the Levenshtein distance of a and b (bytes): how near a
// mistyped key or flag is to a real one.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Path resolves a data path: absolute paths and "-" as they are, relative
// ones against Data.Dir. An empty path stays empty. A leading "~" in the
// path or in Data.Dir is the home directory, as in a shell (see
// ExpandHome): YAML files, --set values and quoted variables reach mhe
// without a shell's expansion.
func (c *Config) Path(p string) string {
	if p == "" || p == "-" {
		return p
	}
	if p = ExpandHome(p); IsRooted(p) {
		return p
	}
	return filepath.Join(ExpandHome(c.Data.Dir), p)
}

// IsRooted says whether path p names its file without a base directory:
// an absolute path, or on Windows one rooted on the current drive
// ("/data/x.txt", `\data\x.txt`) or naming a drive ("D:x.txt"), which
// filepath.IsAbs does not count as absolute there but which joining to a
// base directory would garble ("C:\base\data\x.txt").
func IsRooted(p string) bool {
	return filepath.IsAbs(p) || (p != "" && os.IsPathSeparator(p[0])) || filepath.VolumeName(p) != ""
}

// ExpandHome replaces a leading "~" that stands alone or before a path
// separator with the user's home directory ($HOME; %USERPROFILE% on
// Windows). Other paths, "~user/..." among them, are returned as they are,
// and so is every path when the home directory is unknown.
func ExpandHome(p string) string {
	if p == "" || p[0] != '~' || (len(p) > 1 && !os.IsPathSeparator(p[1])) {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return p
	}
	return filepath.Join(home, p[1:])
}

var (
	formats     = []string{"auto", "xc", "xc-matrix", "libsvm", "svmlight"}
	encoders    = []string{"linear", "mlp"}
	activations = []string{"relu", "tanh", "gelu", "sigmoid"}
	methods     = []string{"vanilla", "mhp", "mhc", "mhs"}
	orders      = []string{"index", "frequency", "random", "cluster"}
	losses      = []string{"auto", "softmax", "bce", "softmargin"}
	optimizers  = []string{"sgd", "adam", "adamw"}
	schedules   = []string{"constant", "linear", "cosine", "step"}
	averages    = []string{"none", "swa"}
	normalizers = []string{"none", "l2"}
	emptyRows   = []string{"zero", "skip"}
)

// MLPNeedsHidden is what Validate says of an mlp encoder without hidden
// sizes, and what train.Build says of one it is given anyway.
const MLPNeedsHidden = "an mlp encoder needs at least one hidden size, e.g. [512]"

// Validate checks every value that can be checked without the data and
// returns all problems at once, each naming its key and the fix.
func (c *Config) Validate() error {
	var errs []Problem
	bad := func(key, format string, args ...any) {
		errs = append(errs, Problem{Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	oneOf := func(key, v string, allowed []string) {
		if !slices.Contains(allowed, strings.ToLower(v)) {
			bad(key, "%q is not one of %s", v, strings.Join(allowed, ", "))
		}
	}
	d := c.Data
	oneOf("data.format", d.Format, formats)
	oneOf("data.normalize", d.Normalize, normalizers)
	if d.Train == "" && d.Synth.Labels == 0 {
		bad("data.train", "no training data: set data.train (a file under data.dir) or data.synth.labels")
	}
	if (d.TrainRows == "") != (d.TestRows == "") && d.Test == "" {
		bad("data.test_rows", "give both data.train_rows and data.test_rows (XC split files), or a data.test file")
	}
	if d.SplitColumn < 1 {
		bad("data.split_column", "%d: split columns are numbered from 1 (papers report split 1)", d.SplitColumn)
	}
	if d.HoldoutEvery < 0 || d.HoldoutEvery == 1 {
		bad("data.holdout_every", "%d: use 0 (off) or n >= 2 (row i is a test row iff i %% n == n-1)", d.HoldoutEvery)
	}
	switch {
	case d.HoldoutFold != 0 && d.HoldoutEvery < 2:
		bad("data.holdout_fold", "%d needs data.holdout_every n >= 2 (fold k holds out the rows i %% n == k-1)", d.HoldoutFold)
	case d.HoldoutFold < 0 || d.HoldoutFold > d.HoldoutEvery:
		bad("data.holdout_fold", "%d: folds of data.holdout_every %d are numbered 1 to %d (0 = %d, the rows i %% %d == %d)",
			d.HoldoutFold, d.HoldoutEvery, d.HoldoutEvery, d.HoldoutEvery, d.HoldoutEvery, d.HoldoutEvery-1)
	}
	if d.LabelBase != 0 && d.LabelBase != 1 {
		bad("data.label_base", "%d: index bases are 0 or 1", d.LabelBase)
	}
	if d.FeatureBase != 0 && d.FeatureBase != 1 {
		bad("data.feature_base", "%d: index bases are 0 or 1", d.FeatureBase)
	}
	if d.NumFeatures < 0 || d.NumLabels < 0 {
		bad("data.num_labels", "dimensions cannot be negative")
	}
	if d.NumFeatures > math.MaxInt32 || d.NumLabels > math.MaxInt32 {
		bad("data.num_labels", "dimensions above %d do not fit the 32-bit feature and label ids", math.MaxInt32)
	}
	if strings.EqualFold(d.Format, "xc-matrix") && d.Train != "" && d.TrainLabels == "" {
		bad("data.train_labels", "format xc-matrix reads features and labels from separate files: set data.train_labels")
	}
	if d.Synth.Labels != 0 {
		for _, f := range []struct{ key, v string }{{"data.train", d.Train}, {"data.test", d.Test}, {"data.validation", d.Validation}, {"data.train_rows", d.TrainRows}} {
			if f.v != "" {
				bad(f.key, "%q and data.synth both give data: use the files or the synthetic generator, not both", f.v)
			}
		}
		if d.HoldoutEvery != 0 {
			bad("data.holdout_every", "synthetic data has its own test rows (data.synth.test_examples); drop data.holdout_every")
		}
	}
	if d.HoldoutEvery > 1 && (d.Test != "" || d.TestRows != "") {
		bad("data.holdout_every", "%d would be ignored: the test rows already come from data.test or data.test_rows; use one of them", d.HoldoutEvery)
	}
	if s := d.Synth; s.Labels != 0 {
		if s.Labels < 2 || s.Examples < 1 || s.Features < 1 {
			bad("data.synth", "labels >= 2, examples >= 1 and features >= 1 are required (got %d, %d, %d)", s.Labels, s.Examples, s.Features)
		}
		if s.TestExamples < 0 || !atLeast(s.AvgLabels, 1) || s.AvgFeatures < 1 || !atLeast(s.Exponent, 0) || !unit(s.Noise) {
			bad("data.synth", "need test_examples >= 0, avg_labels >= 1, avg_features >= 1, exponent >= 0 and 0 <= noise < 1")
		}
	}
	e := c.Encoder
	oneOf("encoder.type", e.Type, encoders)
	oneOf("encoder.activation", e.Activation, activations)
	if strings.EqualFold(e.Type, "mlp") && len(e.Hidden) == 0 {
		bad("encoder.hidden", MLPNeedsHidden)
	}
	for _, h := range e.Hidden {
		if h < 1 {
			bad("encoder.hidden", "size %d must be >= 1", h)
		}
	}
	if strings.EqualFold(e.Type, "linear") && len(e.Hidden) > 0 {
		bad("encoder.hidden", "%v needs encoder.type: mlp; a linear encoder has no hidden layers (remove encoder.hidden to train a linear model)", e.Hidden)
	}
	if strings.EqualFold(e.Type, "linear") && e.Dropout > 0 && unit(e.Dropout) {
		bad("encoder.dropout", "%g acts on hidden layers, which a linear encoder has none of: use encoder.input_dropout, or encoder.type: mlp", e.Dropout)
	}
	if !unit(e.Dropout) {
		bad("encoder.dropout", "%g must be in [0, 1)", e.Dropout)
	}
	if !unit(e.InputDropout) {
		bad("encoder.input_dropout", "%g must be in [0, 1)", e.InputDropout)
	}
	if e.HashFeatures < 0 {
		bad("encoder.hash_features", "%d must be >= 0 (0 = off)", e.HashFeatures)
	}
	h := c.Head
	if h.Plan == "" {
		oneOf("head.method", h.Method, methods)
	}
	oneOf("head.label_order", h.LabelOrder, orders)
	oneOf("head.path_score", h.PathScore, []string{"product", "last"})
	oneOf("head.loss", h.Loss, losses)
	if h.Heads < 0 {
		bad("head.heads", "%d must be >= 1 (or 0 to plan)", h.Heads)
	}
	for _, l := range h.Lengths {
		if l < 1 {
			bad("head.lengths", "length %d must be >= 1", l)
		}
	}
	if h.Beam < 1 {
		bad("head.beam", "%d: the beam keeps at least one node per level", h.Beam)
	}
	if h.BottleneckDim < 0 {
		bad("head.bottleneck_dim", "%d must be >= 1, or 0 for no projection", h.BottleneckDim)
	}
	if h.Samples < 1 {
		bad("head.samples", "%d: each example sees at least its own head (MHS-1)", h.Samples)
	}
	if h.Groups < 0 {
		bad("head.groups", "%d must be >= 0", h.Groups)
	}
	t := c.Train
	if t.Epochs < 1 {
		bad("train.epochs", "%d must be >= 1", t.Epochs)
	}
	if t.BatchSize < 1 {
		bad("train.batch_size", "%d must be >= 1", t.BatchSize)
	}
	oneOf("train.optimizer", t.Optimizer, optimizers)
	if t.RowwiseTables && strings.EqualFold(t.Optimizer, "sgd") {
		bad("train.rowwise_tables", "true needs train.optimizer adam or adamw: row-wise state is a second moment, which sgd does not keep")
	}
	oneOf("train.schedule", t.Schedule, schedules)
	oneOf("train.average", t.Average, averages)
	if !(t.LR > 0) || math.IsInf(t.LR, 1) {
		bad("train.lr", "%g must be > 0 and finite", t.LR)
	}
	if !unit(t.Momentum) {
		bad("train.momentum", "%g must be in [0, 1)", t.Momentum)
	}
	if !atLeast(t.WeightDecay, 0) {
		bad("train.weight_decay", "%g must be >= 0", t.WeightDecay)
	}
	if t.WarmupSteps < 0 {
		bad("train.warmup_steps", "%d must be >= 0", t.WarmupSteps)
	}
	if t.Threads < 0 || t.Threads > MaxThreads {
		bad("train.threads", "%d must be in [0, %d] (0 = all CPUs this process may use)", t.Threads, MaxThreads)
	}
	if !unit(t.ValidationFraction) {
		bad("train.validation_fraction", "%g must be in [0, 1)", t.ValidationFraction)
	}
	if t.ValidationFraction > 0 && d.Validation != "" {
		bad("train.validation_fraction", "%g would be ignored: data.validation already gives the validation rows; use one of them", t.ValidationFraction)
	}
	validating := d.Validation != "" || t.ValidationFraction > 0
	if t.EarlyStoppingPatience < 0 {
		bad("train.early_stopping_patience", "%d must be >= 0 (0 = off)", t.EarlyStoppingPatience)
	}
	if t.EarlyStoppingPatience > 0 && !validating {
		bad("train.early_stopping_patience", "%d needs validation rows: set train.validation_fraction (e.g. 0.1) or data.validation", t.EarlyStoppingPatience)
	}
	if _, k, ok := eval.ParseName(t.EarlyStoppingMetric); !ok {
		bad("train.early_stopping_metric", "%q is not a metric like p@1, ndcg@3, psp@5", t.EarlyStoppingMetric)
	} else if validating && len(c.Eval.K) > 0 && !slices.Contains(c.Eval.K, k) {
		bad("train.early_stopping_metric", "%q is not computed: eval.k is %v; add %d to eval.k or pick one of those", t.EarlyStoppingMetric, c.Eval.K, k)
	}
	if t.AverageStart < 0 {
		bad("train.average_start", "%d must be >= 0", t.AverageStart)
	}
	if strings.EqualFold(t.Average, "swa") && t.AverageStart > t.Epochs {
		bad("train.average_start", "%d is after the last epoch (%d), so nothing would be averaged: use 0 (the second half) or an epoch <= train.epochs", t.AverageStart, t.Epochs)
	}
	ev := c.Eval
	if len(ev.K) == 0 {
		bad("eval.k", "give at least one k, e.g. [1, 3, 5]")
	}
	for _, k := range ev.K {
		if k < 1 || k > eval.MaxCutoff {
			bad("eval.k", "k = %d must be in [1, %d]", k, eval.MaxCutoff)
		}
	}
	if !atLeast(ev.A, 0) || !atLeast(ev.B, 0) || (ev.A > 0) != (ev.B > 0) {
		bad("eval.a", "propensity A and B must both be finite and > 0, or both 0 to choose by dataset name")
	}
	oneOf("eval.empty_rows", ev.EmptyRows, emptyRows)
	if len(errs) > 0 {
		return &ValidationError{Problems: errs}
	}
	return nil
}

// Problem is one invalid value: its key and what is wrong, with the fix.
// Source, when set, says where the value came from (a flag, an
// environment variable); the CLI fills it in.
type Problem struct {
	Key, Msg, Source string
}

// ValidationError lists every problem Validate found. It is ErrInvalid.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		key := p.Key
		if p.Source != "" {
			key += " (" + p.Source + ")"
		}
		lines[i] = key + ": " + p.Msg
	}
	return ErrInvalid.Error() + ":\n  " + strings.Join(lines, "\n  ")
}

func (e *ValidationError) Unwrap() error { return ErrInvalid }

// unit reports whether x is in [0, 1); NaN is not.
func unit(x float64) bool { return x >= 0 && x < 1 }

// atLeast reports whether x is finite and >= lo; NaN and +Inf are not.
func atLeast(x, lo float64) bool { return x >= lo && !math.IsInf(x, 1) }
