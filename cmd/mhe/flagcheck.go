package main

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mhe-xlc/mhe/internal/atomicfile"
	"github.com/mhe-xlc/mhe/internal/config"
)

// intFlagRule is the range of an integer flag that several commands share.
type intFlagRule struct {
	min, max int // max < min: no upper bound
	hint     string
}

// intFlagRules holds, by flag name, the ranges that every command taking
// that flag applies, so that no command quietly maps a negative thread
// count or an index base of 2 to something else.
var intFlagRules = map[string]intFlagRule{
	"threads":          {0, config.MaxThreads, "0 = all CPUs this process may use"},
	"label-base":       {0, 1, "index bases are 0 or 1"},
	"feature-base":     {0, 1, "index bases are 0 or 1"},
	"out-label-base":   {0, 1, "index bases are 0 or 1"},
	"out-feature-base": {0, 1, "index bases are 0 or 1"},
	"column":           {1, 0, "split columns are numbered from 1; papers report split 1"},
	"per-label-k":      {0, -1, "0 = all of a row's predictions"},
	"num-features":     {0, -1, "0 = infer"},
	"num-labels":       {0, -1, "0 = infer"},
	"test-examples":    {0, -1, "the number of held-out rows"},
	"dim":              {0, -1, "0 = the default or the config's"},
	"beam":             {0, -1, "0 = the default"},
	"groups":           {0, -1, "0 = plan the lengths"},
	"samples":          {0, -1, "0 = the default"},
	"index":            {0, -1, "runs are numbered from 0"},
	"resamples":        {1, 1000000, "the bootstrap resamples and random swaps of eval --against; each keeps a difference per metric"},
}

// nonNegativeDurations are the duration flags that must be >= 0, with what
// 0 means.
var nonNegativeDurations = map[string]string{
	"checkpoint-interval": "0 = a checkpoint after every epoch",
}

// checkFlagRanges returns a usage error for the first integer flag set on
// the command line outside its range in intFlagRules, or duration flag
// below 0 in nonNegativeDurations.
func checkFlagRanges(cmd *cobra.Command) error {
	var err error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if err != nil {
			return
		}
		if hint, ok := nonNegativeDurations[f.Name]; ok && f.Value.Type() == "duration" {
			if d, perr := time.ParseDuration(f.Value.String()); perr == nil && d < 0 {
				err = usageErrorf("--%s %v must be >= 0 (%s)", f.Name, d, hint)
			}
			return
		}
		rule, ok := intFlagRules[f.Name]
		if !ok || f.Value.Type() != "int" {
			return
		}
		v, perr := strconv.Atoi(f.Value.String())
		if perr != nil {
			return // pflag has already refused it
		}
		switch {
		case rule.max < rule.min && v < rule.min:
			err = usageErrorf("--%s %d must be >= %d (%s)", f.Name, v, rule.min, rule.hint)
		case rule.max >= rule.min && (v < rule.min || v > rule.max):
			err = usageErrorf("--%s %d must be in [%d, %d] (%s)", f.Name, v, rule.min, rule.max, rule.hint)
		}
	})
	return err
}

// checkOutputFile fails at once, not after hours of training or
// prediction, when the file a flag (named as "--result") names could not
// be written at the end:
// it is a directory, or a file cannot be created beside it (a missing
// directory, no permission). A wrong path (a missing directory, a file
// where a directory should be) is a usage error, as for --cpuprofile; a
// file system that refuses the write (read-only, full, no permission) is a
// failure (exit 1), as it would have been at the end.
func checkOutputFile(flag, path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usageErrorf("%s %s is a directory; give a file name, such as %s", flag, path, filepath.Join(path, "result.json"))
	}
	if atomicfile.Special(path) {
		// A device or a pipe (/dev/null, a named pipe): it exists and is
		// written in place; opening a pipe now would wait for its reader.
		return nil
	}
	f, err := atomicfile.Create(path, 0o644)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usageError{fmt.Errorf("%s: %w; create the directory first (mkdir -p %s)", flag, err, filepath.Dir(path))}
	case errors.Is(err, syscall.ENOTDIR):
		return usageError{fmt.Errorf("%s: %w", flag, err)}
	case err != nil:
		// The path is right but cannot be written now (a read-only or
		// full file system, no permission): a failure, exit 1, as it
		// would be at the end.
		return fmt.Errorf("%s: %w", flag, err)
	}
	f.Abort()
	return nil
}

// fileRef is a file a command reads or writes, with how the user named it
// ("--truth", "the model's data.test").
type fileRef struct{ name, path string }

// checkOutputs checks a command's output files before any work: none may
// be one of its inputs or another output (checkOutputsDistinct), and each
// must be writable (checkOutputFile).
func checkOutputs(outputs, inputs []fileRef) error {
	if err := checkOutputsDistinct(outputs, inputs); err != nil {
		return err
	}
	for _, out := range outputs {
		if err := checkOutputFile(out.name, out.path); err != nil {
			return err
		}
	}
	return nil
}

// checkOutputsDistinct refuses an output that is one of the command's
// inputs, or another of its outputs: the atomic write would replace the
// input with the output when the command ends (mhe eval --result
// truth.txt replaced the truth file with a JSON record, and mhe predict
// --input x.txt --out x.txt the data with predictions), or one output with
// the other. Files are compared as the file system sees them (os.SameFile:
// another spelling of the path, a hard or symbolic link); an output not
// created yet is compared with the other outputs by its absolute path.
// Standard streams ("-") and devices or pipes (/dev/null) are skipped. It
// is a usage error (exit 2): nothing has been read or written.
func checkOutputsDistinct(outputs, inputs []fileRef) error {
	skip := func(p string) bool { return p == "" || p == "-" || atomicfile.Special(p) }
	same := func(a, b string) bool {
		sa, errA := os.Stat(a)
		sb, errB := os.Stat(b)
		if errA == nil && errB == nil {
			return os.SameFile(sa, sb)
		}
		absA, errA := filepath.Abs(a)
		absB, errB := filepath.Abs(b)
		return errA == nil && errB == nil && absA == absB
	}
	for i, out := range outputs {
		if skip(out.path) {
			continue
		}
		for _, in := range inputs {
			if !skip(in.path) && same(out.path, in.path) {
				return usageErrorf("%s %s is the %s file: writing it would replace that file when the command ends; give another path", out.name, out.path, in.name)
			}
		}
		for _, other := range outputs[:i] {
			if !skip(other.path) && same(out.path, other.path) {
				return usageErrorf("%s %s and %s %s are the same file: one would replace the other; give each its own path", other.name, other.path, out.name, out.path)
			}
		}
	}
	return nil
}

// onceString is a string flag that refuses to be given twice, where the
// last one winning would silently drop the first (embed --model a --model
// b). why says what to do instead.
type onceString struct {
	p   *string
	set bool
	why string
}

func newOnceString(p *string, why string) *onceString { return &onceString{p: p, why: why} }

func (o *onceString) String() string { return *o.p }
func (o *onceString) Type() string   { return "string" }
func (o *onceString) Set(v string) error {
	if o.set {
		return fmt.Errorf("given more than once (%q, then %q): %s", *o.p, v, o.why)
	}
	*o.p, o.set = v, true
	return nil
}

// flagValueRE matches pflag's error for a value its flag cannot parse:
// `invalid argument "abc" for "--epochs" flag: strconv.ParseInt: parsing
// "abc": invalid syntax`.
var flagValueRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^invalid argument "(.*)" for "(?:-\w, )?--([\w-]+)" flag: `)
})

// flagValueError words pflag's "invalid argument" errors without Go's
// parser names: `--epochs "abc": want a whole number`. Other errors (an
// unknown flag, a missing value) pass unchanged.
func flagValueError(c *cobra.Command, err error) error {
	m := flagValueRE().FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	f := c.Flags().Lookup(m[2])
	if f == nil {
		return err
	}
	want := map[string]string{
		"int": "a whole number", "int64": "a whole number", "intSlice": "whole numbers separated by commas, such as 1,3,5",
		"uint": "a whole number >= 0", "uint64": "a whole number >= 0",
		"float64": "a number, such as 0.5", "bool": "true or false",
		"duration": "a duration, such as 90s, 10m or 1h30m",
	}[f.Value.Type()]
	if want == "" {
		return err
	}
	if strings.Contains(err.Error(), "-bit build (") { // fitsInt's
		want = fmt.Sprintf("%s from %d to %d (this is a %d-bit build)", want, math.MinInt, math.MaxInt, strconv.IntSize)
		if strings.HasPrefix(f.Value.Type(), "uint") {
			want = fmt.Sprintf("a whole number from 0 to %d (this is a %d-bit build)", uint64(math.MaxUint), strconv.IntSize)
		}
	}
	return fmt.Errorf("--%s %q: want %s", m[2], m[1], want)
}

// unknownFlagError adds to pflag's "unknown flag: --confg" the flag the
// user most likely meant ("did you mean --config?"), or, for a name that is
// one of the command's arguments ("mhe data convert --out x"), how to give
// it. Other errors pass unchanged.
func unknownFlagError(c *cobra.Command, err error) error {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if !ok || name == "" {
		return err
	}
	up := strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	use := strings.Fields(c.Use)
	for i := 1; i < len(use); i++ {
		if strings.HasPrefix(use[i-1], "-") { // a flag's value ("--index I")
			continue
		}
		if strings.TrimSuffix(use[i], "...") == up {
			return fmt.Errorf("%s: %s takes %s as an argument, not a flag: %s", msg, c.CommandPath(), up, c.UseLine())
		}
	}
	if s := nearestFlag(c.Flags(), name); s != "" {
		return fmt.Errorf("%s (did you mean --%s?)", msg, s)
	}
	return err
}

// nearestFlag is the visible flag of fs closest to name, within an edit
// distance of 2 (1 for names of up to 4 letters), "_" read as "-" and
// case ignored; "" if none is. Of two as close, the first in name order.
func nearestFlag(fs *pflag.FlagSet, name string) string {
	key := strings.ToLower(strings.ReplaceAll(name, "_", "-"))
	limit := 2
	if len(key) <= 4 {
		limit = 1
	}
	best, bestD := "", limit+1
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Deprecated != "" {
			return
		}
		if d := config.EditDistance(key, f.Name); d < bestD {
			best, bestD = f.Name, d
		}
	})
	return best
}

// acceptExponent lets an integer flag take a whole number written with an
// exponent (--examples 1e6, --labels 6.7e5), as counts are written in
// papers and scripts; pflag's integers refuse it.
func acceptExponent(f *pflag.Flag) {
	switch f.Value.Type() {
	case "int", "int64", "int32", "uint", "uint64", "uint32":
		if _, done := f.Value.(wholeNumber); !done {
			f.Value = wholeNumber{f.Value}
		}
	}
}

// wholeNumber is an integer flag's value that also takes exponent notation,
// and refuses a value its type cannot hold on this build.
type wholeNumber struct{ pflag.Value }

func (w wholeNumber) Set(s string) error {
	s = exponentToInteger(s)
	if err := fitsInt(w.Value.Type(), s); err != nil {
		return err
	}
	return w.Value.Set(s)
}

// fitsInt refuses an int or uint flag value beyond the build's int: pflag
// reads those flags in 64 bits and converts, so on a 32-bit build
// --labels 9223372036854775807 became -1 ("need at least one label").
// Values that do not parse are left to the flag's own error.
func fitsInt(typ, s string) error {
	switch typ {
	case "int":
		if v, err := strconv.ParseInt(s, 0, 64); err == nil && int64(int(v)) != v {
			return fmt.Errorf("%s is out of range on this %d-bit build (%d to %d)", s, strconv.IntSize, math.MinInt, math.MaxInt)
		}
	case "uint":
		if v, err := strconv.ParseUint(s, 0, 64); err == nil && uint64(uint(v)) != v {
			return fmt.Errorf("%s is out of range on this %d-bit build (at most %d)", s, strconv.IntSize, uint64(math.MaxUint))
		}
	}
	return nil
}

// exponentToInteger writes a whole number in exponent notation ("1e6",
// "2.5E3") out in digits ("1000000", "2500"); every other string, an
// integer pflag reads itself or one that is not whole ("1e-3", "1.5"),
// is returned as it is, for the flag to read or refuse.
func exponentToInteger(s string) string {
	if _, err := strconv.ParseInt(s, 0, 64); err == nil || !strings.ContainsAny(s, "eE") || strings.ContainsAny(s, "xX") {
		return s
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != math.Trunc(v) || math.Abs(v) > 1<<53 {
		return s
	}
	return strconv.FormatInt(int64(v), 10)
}
