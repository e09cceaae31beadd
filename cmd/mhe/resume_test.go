package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/term"
)

// TestMain lets the test binary act as the mhe binary: tests re-execute it
// with MHE_TEST_AS_MAIN=1 to run real processes (killed, interrupted).
func TestMain(m *testing.M) {
	if os.Getenv("MHE_TEST_AS_MAIN") == "1" {
		os.Exit(Main(os.Args[1:], &streams{in: os.Stdin, out: os.Stdout, errOut: os.Stderr, errTTY: term.IsTerminal(int(os.Stderr.Fd()))}))
	}
	os.Exit(m.Run())
}

// mheCmd returns a command running this test binary as mhe.
func mheCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "MHE_TEST_AS_MAIN=1")
	return cmd
}

// slowConfig trains a synthetic model for several epochs of about a second.
const slowConfig = `name: resume-test
data:
  synth: {examples: 30000, test_examples: 500, features: 2000, labels: 300, seed: 5}
  normalize: l2
encoder: {type: mlp, hidden: [128], dropout: 0.2}
head: {method: mhp, heads: 2}
train: {epochs: 4, batch_size: 64, lr: 0.003, schedule: cosine, seed: 3}
`

func weightsOf(t *testing.T, dir string) []byte {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(dir, "weights-*.bin"))
	if len(matches) != 1 {
		t.Fatalf("%s: want one weights file, found %v", dir, matches)
	}
	b, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func waitForCheckpoint(t *testing.T, dir string, deadline time.Duration) {
	t.Helper()
	end := time.Now().Add(deadline)
	for time.Now().Before(end) {
		if _, err := os.Stat(filepath.Join(dir, "training", "checkpoint.json")); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no checkpoint in %s after %v", dir, deadline)
}

// A run killed with SIGKILL in the middle of an epoch and resumed ends with
// the same model bytes as an uninterrupted run; so does one stopped with
// SIGINT or SIGTERM (exit 130, checkpoint at the next batch).
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains three models per head")
	}
	for _, head := range []string{"{method: mhp, heads: 2}", "{method: mhc, heads: 2, beam: 4, bottleneck_dim: 16}"} {
		t.Run(strings.Trim(strings.Fields(head)[1], ",}"), func(t *testing.T) { killAndResume(t, head) })
	}
}

func killAndResume(t *testing.T, head string) {
	tmp := t.TempDir()
	cfg := filepath.Join(tmp, "cfg.yaml")
	os.WriteFile(cfg, []byte(strings.Replace(slowConfig, "{method: mhp, heads: 2}", head, 1)), 0o644)

	ref := filepath.Join(tmp, "ref")
	start := time.Now()
	if out, err := mheCmd("train", "--config", cfg, "--out", ref, "--quiet").CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, out)
	}
	epoch := time.Since(start) / 4
	want := weightsOf(t, ref)

	// The last case resumes the way a requeued batch job does: the same
	// command line, with --continue.
	for i, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL} {
		requeue := i == 3
		name := sig.String()
		if requeue {
			name += " --continue"
		}
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(tmp, strings.ReplaceAll(name, " ", "-"))
			cmd := mheCmd("train", "--config", cfg, "--out", dir, "--quiet", "--checkpoint-interval", "0")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitForCheckpoint(t, dir, 60*time.Second)
			time.Sleep(epoch / 2) // into the middle of the next epoch
			if err := cmd.Process.Signal(sig); err != nil {
				cmd.Process.Kill()
				cmd.Wait()
				t.Skipf("cannot send %v here: %v", sig, err) // Windows: no SIGINT or SIGTERM for another process
			}
			err := cmd.Wait()
			code := cmd.ProcessState.ExitCode()
			if sig != syscall.SIGKILL {
				if code != ExitInterrupted {
					t.Fatalf("%v: exit %d (%v), want %d; stderr: %s", sig, code, err, ExitInterrupted, stderr.String())
				}
				if !strings.Contains(stderr.String(), "mhe train --resume") {
					t.Errorf("%v: the message should say how to resume: %s", sig, stderr.String())
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err == nil {
				t.Skip("the run finished before the signal; machine too fast for this test's timing")
			}
			args := []string{"train", "--resume", dir, "--quiet", "--checkpoint-interval", "0"}
			if requeue {
				args = []string{"train", "--config", cfg, "--out", dir, "--continue", "--checkpoint-interval", "0"}
			}
			out, err := mheCmd(args...).CombinedOutput()
			if err != nil {
				t.Fatalf("resume: %v\n%s", err, out)
			}
			if requeue && !strings.Contains(string(out), "holds an unfinished run of this config; resuming it") {
				t.Errorf("--continue should say that it resumes: %s", out)
			}
			if got := weightsOf(t, dir); !bytes.Equal(got, want) {
				t.Errorf("resumed model differs from the uninterrupted one")
			}
			if _, err := os.Stat(filepath.Join(dir, "training")); !os.IsNotExist(err) {
				t.Errorf("the run area should be gone after the run finished")
			}
		})
	}
	// Killed before its first checkpoint: --resume starts again from the
	// staged config and still ends with the same bytes.
	t.Run("SIGKILL-before-checkpoint", func(t *testing.T) {
		dir := filepath.Join(tmp, "early")
		cmd := mheCmd("train", "--config", cfg, "--out", dir, "--quiet")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		staged := filepath.Join(dir, "training", "config.yaml")
		for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
			if _, err := os.Stat(staged); err == nil {
				break
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
		if _, err := os.Stat(filepath.Join(dir, "training", "checkpoint.json")); err == nil {
			t.Skip("a checkpoint was written before the kill; machine too fast for this test's timing")
		}
		if out, err := mheCmd("train", "--resume", dir, "--quiet").CombinedOutput(); err != nil {
			t.Fatalf("resume: %v\n%s", err, out)
		}
		if got := weightsOf(t, dir); !bytes.Equal(got, want) {
			t.Errorf("resumed model differs from the uninterrupted one")
		}
	})
}

// The same config trained with 1 and 2 threads gives byte-identical weights
// and predictions.
func TestThreadsDoNotChangeResults(t *testing.T) {
	for _, head := range []string{"{method: mhp, heads: 2}", "{method: mhc, heads: 2, beam: 4, bottleneck_dim: 16}", "{method: vanilla}", "{method: mhs, heads: 20, samples: 2}"} {
		t.Run(strings.Trim(strings.Fields(head)[1], ",}"), func(t *testing.T) { threadsDoNotChangeResults(t, head, "", "") })
	}
	// Input dropout draws its masks per (row, feature): same bytes too.
	t.Run("mhc-input-dropout", func(t *testing.T) {
		threadsDoNotChangeResults(t, "{method: mhc, heads: 2, beam: 4, bottleneck_dim: 16}", "input_dropout: 0.3, ", "")
	})
	// Row-wise state sums each row's squares in one goroutine: same bytes.
	t.Run("mhc-rowwise-tables", func(t *testing.T) {
		threadsDoNotChangeResults(t, "{method: mhc, heads: 2, beam: 4, bottleneck_dim: 16}", "", ", rowwise_tables: true")
	})
}

func threadsDoNotChangeResults(t *testing.T, head, encoder, train string) {
	tmp := t.TempDir()
	cfg := filepath.Join(tmp, "cfg.yaml")
	body := strings.Replace(strings.Replace(slowConfig, "examples: 30000", "examples: 3000", 1), "epochs: 4", "epochs: 2", 1)
	body = strings.Replace(body, "dropout: 0.2}", encoder+"dropout: 0.2}", 1)
	body = strings.Replace(body, "seed: 3}", "seed: 3"+train+"}", 1)
	os.WriteFile(cfg, []byte(strings.Replace(body, "{method: mhp, heads: 2}", head, 1)), 0o644)
	var preds [][]byte
	var weights [][]byte
	for _, threads := range []string{"1", "2"} {
		dir := filepath.Join(tmp, "t"+threads)
		if code, _, errOut := runMain(t, "", "train", "--config", cfg, "--out", dir, "--quiet", "--threads", threads); code != 0 {
			t.Fatal(errOut)
		}
		code, out, errOut := runMain(t, "", "predict", "--model", dir, "--threads", threads, "--topk", "5")
		if code != 0 {
			t.Fatal(errOut)
		}
		preds = append(preds, []byte(out))
		weights = append(weights, weightsOf(t, dir))
	}
	if !bytes.Equal(weights[0], weights[1]) {
		t.Error("weights differ between --threads 1 and --threads 2")
	}
	if !bytes.Equal(preds[0], preds[1]) {
		t.Error("predictions differ between --threads 1 and --threads 2")
	}
	if len(preds[0]) == 0 || bytes.Count(preds[0], []byte("\n")) != 500 {
		t.Errorf("want 500 prediction lines, got %d", bytes.Count(preds[0], []byte("\n")))
	}
}

// Output to a pipe whose reader has gone (mhe predict … | head) ends the
// process quietly with exit 0: no error message, no SIGPIPE death.
func TestClosedPipe(t *testing.T) {
	dir, _ := trainTiny(t)
	for _, args := range [][]string{
		{"predict", "--model", dir, "--out", "-", "--quiet"},
		{"embed", "--model", dir, "--out", "-", "--quiet"},
		{"data", "synth", "--examples", "200000", "--features", "100", "--labels", "10", "--out", "-", "--quiet"},
	} {
		t.Run(args[0], func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			cmd := mheCmd(args...)
			cmd.Stdout = w
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err = cmd.Run()
			w.Close()
			if err != nil || stderr.Len() > 0 {
				t.Errorf("mhe %v to a closed pipe: %v, stderr %q; want exit 0 and silence", args, err, stderr.String())
			}
		})
	}
}

// TestTrainErrorDiskFull: a training run that stops because the disk or
// quota is full keeps its run area and says how to continue it; the same
// error for a directory that holds no unfinished run gets no such advice.
func TestTrainErrorDiskFull(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "m")
	full := &os.PathError{Op: "write", Path: filepath.Join(dir, "weights-pending.bin"), Err: syscall.ENOSPC}
	if err := trainError(full, dir); strings.Contains(err.Error(), "--resume") {
		t.Errorf("no run in the directory, yet: %v", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "training"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "training", "config.yaml"), []byte("name: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, e := range []error{full, fmt.Errorf("checkpoint: %w", &os.PathError{Op: "write", Path: "x", Err: syscall.EDQUOT})} {
		err := trainError(e, dir)
		if !strings.Contains(err.Error(), "continue it with: mhe train --resume "+dir) {
			t.Errorf("%v: no advice: %v", e, err)
		}
		if !errors.Is(err, e) || exitCode(err) != ExitFailure {
			t.Errorf("%v: wrapped as %v, exit %d", e, err, exitCode(err))
		}
	}
	other := errors.New("training diverged")
	if err := trainError(other, dir); err != other {
		t.Errorf("other error changed: %v", err)
	}
}
