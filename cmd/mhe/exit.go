package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/eval"
	"github.com/mhe-xlc/mhe/internal/heads"
	"github.com/mhe-xlc/mhe/internal/report"
	"github.com/mhe-xlc/mhe/internal/synth"
)

// Exit codes are API: scripts and CI jobs branch on them.
const (
	ExitOK          = 0   // success
	ExitFailure     = 1   // any other failure (I/O, internal)
	ExitUsage       = 2   // bad command line or configuration
	ExitData        = 3   // bad input data (file:line:col in the message)
	ExitModel       = 4   // model directory missing, corrupt or incompatible
	ExitInterrupted = 130 // stopped by SIGINT/SIGTERM
)

const exitCodeHelp = `Exit codes:
  0    success
  1    failure (I/O error, internal error)
  2    usage or configuration error (bad flag, unknown config key, impossible value)
  3    input data error (the message gives file:line:col and the fix)
  4    model directory missing, corrupt or incompatible, or input it cannot read
  130  interrupted (SIGINT/SIGTERM): train checkpoints; other commands
       stop at once, leaving the files they were writing as they were
       (--cpuprofile and --memprofile are written)`

// usageError marks command-line mistakes (exit 2).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// ErrInterrupted is returned when a signal stopped the work.
var ErrInterrupted = errors.New("interrupted")

// ErrModel marks an unusable model directory (exit 4).
var ErrModel = errors.New("model unusable")

// ErrInputMismatch marks input that the model cannot read, such as a file
// declaring more features than the model was trained on (exit 4).
var ErrInputMismatch = errors.New("input does not match the model")

// exitCodeError carries the exit code of a child mhe process (sweep run)
// so that the runner exits as the run did.
type exitCodeError struct {
	code int
	err  error
}

func (e exitCodeError) Error() string { return e.err.Error() }
func (e exitCodeError) Unwrap() error { return e.err }

// exitCode maps an error to its documented exit code, in one place.
func exitCode(err error) int {
	var ue usageError
	var ce exitCodeError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ce):
		return ce.code
	case errors.Is(err, ErrInterrupted), errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.Is(err, ErrModel), errors.Is(err, ErrInputMismatch):
		return ExitModel
	case errors.Is(err, data.ErrInput):
		return ExitData
	case errors.As(err, &ue), errors.Is(err, config.ErrInvalid), errors.Is(err, heads.ErrPlan),
		errors.Is(err, eval.ErrOptions), errors.Is(err, synth.ErrParams):
		return ExitUsage
	}
	return ExitFailure
}

func exitKind(code int) string {
	switch code {
	case ExitUsage:
		return "usage"
	case ExitData:
		return "data"
	case ExitModel:
		return "model"
	case ExitInterrupted:
		return "interrupted"
	}
	return "failure"
}

// printError writes err to w as "mhe: message", or as JSON
// {"error":{"code":3,"kind":"data","message":"…"}} when the command was
// asked for JSON output.
func printError(w io.Writer, err error, asJSON bool) {
	code := exitCode(err)
	msg := err.Error()
	if asJSON {
		o := (&report.Object{}).Set("code", code).Set("kind", exitKind(code)).Set("message", msg)
		report.WriteJSON(w, (&report.Object{}).Set("error", o))
		return
	}
	fmt.Fprintf(w, "mhe: %s\n", msg)
	if code == ExitUsage {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(w, "Run 'mhe help' (or add --help to the command) for usage.")
		}
	}
}
