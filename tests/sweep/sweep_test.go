// Package sweep tests the sweep runners end to end: scripts/sweep-local.sh
// finishes a half-finished sweep (one run done, one interrupted, one not
// started) without redoing the finished run, and scripts/sweep-slurm.sh
// passes bash -n and prints every array task's command in a dry run.
package sweep

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mhe-xlc/mhe/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

const cfg = `name: sweep-test
data:
  synth: {examples: 20000, test_examples: 200, features: 500, labels: 60, seed: 4}
encoder: {type: mlp, hidden: [64]}
head: {method: mhp, heads: 2}
train: {epochs: 3, batch_size: 32, lr: 0.003}
`

type listed struct {
	Index          int    `json:"index"`
	State          string `json:"state"`
	WeightsPending bool   `json:"weights_pending"`
	Dir            string `json:"dir"`
	Result         string `json:"result"`
}

func list(t *testing.T, file string) []listed {
	t.Helper()
	code, out, errOut := testutil.Run(t, "", nil, "sweep", "list", file, "--format", "json")
	if code != 0 {
		t.Fatalf("sweep list: %s", errOut)
	}
	var l []listed
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLocalRunnerResumesHalfFinishedSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("trains three small models")
	}
	tmp := t.TempDir()
	os.WriteFile(filepath.Join(tmp, "c.yaml"), []byte(cfg), 0o644)
	file := filepath.Join(tmp, "sweep.yaml")
	os.WriteFile(file, []byte("out: "+filepath.Join(tmp, "out")+"\nruns:\n  - configs: ["+filepath.Join(tmp, "c.yaml")+"]\n    seeds: [1, 2, 3]\n"), 0o644)
	root := testutil.RepoRoot(t)

	// Run 0 finishes; run 1 is stopped once it has staged its config; run 2
	// never starts.
	if code, _, errOut := testutil.Run(t, "", nil, "sweep", "run", file, "--index", "0"); code != 0 {
		t.Fatalf("run 0: %s", errOut)
	}
	l := list(t, file)
	cmd := exec.Command(testutil.Binary(t), "sweep", "run", file, "--index", "1")
	cmd.Dir = root
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	staged := filepath.Join(l[1].Dir, "training", "config.yaml")
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(staged); err == nil {
			break
		}
	}
	// SIGTERM to the runner reaches its training process, which stops at
	// the next batch with a checkpoint; the runner exits as it did (130).
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("sweep run stopped by SIGTERM: exit %d, want 130", code)
	}
	l = list(t, file)
	if l[0].State != "done" || l[1].State != "partial" || l[2].State != "todo" {
		t.Fatalf("states %s/%s/%s, want done/partial/todo", l[0].State, l[1].State, l[2].State)
	}
	before, _ := os.Stat(l[0].Result)

	run := exec.Command("bash", "scripts/sweep-local.sh", file, "2", "1")
	run.Dir = root
	run.Env = append(testutil.EnvWithout("MHE_MEMORY_LIMIT", "GOMEMLIMIT"), "MHE_BIN="+testutil.Binary(t))
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("sweep-local.sh: %v\n%s", err, out)
	}
	for _, want := range []string{"3 runs, 2 to run (1-2), 2 at a time, 1 threads each, memory limit 50% each",
		"sweep run 1 (c__seed2, partial): mhe train --resume", "sweep run 2 (c__seed3, todo): mhe train --config"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("runner output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "sweep run 0 ") {
		t.Errorf("the done run 0 was run again (its data hashed):\n%s", out)
	}
	for _, r := range list(t, file) {
		if r.State != "done" {
			t.Errorf("run %d is %s after the runner", r.Index, r.State)
		}
	}
	// Two runs at a time share the memory: each trained with half as its
	// limit, which its record names.
	for _, r := range list(t, file)[1:] {
		var rec struct {
			MemoryLimit struct{ Source string } `json:"memory_limit"`
		}
		raw, _ := os.ReadFile(r.Result)
		if err := json.Unmarshal(raw, &rec); err != nil || !strings.HasPrefix(rec.MemoryLimit.Source, "MHE_MEMORY_LIMIT=50% of ") {
			t.Errorf("run %d's record: memory_limit.source %q (%v), want half of the detected limit", r.Index, rec.MemoryLimit.Source, err)
		}
	}
	if after, _ := os.Stat(l[0].Result); !after.ModTime().Equal(before.ModTime()) {
		t.Error("the finished run 0 was redone")
	}
	// Started from another directory, with the sweep file named relative
	// to it: the same sweep, every run found done.
	again := exec.Command("bash", filepath.Join(root, "scripts", "sweep-local.sh"), "sweep.yaml", "1", "1")
	again.Dir = tmp
	again.Env = append(testutil.EnvWithout("MHE_MEMORY_LIMIT", "GOMEMLIMIT"), "MHE_BIN="+testutil.Binary(t))
	if out, err := again.CombinedOutput(); err != nil || !strings.Contains(string(out), "every one of its 3 runs is done") || strings.Contains(string(out), "sweep run ") {
		t.Errorf("sweep-local.sh from the sweep's directory: %v\n%s", err, out)
	}
	code, table, errOut := testutil.Run(t, "", nil, "report", filepath.Join(tmp, "out"), "--format", "markdown", "--metrics", "p@1")
	if code != 0 || !strings.Contains(table, "| sweep-test | mhp 8×8 | 3 |") {
		t.Errorf("report of the sweep: exit %d %s\n%s", code, errOut, table)
	}
}

func TestSlurmDryRun(t *testing.T) {
	root := testutil.RepoRoot(t)
	if out, err := exec.Command("bash", "-n", filepath.Join(root, "scripts", "sweep-slurm.sh")).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v %s", err, out)
	}
	// Submitted from the repository root or from elsewhere, the sweep
	// file is passed to the array's tasks by its absolute path (the
	// script works from the repository root).
	var s string
	for _, c := range []struct{ dir, script, file string }{
		{root, "scripts/sweep-slurm.sh", "scripts/sweep-example.yaml"},
		{filepath.Join(root, "configs"), "../scripts/sweep-slurm.sh", "../scripts/sweep-example.yaml"},
	} {
		cmd := exec.Command("bash", c.script, c.file, "--dry-run", "--partition=cpu")
		cmd.Dir = c.dir
		cmd.Env = append(os.Environ(), "MHE_BIN="+testutil.Binary(t))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("dry run from %s: %v\n%s", c.dir, err, out)
		}
		s = string(out)
		if want := "would submit: sbatch --array=0-3 --partition=cpu scripts/sweep-slurm.sh " + filepath.Join(root, "scripts", "sweep-example.yaml"); !strings.Contains(s, want) {
			t.Errorf("dry run from %s lacks %q:\n%s", c.dir, want, s)
		}
	}
	for i := range 4 {
		if !strings.Contains(s, "task "+string(rune('0'+i))+": sweep run") {
			t.Errorf("dry run lacks task %d:\n%s", i, s)
		}
	}
	if !strings.Contains(s, "--set head.method=vanilla --threads 4 --checkpoint-interval 1m0s") {
		t.Errorf("dry run lacks the override and threads:\n%s", s)
	}
}

// sweep run passes --threads and --checkpoint-interval on to mhe train
// (preemptible cluster jobs shorten the interval) and refuses a negative one.
func TestRunPassesTrainFlags(t *testing.T) {
	file := filepath.Join(testutil.RepoRoot(t), "scripts", "sweep-example.yaml")
	code, _, errOut := testutil.Run(t, "", nil, "sweep", "run", file, "--index", "1", "--dry-run", "--threads", "3", "--checkpoint-interval", "10s")
	if code != 0 || !strings.Contains(errOut, "--set train.seed=2 --threads 3 --checkpoint-interval 10s") {
		t.Errorf("exit %d, command line not passed on:\n%s", code, errOut)
	}
	code, _, errOut = testutil.Run(t, "", nil, "sweep", "run", file, "--index", "1", "--dry-run", "--checkpoint-interval", "-1s")
	if code != 2 || !strings.Contains(errOut, "--checkpoint-interval -1s must be >= 0") {
		t.Errorf("negative interval: exit %d, %s", code, errOut)
	}
}

// keep_weights: false leaves each finished run's records and removes its
// weights, with a note saying why; predicting from such a directory is a
// model error (exit 4) that says how to get the model back, while report
// still reads it. Turning keep_weights off after a run
// finished removes its weights on the next pass; retraining into the
// directory gives a usable model again.
func TestKeepWeightsFalse(t *testing.T) {
	tmp := t.TempDir()
	small := strings.Replace(cfg, "examples: 20000", "examples: 2000", 1)
	os.WriteFile(filepath.Join(tmp, "c.yaml"), []byte(small), 0o644)
	file := filepath.Join(tmp, "sweep.yaml")
	body := "out: " + filepath.Join(tmp, "out") + "\nruns:\n  - configs: [" + filepath.Join(tmp, "c.yaml") + "]\n    seeds: [1, 2]\n"
	os.WriteFile(file, []byte(body+"keep_weights: false\n"), 0o644)
	weights := func(dir string) []string {
		w, _ := filepath.Glob(filepath.Join(dir, "weights-*.bin"))
		return w
	}
	code, _, errOut := testutil.Run(t, "", nil, "sweep", "run", file, "--index", "0")
	if code != 0 || !strings.Contains(errOut, "weights removed (keep_weights: false)") {
		t.Fatalf("run 0: exit %d: %s", code, errOut)
	}
	dir := list(t, file)[0].Dir
	if w := weights(dir); len(w) != 0 {
		t.Errorf("weights left: %v", w)
	}
	for _, f := range []string{"result.json", "manifest.json", "config.yaml", "metrics.jsonl", "WEIGHTS-REMOVED.txt"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	code, out, errOut := testutil.Run(t, "", nil, "predict", "--model", dir)
	if code != 4 || out != "" || !strings.Contains(errOut, "removed after training") || !strings.Contains(errOut, "mhe train --config "+filepath.Join(dir, "result.json")) {
		t.Errorf("predict from a directory without weights: exit %d %q %s", code, out, errOut)
	}
	if code, _, errOut := testutil.Run(t, "", nil, "report", dir); code != 0 {
		t.Errorf("report: exit %d: %s", code, errOut)
	}
	if code, _, errOut := testutil.Run(t, "", nil, "sweep", "run", file, "--index", "0"); code != 0 || !strings.Contains(errOut, "skipped") {
		t.Errorf("run 0 again: exit %d: %s", code, errOut)
	}

	// Run 1 finishes with its weights; turning keep_weights off removes them.
	os.WriteFile(file, []byte(body), 0o644)
	if code, _, errOut := testutil.Run(t, "", nil, "sweep", "run", file, "--index", "1"); code != 0 {
		t.Fatalf("run 1: %s", errOut)
	}
	dir1 := list(t, file)[1].Dir
	if len(weights(dir1)) != 1 {
		t.Fatalf("keep_weights unset: weights %v", weights(dir1))
	}
	os.WriteFile(file, []byte(body+"keep_weights: false\n"), 0o644)
	array := func() string {
		t.Helper()
		_, out, _ := testutil.Run(t, "", nil, "sweep", "list", file, "--format", "array")
		return strings.TrimSpace(out)
	}
	// Both runs are done, but run 1 still has weights to remove: a runner
	// (sweep-slurm.sh submits this list) still has it to do.
	if got := array(); got != "1" {
		t.Errorf("sweep list --format array with run 1's weights left: %q, want 1", got)
	}
	// The lists say so too: done, with weights to remove.
	if l := list(t, file); l[0].State != "done" || l[0].WeightsPending || l[1].State != "done" || !l[1].WeightsPending {
		t.Errorf("sweep list --format json: %+v, want both done and run 1 with weights pending", l)
	}
	if _, out, _ := testutil.Run(t, "", nil, "sweep", "list", file); !regexp.MustCompile(`(?m)^\s*1\s+done \(weights to remove\)\s`).MatchString(out) || strings.Count(out, "weights to remove") != 1 {
		t.Errorf("sweep list (table) should show run 1 alone as done with weights to remove:\n%s", out)
	}
	if code, _, errOut := testutil.Run(t, "", nil, "sweep", "run", file, "--index", "1"); code != 0 || len(weights(dir1)) != 0 {
		t.Errorf("run 1 after keep_weights: false: exit %d, weights %v: %s", code, weights(dir1), errOut)
	}
	if got := array(); got != "" {
		t.Errorf("sweep list --format array with every run done and dropped: %q, want none", got)
	}

	// Retraining into the directory makes it a model again.
	if code, _, errOut := testutil.Run(t, "", nil, "train", "--config", filepath.Join(dir, "result.json"), "--out", dir, "--force", "--quiet"); code != 0 {
		t.Fatalf("retrain: %s", errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "WEIGHTS-REMOVED.txt")); err == nil {
		t.Error("the retrained model still carries the removal note")
	}
	if code, _, errOut := testutil.Run(t, "", nil, "predict", "--model", dir, "--out", filepath.Join(tmp, "p.txt")); code != 0 {
		t.Errorf("predict from the retrained model: exit %d: %s", code, errOut)
	}
}

// scripts/ensemble-sweep.yaml lists three members of every paper dataset's
// MHC config, in the run directories its comment hands to mhe eval, and
// each run's command line sets the member's label order and seed; listing
// needs none of the (downloaded) data.
func TestEnsembleSweepFile(t *testing.T) {
	file := filepath.Join(testutil.RepoRoot(t), "scripts", "ensemble-sweep.yaml")
	code, out, errOut := testutil.Run(t, "", nil, "sweep", "list", file)
	if code != 0 {
		t.Fatalf("sweep list: exit %d: %s", code, errOut)
	}
	for _, set := range []string{"eurlex4k", "wiki10-31k", "amazoncat-13k", "amazon-670k", "wiki-500k", "amazon-3m"} {
		for s := 1; s <= 3; s++ {
			dir := fmt.Sprintf("results/ensemble-sweep/%s-mhc__head.label_order=random__seed%d", set, s)
			if !strings.Contains(out, dir) {
				t.Errorf("no run in %s:\n%s", dir, out)
			}
		}
	}
	code, _, errOut = testutil.Run(t, "", nil, "sweep", "run", file, "--index", "2", "--dry-run")
	if code != 0 || !strings.Contains(errOut, "--set head.label_order=random") || !strings.Contains(errOut, "--set train.seed=3") {
		t.Errorf("run 2: exit %d, command line:\n%s", code, errOut)
	}
}

// mhe sweep check resolves every run's config as mhe sweep run would, and
// lists each run that would fail with its reason: a bad override value
// (exit 2 first), a plan file or a data file that is not there. Done runs
// are not checked. scripts/sweep-local.sh runs it first and starts nothing
// when a run would fail.
func TestSweepCheck(t *testing.T) {
	tmp := t.TempDir()
	c := filepath.Join(tmp, "c.yaml")
	os.WriteFile(c, []byte(cfg), 0o644)
	out := filepath.Join(tmp, "out")
	sweepFile := func(name, overrides string) string {
		file := filepath.Join(tmp, name)
		os.WriteFile(file, []byte("out: "+out+"\nruns:\n  - configs: ["+c+"]\n    seeds: [1, 2]\n    overrides: "+overrides+"\n"), 0o644)
		return file
	}
	good := sweepFile("good.yaml", "[[], [train.lr=0.01]]")
	code, stdout, errOut := testutil.Run(t, "", nil, "sweep", "check", good)
	if code != 0 || stdout != "" || !strings.Contains(errOut, "4 runs, 0 done, 4 ready to run") {
		t.Errorf("a good sweep: exit %d, %q %q", code, stdout, errOut)
	}
	bad := sweepFile("bad.yaml", `[[], [train.lr=fast], [head.plan=`+filepath.Join(tmp, "no-plan.yaml")+`], ["data.synth.labels=0", "data.train=gone.txt"]]`)
	code, _, errOut = testutil.Run(t, "", nil, "sweep", "check", bad)
	for _, want := range []string{
		`run 2 (c__train.lr=fast__seed1): config: invalid:`, `train.lr: "fast" (from --set train.lr=fast) is not a number`,
		"run 3 (c__train.lr=fast__seed2)", "run 4 (", "no-plan.yaml: no such file", "run 6 (", "data.train: ", "gone.txt",
		"bad.yaml: 6 of 8 runs would fail (listed above)",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code != 2 || strings.Contains(errOut, "run 0 (") || strings.Contains(errOut, "run 1 (") {
		t.Errorf("a sweep with bad runs: exit %d, want 2 (the first failure's), and runs 0 and 1 not listed:\n%s", code, errOut)
	}
	// A done run is not checked: its result.json stands.
	doneDir := filepath.Join(out, "c__train.lr=fast__seed1")
	os.MkdirAll(doneDir, 0o755)
	os.WriteFile(filepath.Join(doneDir, "result.json"), []byte("{}"), 0o644)
	if _, _, errOut = testutil.Run(t, "", nil, "sweep", "check", bad); strings.Contains(errOut, "run 2 (") || !strings.Contains(errOut, "5 of 8 runs") {
		t.Errorf("the done run was checked:\n%s", errOut)
	}
	os.RemoveAll(out)
	root := testutil.RepoRoot(t)
	run := exec.Command("bash", "scripts/sweep-local.sh", bad, "1", "1")
	run.Dir = root
	run.Env = append(testutil.EnvWithout("MHE_MEMORY_LIMIT", "GOMEMLIMIT"), "MHE_BIN="+testutil.Binary(t))
	b, err := run.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(b), "6 of 8 runs would fail") {
		t.Errorf("sweep-local.sh with bad runs: %v\n%s", err, b)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("sweep-local.sh started runs of a sweep that fails its check")
	}
}

// A done run whose data file has changed since it trained is not skipped as
// done (exit 4, naming the file and the fix); unchanged data, or data this
// machine cannot read (a warning), leaves it done.
func TestDoneRunWithChangedData(t *testing.T) {
	tmp := t.TempDir()
	data := filepath.Join(tmp, "train.txt")
	synth := func(seed string) {
		t.Helper()
		if code, _, errOut := testutil.Run(t, "", nil, "data", "synth", "--examples", "400", "--features", "40", "--labels", "12", "--seed", seed, "--out", data); code != 0 {
			t.Fatalf("data synth: %s", errOut)
		}
	}
	synth("3")
	c := filepath.Join(tmp, "c.yaml")
	os.WriteFile(c, []byte("name: changed-data\ndata: {format: xc, train: "+data+", holdout_every: 5}\nencoder: {type: mlp, hidden: [8]}\nhead: {method: mhc, lengths: [4, 3], beam: 2}\ntrain: {epochs: 1, batch_size: 32}\n"), 0o644)
	file := filepath.Join(tmp, "sweep.yaml")
	os.WriteFile(file, []byte("out: "+filepath.Join(tmp, "out")+"\nruns:\n  - configs: ["+c+"]\n    seeds: [1]\n"), 0o644)
	run := func() (int, string) {
		t.Helper()
		code, _, errOut := testutil.Run(t, "", nil, "sweep", "run", file, "--index", "0")
		return code, errOut
	}
	for i := range 2 {
		if code, errOut := run(); code != 0 {
			t.Fatalf("attempt %d: exit %d: %s", i, code, errOut)
		}
	}
	if _, errOut := run(); !strings.Contains(errOut, "sweep run 0 (c__seed1): done") {
		t.Errorf("unchanged data: the run should be skipped as done: %s", errOut)
	}
	if code, _, errOut := testutil.Run(t, "", nil, "sweep", "check", file); code != 0 || !strings.Contains(errOut, "1 runs, 1 done, 0 ready to run") {
		t.Errorf("sweep check, unchanged data: exit %d: %s", code, errOut)
	}
	synth("4")
	code, errOut := run()
	if code != 4 || !strings.Contains(errOut, "is done, but it trained on other contents of "+data) || !strings.Contains(errOut, "remove "+filepath.Join(tmp, "out")) {
		t.Errorf("changed data: exit %d, want 4 naming the file and the fix: %s", code, errOut)
	}
	// sweep check says so before a runner starts (a SLURM submission
	// queues only runs not done, so no task would meet this run).
	if code, _, errOut := testutil.Run(t, "", nil, "sweep", "check", file); code != 4 ||
		!strings.Contains(errOut, "sweep check: model unusable: sweep run 0 (c__seed1) is done, but it trained on other contents of "+data) || !strings.Contains(errOut, "1 of 1 runs would fail") {
		t.Errorf("sweep check, changed data: exit %d, want 4 naming the run and the file: %s", code, errOut)
	}
	os.Remove(data)
	if code, errOut := run(); code != 0 || !strings.Contains(errOut, "cannot be checked") || !strings.Contains(errOut, ": done") {
		t.Errorf("data gone: exit %d, want 0 with a warning: %s", code, errOut)
	}
	// A config this build cannot read (another version's, say) leaves the
	// run done too, with a warning.
	os.WriteFile(filepath.Join(tmp, "out", "c__seed1", "config.yaml"), []byte("train: {no_such_key: 1}\n"), 0o644)
	if code, errOut := run(); code != 0 || !strings.Contains(errOut, "cannot be checked") || !strings.Contains(errOut, ": done") {
		t.Errorf("unreadable config: exit %d, want 0 with a warning: %s", code, errOut)
	}
}

// TestSlurmTasksGetTheSubmittersEnvironment: the MHE_* variables of the
// submitting shell reach each array task as arguments, so a task runs
// what `mhe sweep check` checked even where the site clears the
// environment (SBATCH_EXPORT=NONE; here the task runs under env -i).
func TestSlurmTasksGetTheSubmittersEnvironment(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a small model")
	}
	root := testutil.RepoRoot(t)
	file, submit := slurmSweep(t, "1")
	_, args := submit([]string{"MHE_TRAIN_EPOCHS=1", "MHE_NOTE=two words, a comma"}, "--partition=cpu")
	i := slices.Index(args, "scripts/sweep-slurm.sh")
	if i < 0 || !slices.Equal(args[:i], []string{"--array=0", "--partition=cpu"}) || args[i+1] != file ||
		!slices.Contains(args, "MHE_TRAIN_EPOCHS=1") || !slices.Contains(args, "MHE_NOTE=two words, a comma") {
		t.Fatalf("sbatch arguments %q", args)
	}
	task := func(extra ...string) (*exec.Cmd, []byte, error) {
		c := exec.Command("env", append([]string{"-i", "PATH=/usr/bin:/bin", "SLURM_ARRAY_TASK_ID=0", "SLURM_SUBMIT_DIR=" + root,
			"SLURM_CPUS_PER_TASK=1", "bash", "scripts/sweep-slurm.sh"}, append(args[i+1:], extra...)...)...)
		c.Dir = root
		out, err := c.CombinedOutput()
		return c, out, err
	}
	if _, out, err := task(); err != nil {
		t.Fatalf("the array task: %v\n%s", err, out)
	}
	l := list(t, file)
	var rec struct{ Epochs int }
	raw, _ := os.ReadFile(l[0].Result)
	if err := json.Unmarshal(raw, &rec); err != nil || rec.Epochs != 1 {
		t.Errorf("the task trained %d epochs (%v), want MHE_TRAIN_EPOCHS=1 from the submitting shell", rec.Epochs, err)
	}
	if c, out, _ := task("--bogus"); c.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), "unexpected task argument --bogus") {
		t.Errorf("a task argument that is no MHE_ variable: exit %d\n%s", c.ProcessState.ExitCode(), out)
	}
}

// TestSlurmSubmitsOnlyUnfinishedRuns: sweep-slurm.sh queues the runs that
// are not done (a SLURM --array list), so resubmitting a sweep after some
// tasks failed queues only those, and submits nothing once all are done;
// MHE_SWEEP_MAX_RUNNING=N caps the tasks running at once (LIST%N).
func TestSlurmSubmitsOnlyUnfinishedRuns(t *testing.T) {
	file, submitEnv := slurmSweep(t, "1, 2, 3, 4, 5")
	submit := func(extra ...string) (string, []string) { return submitEnv(nil, extra...) }
	done := func(i int) {
		dir := list(t, file)[i].Dir
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "result.json"), []byte("{}"), 0o644)
	}
	if _, args := submit(); len(args) == 0 || args[0] != "--array=0-4" {
		t.Errorf("nothing done: sbatch %q, want --array=0-4", args)
	}
	for _, i := range []int{1, 2, 4} {
		done(i)
	}
	if _, args := submit("--partition=cpu"); len(args) < 2 || args[0] != "--array=0,3" || args[1] != "--partition=cpu" {
		t.Errorf("runs 1, 2 and 4 done: sbatch %q, want --array=0,3 --partition=cpu", args)
	}
	// At most N tasks at once: SLURM's LIST%N.
	if _, args := submitEnv([]string{"MHE_SWEEP_MAX_RUNNING=2"}); len(args) == 0 || args[0] != "--array=0,3%2" {
		t.Errorf("MHE_SWEEP_MAX_RUNNING=2: sbatch %q, want --array=0,3%%2", args)
	}
	bad := exec.Command("bash", "scripts/sweep-slurm.sh", file)
	bad.Dir = testutil.RepoRoot(t)
	bad.Env = append(testutil.EnvWithout("MHE_MEMORY_LIMIT"), "MHE_BIN="+testutil.Binary(t), "MHE_SWEEP_MAX_RUNNING=0")
	if out, _ := bad.CombinedOutput(); bad.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), "MHE_SWEEP_MAX_RUNNING=0: want a whole number of tasks above 0") {
		t.Errorf("MHE_SWEEP_MAX_RUNNING=0: exit %d\n%s", bad.ProcessState.ExitCode(), out)
	}
	out, args := submit("--dry-run")
	if args != nil || !strings.Contains(out, "would submit: sbatch --array=0,3 ") || !strings.Contains(out, "task 0: sweep run 0") ||
		!strings.Contains(out, "task 3: sweep run 3") || strings.Contains(out, "task 1:") || strings.Contains(out, "task 4:") {
		t.Errorf("dry run with runs 1, 2 and 4 done: sbatch %q\n%s", args, out)
	}
	done(0)
	done(3)
	if out, args := submit(); args != nil || !strings.Contains(out, "every run of "+file+" is done; nothing to submit") {
		t.Errorf("all done: sbatch %q, want no submission\n%s", args, out)
	}
}

// slurmSweep writes a sweep of one config with the given seeds and a
// stand-in sbatch that keeps its arguments, and returns the sweep file and
// a submit function: it runs scripts/sweep-slurm.sh on the file with the
// extra arguments and the variables env set, and returns its output and
// the arguments sbatch got (nil when it was not called).
func slurmSweep(t *testing.T, seeds string) (string, func(env []string, extra ...string) (string, []string)) {
	t.Helper()
	root := testutil.RepoRoot(t)
	tmp := t.TempDir()
	os.WriteFile(filepath.Join(tmp, "c.yaml"), []byte(cfg), 0o644)
	file := filepath.Join(tmp, "sweep.yaml")
	os.WriteFile(file, []byte("out: "+filepath.Join(tmp, "out")+"\nruns:\n  - configs: ["+filepath.Join(tmp, "c.yaml")+"]\n    seeds: ["+seeds+"]\n"), 0o644)
	bin := filepath.Join(tmp, "bin")
	os.Mkdir(bin, 0o755)
	argsFile := filepath.Join(tmp, "sbatch-args")
	os.WriteFile(filepath.Join(bin, "sbatch"), []byte("#!/bin/sh\nprintf '%s\\0' \"$@\" > "+argsFile+"\n"), 0o755)
	return file, func(env []string, extra ...string) (string, []string) {
		t.Helper()
		os.Remove(argsFile)
		c := exec.Command("bash", append([]string{"scripts/sweep-slurm.sh", file}, extra...)...)
		c.Dir = root
		c.Env = append(append(testutil.EnvWithout("PATH", "MHE_MEMORY_LIMIT"), "PATH="+bin+":"+os.Getenv("PATH"), "MHE_BIN="+testutil.Binary(t)), env...)
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("submit: %v\n%s", err, out)
		}
		raw, err := os.ReadFile(argsFile)
		if err != nil {
			return string(out), nil
		}
		return string(out), strings.Split(strings.TrimSuffix(string(raw), "\x00"), "\x00")
	}
}
