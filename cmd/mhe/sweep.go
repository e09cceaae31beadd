package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/report"
	"github.com/mhe-xlc/mhe/internal/sweep"
	"github.com/mhe-xlc/mhe/internal/train"
)

func newSweepCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "Expand and run sweeps: configs × overrides × seeds (for local and SLURM runners)",
		Long: `A sweep file (YAML) lists configs × override sets × seeds:

  out: results/sweep
  runs:
    - configs: [configs/bibtex-vanilla.yaml, configs/bibtex-mhc.yaml]
      set: [train.validation_fraction=0.1]       # optional: every run of the block
      overrides: [[], [head.label_order=random]]
      seeds: [1, 2, 3]

Run i trains into OUT/<config>__<set and overrides>__seed<S>/ (its result.json
is the run record; a name over 255 bytes is cut and ends in a hash). "mhe
sweep list" numbers the runs; "mhe sweep run FILE --index i" executes one:
skipped when its result.json exists, resumed when an earlier attempt was
interrupted, trained otherwise — so running a whole sweep again finishes it
without redoing finished runs. A done run whose data files have changed
since it trained is not skipped (exit 4, naming the file).
scripts/sweep-local.sh runs a sweep with a bounded number of parallel jobs;
scripts/sweep-slurm.sh submits it as a SLURM job array (one task per run not
done, so a resubmission queues only what is left).
mhe report OUT aggregates the results.

keep_weights: false (a top-level key) removes each run's weights file once
it has finished and keeps its records (result.json, metrics.jsonl, config,
manifest) with a WEIGHTS-REMOVED.txt note: a sweep that chooses settings
needs the numbers, and a model of a wide input can weigh 100 MB. Loading
such a directory (predict, eval --model) exits 4 and says how to retrain it.`,
	}
	cmd.AddCommand(newSweepListCmd(s), newSweepCheckCmd(s), newSweepRunCmd(s))
	return cmd
}

func newSweepCheckCmd(s *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "check FILE",
		Short: "Check every run of a sweep before running or submitting it: config values, plan files, data files",
		Long: `Check resolves the config of every run that is not done yet, as mhe sweep
run would train it (config file, the block's set, the override set, the
seed, and this shell's MHE_* variables), validates it, parses its head.plan
file and looks for its data files, without reading them. A done run's data
files are read and compared with the checksums its model recorded (each
file once, however many runs share it): a runner would refuse to skip a
run whose data changed. Each run that would fail is listed with the
reason; the exit code is that of the first (2 for a config, 3 for missing
data, 4 for a done run whose data changed). scripts/sweep-local.sh and
scripts/sweep-slurm.sh run it first, so that a typo in one override set
fails at once instead of in an array task hours later.`,
		Example: "  mhe sweep check scripts/sweep-example.yaml",
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			runs, err := loadSweep(args[0])
			if err != nil {
				return err
			}
			var first error
			bad, done := 0, 0
			hash := memoHash(modelio.SHA256File)
			for _, r := range runs {
				if sweep.StateOf(r) == sweep.Done {
					done++
					// A runner skips a done run unless its data has
					// changed, and then fails: say so now.
					if err := checkDoneData(s, r, hash); err != nil {
						bad++
						fmt.Fprintf(s.errOut, "sweep check: %v\n", err)
						if first == nil {
							first = err
						}
					}
					continue
				}
				cfg, err := validConfig(configInput{File: r.Config, Sets: r.ConfigSets()})
				if err == nil {
					err = train.CheckInputs(&cfg)
				}
				if err != nil {
					bad++
					fmt.Fprintf(s.errOut, "sweep check: run %d (%s): %v\n", r.Index, r.Name, err)
					if first == nil {
						first = err
					}
				}
			}
			if bad > 0 {
				return exitCodeError{code: exitCode(first), err: fmt.Errorf("%s: %d of %d runs would fail (listed above); fix them before running the sweep", args[0], bad, len(runs))}
			}
			fmt.Fprintf(s.errOut, "sweep check: %s: %d runs, %d done, %d ready to run\n", args[0], len(runs), done, len(runs)-done)
			return nil
		},
	}
}

func loadSweep(path string) ([]sweep.Run, error) {
	runs, err := sweep.Load(path)
	if err != nil {
		return nil, usageError{err}
	}
	return runs, nil
}

func newSweepListCmd(s *streams) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:     "list FILE",
		Short:   "Number the runs of a sweep and show their state (done, partial, todo)",
		Example: "  mhe sweep list scripts/sweep-example.yaml\n  mhe sweep list sweep.yaml --format count   # the number of runs\n  mhe sweep list sweep.yaml --format array   # the runs not done, as SLURM's --array list (0-3,7,9-12)",
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			runs, err := loadSweep(args[0])
			if err != nil {
				return err
			}
			switch format {
			case "count":
				_, err := fmt.Fprintln(s.out, len(runs))
				return err
			case "array":
				_, err := fmt.Fprintln(s.out, sweep.ArraySpec(sweep.Unfinished(runs)))
				return err
			case "json":
				type row struct {
					sweep.Run
					State          sweep.State `json:"state"`
					WeightsPending bool        `json:"weights_pending"`
					Result         string      `json:"result"`
				}
				var out []row
				for _, r := range runs {
					st := sweep.StateOf(r)
					out = append(out, row{r, st, st == sweep.Done && sweep.WeightsPending(r), r.Result()})
				}
				return report.WriteJSON(s.out, out)
			case "table":
				g := &report.Grid{Header: []string{"index", "state", "run", "dir"}, RightAlign: []bool{true}}
				for _, r := range runs {
					st := string(sweep.StateOf(r))
					if st == string(sweep.Done) && sweep.WeightsPending(r) {
						st += " (weights to remove)"
					}
					g.Rows = append(g.Rows, []string{strconv.Itoa(r.Index), st, r.Name, r.Dir})
				}
				return g.Write(s.out, report.Table)
			}
			return usageErrorf("--format %q: want table, json, count or array", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table, json, count (the number of runs) or array (the runs not done, as a SLURM --array list; empty when all are)")
	return cmd
}

func newSweepRunCmd(s *streams) *cobra.Command {
	var (
		index   int
		dryRun  bool
		threads int
		ckpt    time.Duration
	)
	cmd := &cobra.Command{
		Use: "run FILE --index I",
		// SIGINT/SIGTERM end it in its own way (a checkpoint, exit 130).
		Annotations: map[string]string{signalsKey: signalsGraceful},
		Short:       "Execute run I of a sweep (skip if done, resume if interrupted)",
		Example: `  mhe sweep run sweep.yaml --index 3
  mhe sweep run sweep.yaml --index "$SLURM_ARRAY_TASK_ID" --threads "$SLURM_CPUS_PER_TASK"
  mhe sweep run sweep.yaml --index 0 --dry-run     # print the command only
  mhe sweep run sweep.yaml --index 2 --checkpoint-interval 10s   # preemptible nodes: lose at most ~10 s`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			runs, err := loadSweep(args[0])
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("index") {
				return usageErrorf("give --index I (0..%d)", len(runs)-1)
			}
			if index < 0 || index >= len(runs) {
				return usageErrorf("--index %d: the sweep has runs 0..%d", index, len(runs)-1)
			}
			r := runs[index]
			state := sweep.StateOf(r)
			var argv []string
			switch state {
			case sweep.Done:
				if err := checkDoneData(s, r, modelio.SHA256File); err != nil {
					return err
				}
				fmt.Fprintf(s.errOut, "sweep run %d (%s): done, %s exists; skipped\n", index, r.Name, r.Result())
				if !dryRun {
					return dropWeights(s, r)
				}
				return nil
			case sweep.Partial:
				argv = []string{"train", "--resume", r.Dir, "--quiet"}
			default:
				argv = r.Args()
			}
			if threads > 0 {
				argv = append(argv, "--threads", strconv.Itoa(threads))
			}
			if cmd.Flags().Changed("checkpoint-interval") {
				argv = append(argv, "--checkpoint-interval", ckpt.String())
			}
			fmt.Fprintf(s.errOut, "sweep run %d (%s, %s): mhe %s\n", index, r.Name, state, shellJoin(argv))
			if dryRun {
				return nil
			}
			self, err := os.Executable()
			if err != nil {
				return err
			}
			c := exec.CommandContext(cmd.Context(), self, argv...)
			c.Stdout, c.Stderr = s.out, s.errOut
			// SIGINT/SIGTERM to the runner reach the run as SIGTERM: it
			// stops at the next batch and writes a checkpoint (exit 130),
			// so the next attempt resumes it.
			c.Cancel = func() error { return c.Process.Signal(syscall.SIGTERM) }
			c.WaitDelay = 10 * time.Minute
			if err := c.Run(); err != nil {
				var ee *exec.ExitError
				if errors.As(err, &ee) && ee.ExitCode() > 0 {
					return exitCodeError{code: ee.ExitCode(), err: fmt.Errorf("sweep run %d (%s) failed (exit %d); rerun it with: mhe sweep run %s --index %d", index, r.Name, ee.ExitCode(), args[0], index)}
				}
				return err
			}
			return dropWeights(s, r)
		},
	}
	f := cmd.Flags()
	f.IntVar(&index, "index", 0, "run number, 0-based (SLURM: $SLURM_ARRAY_TASK_ID)")
	f.BoolVar(&dryRun, "dry-run", false, "print the command the run would execute, do nothing")
	f.IntVar(&threads, "threads", 0, "worker threads for the run (0 = all CPUs this process may use)")
	f.DurationVar(&ckpt, "checkpoint-interval", defaultCheckpointInterval, "passed to mhe train: least time between two end-of-epoch checkpoints (shorten it for preemptible jobs)")
	return cmd
}

// checkDoneData refuses to skip a done run whose data files have changed
// since it trained (staleData): its result would stand among the new
// data's as if it were one of them.
func checkDoneData(s *streams, r sweep.Run, hash func(string) (string, error)) error {
	d := modelio.Open(r.Dir)
	cfg, err := validConfig(configInput{File: d.File(modelio.ConfigFile)})
	if err != nil { // a config of another mhe version, say: the run stays done
		warnUnchecked(s.errOut, r.Dir, err)
		return nil
	}
	changed, err := staleData(s.errOut, d, &cfg, hash)
	if err != nil || changed == "" {
		return err
	}
	return fmt.Errorf("%w: sweep run %d (%s) is done, but it trained on other contents of %s (sha256 differs), so its result is not the new data's; remove %s to train it again, or give the sweep another out", ErrModel, r.Index, r.Name, changed, r.Dir)
}

// memoHash is hash (modelio.SHA256File) remembering each path's sum, so
// that the runs of a sweep that share a data file read it once.
func memoHash(hash func(string) (string, error)) func(string) (string, error) {
	sums := map[string]string{}
	return func(path string) (string, error) {
		if sum, ok := sums[path]; ok {
			return sum, nil
		}
		sum, err := hash(path)
		if err == nil {
			sums[path] = sum
		}
		return sum, err
	}
}

// dropWeights removes a finished run's weights when its sweep keeps only
// records (keep_weights: false).
func dropWeights(s *streams, r sweep.Run) error {
	if r.KeepWeights {
		return nil
	}
	if err := modelio.Open(r.Dir).RemoveWeights("the sweep keeps only each run's records (keep_weights: false)"); err != nil {
		return fmt.Errorf("sweep run %d (%s): removing its weights (keep_weights: false): %w", r.Index, r.Name, err)
	}
	fmt.Fprintf(s.errOut, "sweep run %d (%s): weights removed (keep_weights: false), records kept\n", r.Index, r.Name)
	return nil
}

// shellJoin quotes arguments for a shell.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && !strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;!#~") {
			out[i] = a
		} else {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}
