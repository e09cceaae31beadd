package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/heads"
)

// flagValues are the values shell completion offers for flags that take one
// of a fixed set, by command path (without "mhe") and flag name.
var flagValues = map[string]map[string][]string{
	"plan": {
		"method":      strs(heads.Methods),
		"optimizer":   {"sgd", "adam", "adamw", "plain"},
		"data-format": dataFormats,
		"format":      {"table", "json"},
	},
	"train":        {"format": {"table", "json"}},
	"predict":      {"input-format": dataFormats},
	"embed":        {"input-format": dataFormats, "format": {"npy", "text"}},
	"eval":         {"truth-format": dataFormats, "format": {"table", "json", "csv", "markdown"}, "empty-rows": {"zero", "skip"}, "single-label": {"auto", "true", "false"}},
	"report":       {"format": {"table", "markdown", "latex", "csv", "json"}, "split": {"test", "validation"}},
	"data synth":   {"format": {"xc", "libsvm"}},
	"data stats":   {"format": {"table", "json"}},
	"data convert": {"to": {"xc", "libsvm", "xc-matrix"}},
	"data export":  {"to": {"xc", "libsvm"}, "format": {"table", "json"}},
	"sweep list":   {"format": {"table", "json", "count", "array"}},
	"version":      {"format": {"text", "json"}},
	"verify":       {"format": {"table", "json"}},
}

var dataFormats = strs(data.Formats)

// strs spells a list of named string values as strings.
func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// dirFlags take a directory (a model, or where figures or files go).
var dirFlags = []string{"model", "resume", "plots", "out-dir"}

// registerCompletions teaches `mhe completion` the flag values above, that
// model flags and report's arguments are directories, that --config and
// sweep files are YAML (--config also takes a run record's JSON) and that
// --set takes a config key.
func registerCompletions(root *cobra.Command) {
	keys := config.Keys()
	for _, c := range allCommands(root) {
		path := strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), root.Name()), " ")
		for flag, values := range flagValues[path] {
			vs := values
			_ = c.RegisterFlagCompletionFunc(flag, func(_ *cobra.Command, _ []string, typed string) ([]string, cobra.ShellCompDirective) {
				return withPrefix(vs, typed, ""), cobra.ShellCompDirectiveNoFileComp
			})
		}
		for _, flag := range dirFlags {
			if c.Flags().Lookup(flag) != nil {
				_ = c.MarkFlagDirname(flag)
			}
		}
		switch path {
		case "report", "verify":
			c.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
				return nil, cobra.ShellCompDirectiveFilterDirs
			}
		case "sweep list", "sweep run":
			c.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
				return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
			}
		}
		if c.Flags().Lookup("config") != nil {
			_ = c.MarkFlagFilename("config", "yaml", "yml", "json")
		}
		if c.Flags().Lookup("set") != nil {
			_ = c.RegisterFlagCompletionFunc("set", func(_ *cobra.Command, _ []string, typed string) ([]string, cobra.ShellCompDirective) {
				if strings.Contains(typed, "=") {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return withPrefix(keys, typed, "="), cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
			})
		}
	}
}

// withPrefix returns the values that start with typed, each followed by
// suffix.
func withPrefix(values []string, typed, suffix string) []string {
	var out []string
	for _, v := range values {
		if strings.HasPrefix(v, typed) {
			out = append(out, v+suffix)
		}
	}
	return out
}
