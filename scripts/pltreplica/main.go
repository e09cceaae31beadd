// Command pltreplica trains a replica of napkinXC's probabilistic label tree
// (PLT) with its default settings on exactly the rows an mhe run config
// gives mhe train, so that the peer the issue tracker measures (TARGETS.md)
// can be compared with mhe on validation rows too, not only on the one test
// split it was measured on.
//
// The replica: rows l2-normalised (napkinXC --norm; the config's tf-idf
// and hashing are not applied, as napkinXC reads the files as they are), a
// label tree built by hierarchical balanced 2-means over the labels'
// centroids until a node holds at most 100 labels (--treeType
// hierarchicalKmeans --arity 2 --maxLeaves 100), one L2-regularised logistic regression per node trained
// by LIBLINEAR (solver 0, C 10, bias 1) on the rows whose parent node is
// positive, and labels ranked by the exact product of node probabilities.
// It needs LIBLINEAR's liblinear-train (Debian/Ubuntu: apt-get install
// liblinear-tools) and is meant for data with up to some thousands of
// labels (every label is scored).
//
// It writes an mhe run record, so mhe report pairs it with mhe's runs by
// seed (--split validation) and, with --pred, predictions that mhe eval
// --against compares with a model's. It is a tool for experiments
// (scripts/plt-replica.sh), not part of the mhe binary.
//
// Usage:
//
//	go run ./scripts/pltreplica --config configs/rcv1-mhc.yaml --seed 3 \
//	    --validation-fraction 0.2 --result runs/plt-3.result.json
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mhe-xlc/mhe/internal/atomicfile"
	"github.com/mhe-xlc/mhe/internal/buildinfo"
	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/eval"
	"github.com/mhe-xlc/mhe/internal/record"
	"github.com/mhe-xlc/mhe/internal/train"
)

// Method is the head name the replica's records carry.
const Method = "napkinxc-plt"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pltreplica:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

type options struct {
	config, result, pred, split string
	seed                        uint64
	validationFraction          float64
	topk                        int
	s                           Settings
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("pltreplica", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.config, "config", "", "mhe run config naming the data (its data section is used; head, encoder and train are not)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the tree's k-means and, with --validation-fraction, train.seed: which rows mhe train holds out for validation")
	fs.Float64Var(&o.validationFraction, "validation-fraction", 0, "train.validation_fraction: hold out this share of the training rows as mhe train does, and score them instead of the test rows")
	fs.StringVar(&o.split, "split", "", "rows to score: validation or test (default: validation with --validation-fraction, else test)")
	fs.StringVar(&o.result, "result", "", "write an mhe run record (JSON) here, for mhe report")
	fs.StringVar(&o.pred, "pred", "", "write the scored rows' top-K predictions (mhe predict's format) here, for mhe eval --against")
	fs.IntVar(&o.topk, "topk", 5, "labels per row in --pred")
	fs.Float64Var(&o.s.C, "c", 10, "LIBLINEAR cost C (napkinXC's default)")
	fs.Float64Var(&o.s.Eps, "eps", 0, "LIBLINEAR stopping tolerance (0 = LIBLINEAR's default for solver 0)")
	fs.IntVar(&o.s.Arity, "arity", 2, "children of an inner tree node")
	fs.IntVar(&o.s.MaxLeaves, "max-leaves", 100, "most labels under a pre-leaf node")
	fs.StringVar(&o.s.Train, "liblinear-train", "liblinear-train", "LIBLINEAR's training program")
	fs.IntVar(&o.s.Workers, "threads", runtime.NumCPU(), "liblinear-train processes at a time (results do not depend on it)")
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	case o.config == "":
		return nil, fmt.Errorf("%w: --config is required (an mhe run config, e.g. configs/rcv1-mhc.yaml)", errUsage)
	case o.s.Arity < 2 || o.s.MaxLeaves < 1 || o.s.C <= 0 || o.s.Eps < 0 || o.topk < 1:
		return nil, fmt.Errorf("%w: want --arity >= 2, --max-leaves >= 1, --c > 0, --eps >= 0, --topk >= 1", errUsage)
	}
	o.s.TreeSeed = o.seed
	if o.split == "" {
		o.split = "test"
		if o.validationFraction > 0 {
			o.split = "validation"
		}
	}
	if o.split != "test" && o.split != "validation" {
		return nil, fmt.Errorf("%w: --split is validation or test, not %q", errUsage, o.split)
	}
	return o, nil
}

// loadConfig reads an mhe run config the way mhe does for the keys the
// replica uses: defaults, the YAML file (unknown keys are errors), then
// MHE_DATA_DIR.
func loadConfig(path string) (*config.Config, error) {
	cfg := config.Default()
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if d := os.Getenv("MHE_DATA_DIR"); d != "" {
		cfg.Data.Dir = d
	}
	return &cfg, nil
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parseFlags(args, os.Stderr)
	if err != nil {
		return err
	}
	if _, err := exec.LookPath(o.s.Train); err != nil {
		return fmt.Errorf("%s not found: install LIBLINEAR (Debian/Ubuntu: apt-get install liblinear-tools) or pass --liblinear-train PATH", o.s.Train)
	}
	cfg, err := loadConfig(o.config)
	if err != nil {
		return err
	}
	cfg.Train.Seed = o.seed
	cfg.Train.ValidationFraction = o.validationFraction
	if err := cfg.Validate(); err != nil {
		return err
	}
	splits, err := train.LoadSplits(cfg, cfg.Train.Seed, nil)
	if err != nil {
		return err
	}
	scored := splits.Test
	if o.split == "validation" {
		scored = splits.Validation
	}
	if scored == nil {
		return fmt.Errorf("%w: the config gives no %s rows (use --validation-fraction for validation rows)", errUsage, o.split)
	}
	// napkinXC's --norm: unit rows (the splits are this run's own copies).
	xtr, xev := splits.Train.X, scored.X
	data.NormalizeRows(xtr)
	data.NormalizeRows(xev)

	start := time.Now()
	tree := BuildTree(xtr, splits.Train.Y, o.s)
	dir, err := os.MkdirTemp("", "pltreplica-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	model, err := Train(ctx, tree, xtr, splits.Train.Y, o.s, dir)
	if err != nil {
		return err
	}
	trainSecs := time.Since(start).Seconds()

	start = time.Now()
	res, err := score(model, xev, scored.Y, splits.Train.Y, cfg, o)
	if err != nil {
		return err
	}
	predSecs := time.Since(start).Seconds()
	m := res.ByName()
	fmt.Fprintf(stdout, "%s seed %d, %d %s rows: P@1 %.2f P@3 %.2f P@5 %.2f (tree of %d nodes, C %g; train %.1fs, predict %.2fs)\n",
		cfg.Name, o.seed, res.Rows, o.split, 100*m["p@1"], 100*m["p@3"], 100*m["p@5"], len(tree.nodes), o.s.C, trainSecs, predSecs)
	if o.result == "" {
		return nil
	}
	return record.Write(o.result, runRecord(cfg, splits, model, o, res, trainSecs, predSecs))
}

// score ranks the labels of every scored row, evaluates them as mhe does
// (propensities from the training rows' label counts, eval.a/eval.b or the
// dataset's A/B) and writes --pred.
func score(model *Model, x, y, ytrain *data.CSR, cfg *config.Config, o *options) (eval.Result, error) {
	p := eval.PropensityParams{A: cfg.Eval.A, B: cfg.Eval.B}.Or(cfg.Name)
	inv, err := eval.InvPropensity(ytrain.ColumnCounts(), ytrain.Rows, p)
	if err != nil {
		return eval.Result{}, err
	}
	ev, err := eval.NewEvaluator(eval.Options{K: cfg.Eval.K, InvPropensity: inv})
	if err != nil {
		return eval.Result{}, err
	}
	var pred *atomicfile.File
	var w *bufio.Writer
	if o.pred != "" {
		if pred, err = atomicfile.Create(o.pred, 0o644); err != nil {
			return eval.Result{}, err
		}
		defer pred.Abort()
		w = bufio.NewWriter(pred)
	}
	scores := make([]float64, y.Cols)
	k := max(ev.MaxK(), o.topk)
	for r := 0; r < x.Rows; r++ {
		ids, vals := x.Row(r)
		model.Scores(ids, vals, scores)
		top := TopK(scores, k)
		truth, _ := y.Row(r)
		ev.Add(truth, top)
		if w != nil {
			var line []byte
			for i, l := range top[:min(o.topk, len(top))] {
				if i > 0 {
					line = append(line, ' ')
				}
				line = strconv.AppendInt(line, int64(l), 10)
				line = append(line, ':')
				line = strconv.AppendFloat(line, scores[l], 'f', 6, 64)
			}
			line = append(line, '\n')
			w.Write(line)
		}
	}
	if w != nil {
		if err := w.Flush(); err != nil {
			return eval.Result{}, err
		}
		if err := pred.Commit(); err != nil {
			return eval.Result{}, err
		}
	}
	return ev.Result(), nil
}

// runRecord describes the run as an mhe run record: validation metrics as
// a one-epoch history (what mhe report --split validation reads), test
// metrics as the record's metrics.
func runRecord(cfg *config.Config, splits *train.Splits, model *Model, o *options, res eval.Result, trainSecs, predSecs float64) *record.Record {
	// The record's config says what was run: the data section, the seed
	// and the validation share; the replica has no encoder or optimiser.
	rc := config.Config{Name: cfg.Name, Data: cfg.Data, Eval: cfg.Eval}
	rc.Head.Method = Method
	rc.Train.Seed, rc.Train.ValidationFraction = cfg.Train.Seed, cfg.Train.ValidationFraction
	rec := &record.Record{
		Kind: "train", Name: cfg.Name, Seed: o.seed, Threads: o.s.Workers, MHE: buildinfo.Get(), Machine: record.ThisMachine(),
		Data: splits.Info, Epochs: 1, Plan: record.Plan{Method: Method, Params: model.Params()}, Config: rc, KeptWeights: record.KeptLast,
		Timing: record.Timing{TrainSeconds: trainSecs, WallSeconds: trainSecs + predSecs},
		Extra: map[string]any{
			"replica_of":  "napkinXC PLT, default settings: --norm, hierarchicalKmeans tree, arity 2, maxLeaves 100, LIBLINEAR L2-regularised logistic regression, bias 1",
			"liblinear_c": o.s.C, "liblinear_eps": o.s.Eps, "arity": o.s.Arity, "max_leaves": o.s.MaxLeaves,
			"tree_nodes": len(model.Tree.nodes),
		},
	}
	rec.Timing.SetPredict(predSecs, res.Rows)
	if o.split == "validation" {
		rec.History = []record.Epoch{{Epoch: 1, Seconds: trainSecs, Validation: res.ByName()}}
	} else {
		rec.Metrics, rec.NTestRows, rec.NEmptyTestRows = res.ByName(), res.Rows, &res.EmptyRows
	}
	return rec
}
