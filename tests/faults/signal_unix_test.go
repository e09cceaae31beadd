//go:build unix

package faults

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mhe-xlc/mhe/internal/testutil"
)

// SIGTERM (a job's time limit, or Ctrl-C's SIGINT) stops a command other
// than train at once with exit 130: the output it was writing is not
// created and no temporary file is left. (These commands used to catch the
// signal and go on to the end.)
func TestSignalStopsAtOnce(t *testing.T) {
	dir := t.TempDir()
	cfg := testutil.WriteFile(t, dir, "c.yaml", `name: signals
data:
  synth: {examples: 2000, test_examples: 100, features: 2000, labels: 500, seed: 3}
encoder: {type: mlp, hidden: [16]}
head: {method: mhc}
train: {epochs: 1, batch_size: 64, lr: 0.01}
`)
	model := filepath.Join(dir, "model")
	if code, _, errOut := testutil.Run(t, dir, nil, "train", "--config", cfg, "--out", model, "--quiet"); code != 0 {
		t.Fatalf("train: %s", errOut)
	}
	big := filepath.Join(dir, "big.txt")
	if code, _, errOut := testutil.Run(t, dir, nil, "data", "synth", "--examples", "300000", "--features", "2000", "--labels", "500", "--seed", "1", "--out", big, "--quiet"); code != 0 {
		t.Fatalf("synth: %s", errOut)
	}
	for _, c := range []struct {
		name    string
		out     string
		args    []string
		profile bool // with --cpuprofile and --memprofile, which are written
	}{
		{"predict", "pred.txt", []string{"predict", "--model", model, "--input", big, "--threads", "1", "--out"}, false},
		{"data synth", "more.txt", []string{"data", "synth", "--examples", "20000000", "--features", "2000", "--labels", "500", "--seed", "2", "--out"}, false},
		{"predict profiled", "pred.txt", []string{"predict", "--model", model, "--input", big, "--threads", "1", "--out"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			outDir := t.TempDir()
			out := filepath.Join(outDir, c.out)
			args := c.args
			profDir := t.TempDir()
			cpu, mem := filepath.Join(profDir, "cpu.out"), filepath.Join(profDir, "mem.out")
			if c.profile {
				args = append([]string{"--cpuprofile", cpu, "--memprofile", mem}, args...)
			}
			cmd := exec.Command(testutil.Binary(t), append(args, out)...)
			var errOut bytes.Buffer
			cmd.Stderr = &errOut
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Signal once the output is being written.
			deadline := time.Now().Add(30 * time.Second)
			for {
				entries, _ := os.ReadDir(outDir)
				if len(entries) > 0 {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatal("no output file was begun within 30 s")
				}
				time.Sleep(5 * time.Millisecond)
			}
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 130 {
				t.Fatalf("exit %v (%s), want 130", err, errOut.String())
			}
			if !strings.Contains(errOut.String(), "interrupted") {
				t.Errorf("stderr %q does not say it was interrupted", errOut.String())
			}
			if entries, _ := os.ReadDir(outDir); len(entries) != 0 {
				t.Errorf("left behind: %v", entries)
			}
			// The profiles of an interrupted command are written (a
			// user stopping a slow command wants them), and named.
			entries, _ := os.ReadDir(profDir)
			if !c.profile {
				if len(entries) != 0 {
					t.Errorf("profiles written unasked: %v", entries)
				}
				return
			}
			for _, p := range []string{cpu, mem} {
				b, err := os.ReadFile(p)
				if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
					t.Errorf("%s: not a gzipped profile (%d bytes, %v)", p, len(b), err)
				}
				if !strings.Contains(errOut.String(), p) {
					t.Errorf("stderr %q does not name %s", errOut.String(), p)
				}
			}
			if len(entries) != 2 {
				t.Errorf("profile directory holds %v, want the two profiles only", entries)
			}
		})
	}
}

// SIGKILL (the OOM killer, a scheduler's hard limit) leaves the temporary
// file of the output being written, as large as what was written; the
// rerun of the job, writing the same output, removes it.
func TestRerunRemovesKilledWritersTemp(t *testing.T) {
	outDir := t.TempDir()
	out := filepath.Join(outDir, "train.txt")
	synth := func(examples string) *exec.Cmd {
		return exec.Command(testutil.Binary(t), "data", "synth", "--examples", examples, "--features", "2000", "--labels", "500", "--seed", "2", "--quiet", "--out", out)
	}
	cmd := synth("20000000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	var temp []os.DirEntry
	for len(temp) == 0 {
		temp, _ = os.ReadDir(outDir)
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no output file was begun within 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // some rows written
	cmd.Process.Kill()
	cmd.Wait()
	left, _ := os.ReadDir(outDir)
	if len(left) != 1 || !strings.HasPrefix(left[0].Name(), ".train.txt.tmp-P") {
		t.Fatalf("after SIGKILL the directory holds %v, want the writer's temporary file", left)
	}
	if msg, err := synth("1000").CombinedOutput(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, msg)
	}
	after, _ := os.ReadDir(outDir)
	if len(after) != 1 || after[0].Name() != "train.txt" {
		t.Errorf("after the rerun the directory holds %v, want train.txt alone", after)
	}
}
