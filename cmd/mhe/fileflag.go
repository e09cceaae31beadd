package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// fileFlagError adds to an error about a file the command-line flags that
// named it: "open nope.txt: no such file or directory" says which file but
// not where it came from, and a command such as mhe eval reads up to seven.
// The message gains a suffix only, so the underlying error (and with it the
// exit code) is unchanged.
type fileFlagError struct {
	err   error
	flags []string
	cwd   string // set when the file does not exist and its path is relative
}

func (e fileFlagError) Error() string {
	var b strings.Builder
	b.WriteString(e.err.Error())
	b.WriteString(" (given by ")
	b.WriteString(strings.Join(e.flags, " and "))
	if e.cwd != "" {
		b.WriteString("; a relative path is read from the current directory, ")
		b.WriteString(e.cwd)
	}
	b.WriteString(")")
	return b.String()
}

func (e fileFlagError) Unwrap() error { return e.err }

// nameFileFlag wraps err in a fileFlagError when err is about a file (an
// *fs.PathError) whose path is the value of one or more of cmd's flags that
// were set on the command line, or one of its arguments. Any other error is
// returned as it is.
func nameFileFlag(cmd *cobra.Command, err error) error {
	var pe *fs.PathError
	if cmd == nil || !errors.As(err, &pe) || pe.Path == "" || pe.Path == "-" {
		return err
	}
	var flags []string
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if flagHolds(f, pe.Path) {
			flags = append(flags, "--"+f.Name)
		}
	})
	args := cmd.Flags().Args()
	for i, a := range args {
		switch {
		case a != pe.Path:
		case len(args) == 1:
			flags = append(flags, "the command's argument")
		default:
			flags = append(flags, fmt.Sprintf("argument %d", i+1))
		}
	}
	if len(flags) == 0 {
		return err
	}
	e := fileFlagError{err: err, flags: flags}
	if errors.Is(pe.Err, fs.ErrNotExist) && !filepath.IsAbs(pe.Path) {
		if wd, werr := os.Getwd(); werr == nil {
			e.cwd = wd
		}
	}
	return e
}

// flagHolds reports whether path is f's value or, for a repeatable flag,
// one of its values.
func flagHolds(f *pflag.Flag, path string) bool {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		for _, v := range sv.GetSlice() {
			if v == path {
				return true
			}
		}
		return false
	}
	return f.Value.String() == path
}
