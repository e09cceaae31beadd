package data

import (
	"errors"
	"fmt"
)

// Error categories. Every error this package returns for bad input wraps
// ErrInput, and a *ParseError additionally wraps one of the finer sentinels, so
// callers can map errors to exit codes with errors.Is.
var (
	// ErrInput marks any problem with an input file (missing, unreadable,
	// damaged). The CLI maps it to exit code 3.
	ErrInput = errors.New("data: bad input")

	ErrSyntax     = errors.New("malformed")                 // a token that cannot be parsed
	ErrRange      = errors.New("id out of range")           // id >= declared dimension, or below the index base
	ErrValue      = errors.New("bad value")                 // NaN, Inf, overflow
	ErrDuplicate  = errors.New("duplicate id")              // the same id twice in one row
	ErrRowCount   = errors.New("row count mismatch")        // header and body disagree
	ErrHeader     = errors.New("bad header")                // missing or malformed header line
	ErrTruncated  = errors.New("damaged compressed stream") // gzip stream ends early or is corrupt
	ErrLineLength = errors.New("line too long")             // a line beyond ReadOptions.MaxLineBytes
	ErrSplit      = errors.New("bad split file")            // split-file specific problems
	ErrMismatch   = errors.New("inconsistent dataset")      // files of one dataset that disagree
)

// ParseError reports damaged input with its position. Line and Column are
// 1-based; Column is a byte offset in the line, and 0 when the problem is not
// at one place in a line (row counts, truncated streams), printed as 1. Its
// message has the form "file:line:col: what is wrong", the form editors and
// CI logs link.
type ParseError struct {
	File   string
	Line   int
	Column int
	Err    error
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, max(e.Column, 1), e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

// Unwrap returns the underlying error, which wraps one of the sentinels above.
func (e *ParseError) Unwrap() error { return e.Err }

// Is reports that every ParseError is an input error.
func (e *ParseError) Is(target error) bool { return target == ErrInput }

func parseErr(file string, line, col int, kind error, format string, args ...any) *ParseError {
	return &ParseError{File: file, Line: line, Column: col, Err: fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)}
}

// InputError marks err (for example from os.Open) as an input error without
// changing its message.
func InputError(err error) error {
	if err == nil || errors.Is(err, ErrInput) {
		return err
	}
	return inputError{err}
}

func inputErr(err error) error { return InputError(err) }

type inputError struct{ err error }

func (e inputError) Error() string        { return e.err.Error() }
func (e inputError) Unwrap() error        { return e.err }
func (e inputError) Is(target error) bool { return target == ErrInput }
