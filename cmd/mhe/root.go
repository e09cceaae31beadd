package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/mhe-xlc/mhe/internal/atomicfile"
	"github.com/mhe-xlc/mhe/internal/buildinfo"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/record"
)

// streams are the command's standard streams; tests replace them.
type streams struct {
	in     io.Reader
	out    io.Writer
	errOut io.Writer
	errTTY bool     // stderr is a terminal: progress bars allowed
	warned *warnLog // the warnings written to errOut (set by Main)
}

// warnings are the warnings the command has written to stderr so far, for
// its JSON output.
func (s *streams) warnings() []string {
	if s.warned == nil {
		return nil
	}
	s.warned.mu.Lock()
	defer s.warned.mu.Unlock()
	return slices.Clone(s.warned.list)
}

// warnLog passes stderr through and keeps the warnings written to it, each
// a line "warning: …" or "<command>: warning: …", so that a command's JSON
// output can list them for a script that does not read stderr.
type warnLog struct {
	w    io.Writer
	mu   sync.Mutex
	list []string
}

func (l *warnLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	for line := range bytes.Lines(p) {
		if before, text, ok := bytes.Cut(line, []byte("warning: ")); ok && isWarningPrefix(before) {
			l.list = append(l.list, string(bytes.TrimSpace(text)))
		}
	}
	l.mu.Unlock()
	return l.w.Write(p)
}

// isWarningPrefix: what precedes "warning: " on a warning's line, nothing
// or a command's name and a colon ("eval: ", "mhe sweep: ").
func isWarningPrefix(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	name, ok := bytes.CutSuffix(b, []byte(": "))
	return ok && len(name) > 0 && !bytes.ContainsFunc(name, func(r rune) bool { return r != ' ' && (r < 'a' || r > 'z') })
}

// Main runs mhe with args and returns the exit code.
func Main(args []string, s *streams) (code int) {
	defer func() {
		// A bug must still end with a message and a documented code.
		if r := recover(); r != nil {
			fmt.Fprintf(s.errOut, "mhe: internal error: %v\nthis is a bug in mhe; please report it with the command and this trace:\n%s", r, debug.Stack())
			code = ExitFailure
		}
	}()
	if !modelio.LittleEndian() {
		fmt.Fprintf(s.errOut, "mhe: this CPU (%s) is big-endian; mhe's model files and data arrays are little-endian, so it runs on amd64, arm64, ppc64le, riscv64 and other little-endian CPUs only\n", runtime.GOARCH)
		return ExitFailure
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A reader that goes away (mhe predict … | head) turns writes into
	// EPIPE errors instead of killing the process; see below.
	signal.Ignore(syscall.SIGPIPE)
	prof := &profiler{}
	ws := *s
	ws.warned = &warnLog{w: s.errOut}
	ws.errOut = ws.warned
	s = &ws
	root := newRootCmd(s, prof)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if perr := prof.stop(); perr != nil && err == nil {
		err = perr
	}
	if err != nil && isCobraUsage(err) {
		err = usageError{err}
	}
	err = nameFileFlag(cmd, err)
	if closedPipe(err) {
		// The output's reader closed it: it has what it wanted. End
		// quietly and successfully, like the tools in the pipeline
		// expect (a pipefail script must not fail because of head).
		return ExitOK
	}
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, ErrInterrupted) {
			err = errors.Join(ErrInterrupted, err)
		}
		asJSON := false
		if cmd != nil {
			if f := cmd.Flags().Lookup("format"); f != nil {
				// A bad flag stops pflag before a later --format json is
				// read; the script that asked for JSON errors still wants one.
				asJSON = f.Value.String() == "json" || formatJSONInArgs(args)
			}
		}
		printError(s.errOut, err, asJSON)
		return exitCode(err)
	}
	return ExitOK
}

// formatJSONInArgs reports whether the last --format of a command line
// (before a "--" that ends the flags) is json, as pflag would have read it.
func formatJSONInArgs(args []string) bool {
	last := ""
	for i, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--format="); ok {
			last = v
		} else if a == "--format" && i+1 < len(args) {
			last = args[i+1]
		}
	}
	return last == "json"
}

// A command annotated signalsKey: signalsGraceful stops on SIGINT/SIGTERM
// by itself (mhe train checkpoints; mhe sweep run passes the signal on).
// Every other command is stopped at once by stopOnSignal.
const (
	signalsKey      = "signals"
	signalsGraceful = "graceful"
)

// stopOnSignal waits for SIGINT/SIGTERM (ctx, from signal.NotifyContext,
// ends with the signal as its cause) and then exits with ExitInterrupted,
// first removing the temporary files of unfinished writes: the outputs are
// as they were, and nothing is left beside them. The profiles asked for
// are written first: they are what a user profiling a slow command and
// stopping it wants. It returns when ctx ends otherwise (the command
// finished and Main called stop).
func stopOnSignal(ctx context.Context, s *streams, prof *profiler) {
	<-ctx.Done()
	// stop leaves context.Canceled itself as the cause; a signal's cause
	// describes the signal (and matches context.Canceled under errors.Is,
	// hence ==).
	if context.Cause(ctx) == context.Canceled {
		return
	}
	perr := prof.stop()
	atomicfile.RemovePending()
	msg := "mhe: interrupted; the files it was writing are as they were"
	if written := prof.written(); len(written) > 0 {
		msg += "; profile written to " + strings.Join(written, " and ")
	}
	fmt.Fprintln(s.errOut, msg)
	if perr != nil {
		fmt.Fprintf(s.errOut, "mhe: %v\n", perr)
	}
	os.Exit(ExitInterrupted)
}

func newRootCmd(s *streams, prof *profiler) *cobra.Command {
	root := &cobra.Command{
		Use:   "mhe",
		Short: "Multi-Head Encoding for extreme label classification",
		Long: `mhe trains and evaluates Multi-Head Encoding classifiers (MHP, MHC, MHS;
Liang et al., IEEE TPAMI 2025) and the vanilla baseline on sparse extreme
classification data, on CPU.

Configuration precedence: flags > MHE_* environment variables > --config YAML
> defaults (MHE_TRAIN_EPOCHS=5 sets train.epochs; MHE_DATA_DIR sets data.dir).

Memory: Go's garbage collector keeps the heap under the memory limit of the
process's cgroup (SLURM --mem, a container) or the RAM, less a tenth (at
least 64 MiB); GOMEMLIMIT, when set, replaces that (GOMEMLIMIT=off: none).
Several mhe processes sharing one cgroup each take MHE_MEMORY_LIMIT (a
share of it, e.g. 50%, or a size, e.g. 6GiB) as their limit instead.

` + exitCodeHelp,
		Version:       buildinfo.Get().String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.PersistentFlags().StringVar(&prof.cpuPath, "cpuprofile", "", "write a Go CPU profile of the command to this file (go tool pprof)")
	root.PersistentFlags().StringVar(&prof.memPath, "memprofile", "", "write a Go heap profile to this file when the command ends")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := checkFlagRanges(cmd); err != nil {
			return err
		}
		if err := checkMemoryLimitEnv(); err != nil {
			return err
		}
		if cmd.Annotations[signalsKey] != signalsGraceful {
			go stopOnSignal(cmd.Context(), s, prof)
		}
		return prof.start()
	}
	root.SetOut(s.out)
	root.SetErr(s.errOut)
	root.SetIn(s.in)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{unknownFlagError(c, flagValueError(c, err))}
	})
	root.AddCommand(
		newPlanCmd(s, nil),
		newEvalCmd(s, nil),
		newDataCmd(s),
		newTrainCmd(s, nil),
		newPredictCmd(s, nil),
		newEmbedCmd(s, nil),
		newReportCmd(s, nil),
		newSweepCmd(s),
		newVerifyCmd(s, nil),
		newVersionCmd(s),
	)
	registerCompletions(root)
	// Wrong arguments (Args validators) and unknown commands are usage errors.
	for _, c := range allCommands(root) {
		c.Flags().VisitAll(acceptExponent)
		c.PersistentFlags().VisitAll(acceptExponent)
		if c.Args != nil {
			check := c.Args
			c.Args = func(cmd *cobra.Command, args []string) error {
				if err := check(cmd, args); err != nil {
					// Cobra's words ("accepts 1 arg(s), received 0")
					// name neither the command nor what it takes.
					if len(args) == 1 && cmd.Flags().Lookup("config") != nil &&
						(strings.HasSuffix(args[0], ".yaml") || strings.HasSuffix(args[0], ".yml")) {
						return usageError{fmt.Errorf("%s takes no arguments: give the config file as --config %s", cmd.CommandPath(), args[0])}
					}
					if strings.Contains(err.Error(), cmd.CommandPath()) {
						return usageError{fmt.Errorf("%w (usage: %s)", err, cmd.UseLine())}
					}
					name := strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
					return usageError{fmt.Errorf("%s: %w (usage: %s)", name, err, cmd.UseLine())}
				}
				return nil
			}
		}
	}
	return root
}

// isCobraUsage recognises the errors cobra itself returns for a wrong
// command line (it has no error types for them).
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "required flag", "if any flags in the group", "invalid argument", "accepts ", "unknown flag", "unknown shorthand flag", "flag needs an argument"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func allCommands(c *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{c}
	for _, sub := range c.Commands() {
		out = append(out, allCommands(sub)...)
	}
	return out
}

func newVersionCmd(s *streams) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print version, commit and Go version, and the CPU and vector kernels in use",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := buildinfo.Get()
			m := thisMachine()
			switch format {
			case "json":
				return writeJSON(s.out, struct {
					buildinfo.Info
					Machine record.Machine `json:"machine"`
				}{info, m})
			case "text":
				_, err := fmt.Fprintf(s.out, "%s\ncpu: %s, %d cores\n", info, m.Label(), m.Cores)
				return err
			}
			return usageErrorf("--format %q: want text or json", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}
