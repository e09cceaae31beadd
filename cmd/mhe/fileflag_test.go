package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// A file that cannot be opened is named in the error with the flag (or
// argument) that gave it, and the exit code stays the one of its kind.
func TestMissingFileNamesItsFlag(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(t.TempDir(), "gone.txt")
	// The system's words for a missing file ("no such file or directory"
	// on Unix, others on Windows).
	_, err = os.Open(abs)
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		t.Fatalf("opening a missing file: %v", err)
	}
	notExist := pe.Err.Error()
	truth, pred := "testdata/hand_truth.txt", "testdata/hand_pred.txt"
	relHint := "; a relative path is read from the current directory, " + wd + ")"
	for _, tc := range []struct {
		args []string
		code int
		want string // the message's end
	}{
		{[]string{"eval", "--truth", "gone.txt", "--pred", pred}, ExitData, "open gone.txt: " + notExist + " (given by --truth" + relHint},
		{[]string{"eval", "--truth", truth, "--pred", "gone.txt"}, ExitData, "(given by --pred" + relHint},
		{[]string{"eval", "--truth", truth, "--pred", pred, "--inv-prop", "gone.txt"}, ExitData, "(given by --inv-prop" + relHint},
		{[]string{"eval", "--truth", truth, "--pred", pred, "--train", "gone.txt"}, ExitData, "(given by --train" + relHint},
		{[]string{"eval", "--truth", truth, "--pred", pred, "--rows", "gone.txt"}, ExitData, "(given by --rows" + relHint},
		{[]string{"eval", "--truth", truth, "--pred", pred, "--against", "gone.txt"}, ExitData, "(given by --against" + relHint},
		{[]string{"eval", "--truth", "gone.txt", "--pred", "gone.txt"}, ExitData, "(given by --pred and --truth" + relHint},
		{[]string{"eval", "--truth", abs, "--pred", pred}, ExitData, "open " + abs + ": " + notExist + " (given by --truth)"},
		{[]string{"plan", "--data", "gone.txt", "--method", "mhc"}, ExitData, "(given by --data" + relHint},
		{[]string{"eval", "--truth", truth, "--pred", pred, "--names", "gone.txt"}, ExitData, "(given by --names" + relHint},
		{[]string{"data", "stats", "gone.txt"}, ExitData, "(given by the command's argument" + relHint},
		// A colon does not make a path absolute (a file may be named so).
		{[]string{"data", "stats", "c:gone.txt"}, ExitData, "(given by the command's argument" + relHint},
		{[]string{"data", "convert", "gone.txt", filepath.Join(t.TempDir(), "out.txt")}, ExitData, "(given by argument 1" + relHint},
		{[]string{"train", "--config", "gone.yaml"}, ExitUsage, "open gone.yaml: " + notExist + " (given by --config" + relHint},
	} {
		code, _, errOut := runMain(t, "", tc.args...)
		msg := strings.TrimSpace(strings.SplitN(errOut, "\n", 2)[0])
		if code != tc.code || !strings.HasPrefix(msg, "mhe: ") || !strings.HasSuffix(msg, tc.want) {
			t.Errorf("%v: exit %d, %q; want exit %d and a message ending %q", tc.args, code, msg, tc.code, tc.want)
		}
	}
	// A missing file that no flag named (a config's data path) has its own
	// message and no suffix.
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfg, []byte("data: {format: xc, train: gone.txt, holdout_every: 5}\nhead: {method: vanilla}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, errOut := runMain(t, "", "train", "--config", cfg, "--set", "data.dir="+dir, "--out", filepath.Join(dir, "run")); strings.Contains(errOut, "given by") {
		t.Errorf("config data path named as a flag: %q", errOut)
	}
}

func TestNameFileFlag(t *testing.T) {
	newCmd := func(args ...string) *cobra.Command {
		c := &cobra.Command{Use: "x", Run: func(*cobra.Command, []string) {}}
		c.Flags().StringArray("model", nil, "")
		c.Flags().String("out", "-", "")
		c.Flags().String("in", "", "")
		if err := c.ParseFlags(args); err != nil {
			t.Fatal(err)
		}
		return c
	}
	pathErr := func(p string, err error) error { return &fs.PathError{Op: "open", Path: p, Err: err} }
	// An absolute path gets no directory hint; on Windows /b is relative
	// to the current drive, so it counts as relative there.
	b := filepath.Join(t.TempDir(), "b")
	for _, tc := range []struct {
		cmd  *cobra.Command
		err  error
		want string
	}{
		// A repeated flag: any of its values.
		{newCmd("--model", "/a", "--model", b), pathErr(b, fs.ErrNotExist), "open " + b + ": file does not exist (given by --model)"},
		// Wrapped errors keep their context in front.
		{newCmd("--in", "/a"), errors.Join(errors.New("reading"), pathErr("/a", fs.ErrPermission)), "reading\nopen /a: permission denied (given by --in)"},
		// A flag left at its default did not come from the user.
		{newCmd(), pathErr("-", fs.ErrNotExist), "open -: file does not exist"},
		{newCmd("--in", "/a"), pathErr("/c", fs.ErrNotExist), "open /c: file does not exist"},
		{newCmd("--in", "/a"), errors.New("/a is bad"), "/a is bad"},
		{nil, pathErr("/a", fs.ErrNotExist), "open /a: file does not exist"},
	} {
		got := nameFileFlag(tc.cmd, tc.err)
		if got.Error() != tc.want {
			t.Errorf("got %q, want %q", got.Error(), tc.want)
		}
		if !errors.Is(got, tc.err) {
			t.Errorf("%q does not wrap the error", got)
		}
	}
	if nameFileFlag(nil, nil) != nil {
		t.Error("nil error gained a message")
	}
}
