package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
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
// prediction, when the file a flag names could not be written at the end:
// it is a directory, or a file cannot be created beside it (a missing
// directory, no permission). It is a usage error, as for --cpuprofile.
func checkOutputFile(flag, path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usageErrorf("--%s %s is a directory; give a file name, such as %s", flag, path, filepath.Join(path, "result.json"))
	}
	if atomicfile.Special(path) {
		// A device or a pipe (/dev/null, a named pipe): it exists and is
		// written in place; opening a pipe now would wait for its reader.
		return nil
	}
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		hint := ""
		if errors.Is(err, fs.ErrNotExist) {
			hint = fmt.Sprintf("; create the directory first (mkdir -p %s)", filepath.Dir(path))
		}
		return usageError{fmt.Errorf("--%s: %w%s", flag, err, hint)}
	}
	f.Abort()
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
