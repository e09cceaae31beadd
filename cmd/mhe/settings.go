package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/yamlfile"
)

// configInput is where a run configuration comes from.
type configInput struct {
	File string   // --config (YAML), may be empty
	Sets []string // --set key=value, highest precedence
	// Flags binds command-line flags to config keys ("threads" ->
	// "train.threads"); a flag counts only when given.
	Flags    *pflag.FlagSet
	FlagKeys map[string]string
}

// loadConfig resolves a run configuration with the precedence
// --set > flags > MHE_* environment > config file > defaults, rejects
// unknown keys and decodes into the typed config.Config.
//
// Every key gets a default first: viper's Unmarshal only sees environment
// values for keys it knows (spf13/viper#761).
func loadConfig(in configInput) (config.Config, error) {
	var cfg config.Config
	v := viper.New()
	for k, val := range config.Flatten(config.Default()) {
		v.SetDefault(k, val)
	}
	known := config.Keys()
	if in.File != "" {
		if err := readConfigFile(v, in.File, known); err != nil {
			return cfg, err
		}
	}
	if err := checkEnvKeys(os.Environ(), known); err != nil {
		return cfg, err
	}
	v.SetEnvPrefix("MHE")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if in.Flags != nil {
		for name, key := range in.FlagKeys {
			if f := in.Flags.Lookup(name); f != nil {
				if err := v.BindPFlag(key, f); err != nil {
					return cfg, err
				}
			}
		}
	}
	for _, s := range in.Sets {
		key, raw, ok := strings.Cut(s, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		if !ok || key == "" {
			return cfg, fmt.Errorf("%w: --set %q: want key=value, e.g. --set train.epochs=5", config.ErrInvalid, s)
		}
		if !slices.Contains(known, key) {
			return cfg, fmt.Errorf("%w: --set %s: %s", config.ErrInvalid, key, unknownKeyHint(key))
		}
		var val any
		if err := yaml.Unmarshal([]byte(raw), &val); err != nil || val == nil {
			val = raw
		}
		v.Set(key, val)
	}
	dec := func(dc *mapstructure.DecoderConfig) {
		dc.DecodeHook = mapstructure.ComposeDecodeHookFunc(commaListHook, numberHook)
		dc.WeaklyTypedInput = true
		dc.ErrorUnused = true
	}
	if err := v.Unmarshal(&cfg, dec); err != nil {
		return cfg, fmt.Errorf("%w:\n  %s", config.ErrInvalid, decodeErrors(err, v, in))
	}
	cfg.Head.Plan = resolvePlanPath(cfg.Head.Plan, in.File)
	return cfg, nil
}

// checkEnvKeys refuses an environment variable that is spelled like a
// config key (MHE_<SECTION>_…, e.g. MHE_TRAIN_EPOCH) but names none: it
// would otherwise be ignored without a word, like an unknown key in a
// config file. Other MHE_ variables (MHE_DATA_DIR is data.dir;
// MHE_REQUIRE_DATA, MHE_BIN and the like belong to scripts and tests) pass.
func checkEnvKeys(environ []string, known []string) error {
	names := map[string]string{}
	sections := map[string]bool{}
	for _, k := range known {
		names[envName(k)] = k
		if sec, _, ok := strings.Cut(k, "."); ok {
			sections["MHE_"+strings.ToUpper(sec)+"_"] = true
		}
	}
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if _, ok := names[name]; ok || !strings.HasPrefix(name, "MHE_") {
			continue
		}
		for sec := range sections {
			if !strings.HasPrefix(name, sec) {
				continue
			}
			hint := "every key is listed in configs/README.md"
			if k := config.Suggest(strings.ToLower(strings.Replace(strings.TrimPrefix(name, "MHE_"), "_", ".", 1))); k != "" {
				hint = fmt.Sprintf("did you mean %s (%s)?", envName(k), k)
			}
			return fmt.Errorf("%w: environment variable %s names no config key; %s", config.ErrInvalid, name, hint)
		}
	}
	return nil
}

// resolvePlanPath finds a relative head.plan: in the current directory,
// else beside the config file (where a plan named in a config usually
// lives). Data paths are different: they are relative to data.dir.
func resolvePlanPath(plan, configFile string) string {
	plan = config.ExpandHome(plan)
	if plan == "" || config.IsRooted(plan) || configFile == "" {
		return plan
	}
	if _, err := os.Stat(plan); err == nil {
		return plan
	}
	beside := filepath.Join(filepath.Dir(configFile), plan)
	if _, err := os.Stat(beside); err == nil {
		return beside
	}
	return plan
}

// commaListHook decodes "1,3,5" or "[1, 3, 5]" (environment variables,
// --set values) into a list; the elements are then converted weakly.
func commaListHook(from, to reflect.Type, v any) (any, error) {
	if from.Kind() != reflect.String || to.Kind() != reflect.Slice {
		return v, nil
	}
	s := strings.TrimSpace(v.(string))
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	if strings.TrimSpace(s) == "" {
		return []string{}, nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts, nil
}

// numberHook keeps mapstructure's weak typing (which lets "3" from an
// environment variable fill an integer) from changing a number silently:
// a fraction into an integer key (2.5 epochs became 2), true or false into
// a number (true became 1), and a negative number into an unsigned key (a
// seed of -1 became 2^64-1) are errors, as they are for the flags. A whole
// number in exponent notation fills an integer key from a string too.
func numberHook(from, to reflect.Type, v any) (any, error) {
	integer, unsigned := false, false
	switch to.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		integer = true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		integer, unsigned = true, true
	case reflect.Float32, reflect.Float64:
	default:
		return v, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Bool:
		return nil, fmt.Errorf("%v is not a number", v)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if unsigned && rv.Int() < 0 {
			return nil, fmt.Errorf("%v is negative; give a whole number >= 0", v)
		}
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if integer && f != math.Trunc(f) {
			return nil, fmt.Errorf("%v is not a whole number", v)
		}
		if unsigned && f < 0 {
			return nil, fmt.Errorf("%v is negative; give a whole number >= 0", v)
		}
	case reflect.String:
		if unsigned && strings.HasPrefix(strings.TrimSpace(rv.String()), "-") {
			return nil, fmt.Errorf("%v is negative; give a whole number >= 0", v)
		}
		if integer {
			// MHE_DATA_SYNTH_EXAMPLES=1e6, as YAML's 1e6 and the flags.
			return exponentToInteger(strings.TrimSpace(rv.String())), nil
		}
	}
	return v, nil
}

// readConfigFile loads a YAML file into v and rejects keys the schema does
// not have, naming the closest known key.
func readConfigFile(v *viper.Viper, path string, known []string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%w: --config %s is a directory; give a YAML file (such as configs/bibtex-mhc.yaml) or a run's result.json", config.ErrInvalid, path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w: config file: %w", config.ErrInvalid, err)
	}
	var tree map[string]any
	if err := yaml.Unmarshal(raw, &tree); err != nil {
		return fmt.Errorf("%w: %w", config.ErrInvalid, yamlfile.SyntaxError(raw, path, err))
	}
	// A run record (result.json) holds its resolved config: rerun it.
	// The record of mhe eval --pred/--truth has none: no run made the
	// predictions it scored.
	if tree["kind"] == "eval" && tree["metrics"] != nil && tree["model_dir"] == nil {
		return fmt.Errorf("%w: %s is the record of mhe eval --pred/--truth, which holds no run config; give a config, or the result.json of mhe train (or of mhe eval --model)", config.ErrInvalid, path)
	}
	if sub, ok := tree["config"].(map[string]any); ok && tree["kind"] != nil && tree["metrics"] != nil {
		tree = sub
		if raw, err = yaml.Marshal(sub); err != nil {
			return fmt.Errorf("%w: %s: %v", config.ErrInvalid, path, err)
		}
	}
	var unknown []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, val := range m {
			key := prefix + strings.ToLower(k)
			if sub, ok := val.(map[string]any); ok && config.IsSection(key) {
				walk(key+".", sub)
				continue
			}
			if !slices.Contains(known, key) {
				unknown = append(unknown, key)
			}
		}
	}
	walk("", tree)
	if len(unknown) > 0 {
		slices.Sort(unknown)
		var msgs []string
		for _, k := range unknown {
			msgs = append(msgs, k+": "+unknownKeyHint(k))
		}
		return fmt.Errorf("%w: %s:\n  %s", config.ErrInvalid, path, strings.Join(msgs, "\n  "))
	}
	v.SetConfigType("yaml")
	if err := v.ReadConfig(strings.NewReader(string(raw))); err != nil {
		return fmt.Errorf("%w: %s: %v", config.ErrInvalid, path, err)
	}
	return nil
}

func unknownKeyHint(key string) string {
	if config.IsSection(key) {
		return "is a section, not a value; set one of its keys (see configs/README.md)"
	}
	if s := config.Suggest(key); s != "" {
		return fmt.Sprintf("unknown key (did you mean %s?); every key is listed in configs/README.md", s)
	}
	return "unknown key; every key is listed in configs/README.md"
}

// decodeErrors words the decoder's errors for the user: each names its
// key, the value and where the value came from (--set, a flag, an MHE_
// variable or the config file), since a bad MHE_TRAIN_EPOCHS was reported
// as an error of the config file. "'train.epochs' cannot parse value as
// 'int': strconv.ParseInt: invalid syntax" becomes `train.epochs: "abc"
// (from MHE_TRAIN_EPOCHS) is not a whole number`.
func decodeErrors(err error, v *viper.Viper, in configInput) string {
	// The decoder joins its errors one a line under a heading (errors.Join
	// in a wrapper whose text holds them all): each line is one key's.
	text := strings.ReplaceAll(err.Error(), "decoding failed due to the following error(s):\n\n", "")
	var msgs []string
	for _, m := range strings.Split(strings.TrimSpace(text), "\n") {
		k := decodeKeyRE().FindStringSubmatch(m)
		if k == nil {
			msgs = append(msgs, m)
			continue
		}
		from := valueSource(k[1], in)
		if p := parseErrRE().FindStringSubmatch(m); p != nil {
			m = fmt.Sprintf("%s: %q (%s) is not %s", p[1], fmt.Sprint(configValue(v, p[1])), from, yamlfile.KindOf(p[2]))
		} else if p := unconvertibleRE().FindStringSubmatch(m); p != nil {
			got := "a value of another kind"
			switch {
			case strings.HasPrefix(p[3], "map["):
				got = "a mapping (key: value pairs)"
			case strings.HasPrefix(p[3], "[]"):
				got = "a list"
			}
			m = fmt.Sprintf("%s (%s): want %s, got %s", p[1], from, yamlfile.KindOf(p[2]), got)
		} else {
			m = fmt.Sprintf("%s (%s): %s", strings.Trim(k[0], "'"), from, strings.TrimLeft(m[len(k[0]):], ": "))
		}
		msgs = append(msgs, m)
	}
	return strings.Join(msgs, "\n  ")
}

var (
	decodeKeyRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^'([a-z0-9_.]+)(?:\[\d+\])?'`) })
	parseErrRE  = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^'([a-z0-9_.]+(?:\[\d+\])?)' cannot parse value as '([a-z0-9]+)'`)
	})
	indexRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.*)\[(\d+)\]$`) })
	// "'head.lengths[0]' expected type 'int', got unconvertible type
	// 'map[string]interface {}'"
	unconvertibleRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^'([a-z0-9_.]+(?:\[\d+\])?)' expected type '([a-z0-9]+)', got unconvertible type '(.*)'`)
	})
)

// configValue is the value of a key the decoder names, "eval.k[1]" (an
// element of a list) included.
func configValue(v *viper.Viper, key string) any {
	m := indexRE().FindStringSubmatch(key)
	if m == nil {
		return v.Get(key)
	}
	i, _ := strconv.Atoi(m[2])
	switch list := v.Get(m[1]).(type) {
	case []any:
		if i < len(list) {
			return list[i]
		}
	case []string:
		if i < len(list) {
			return list[i]
		}
	case string: // "1,3,5" from MHE_EVAL_K, split by commaListHook
		if parts := strings.Split(strings.Trim(list, "[] "), ","); i < len(parts) {
			return strings.TrimSpace(parts[i])
		}
	}
	return v.Get(m[1])
}

// envName is the environment variable of a config key: MHE_TRAIN_EPOCHS
// for train.epochs.
func envName(key string) string { return "MHE_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_")) }

// valueSource says where a config key's value came from, by precedence:
// --set, its flag, its MHE_ variable, else the config file.
func valueSource(key string, in configInput) string {
	for _, s := range slices.Backward(in.Sets) {
		if k, _, _ := strings.Cut(s, "="); strings.ToLower(strings.TrimSpace(k)) == key {
			return "from --set " + s
		}
	}
	for name, k := range in.FlagKeys {
		if k == key && in.Flags != nil && in.Flags.Changed(name) {
			return "from --" + name
		}
	}
	if env := envName(key); os.Getenv(env) != "" {
		return "from " + env
	}
	if in.File != "" {
		return "in " + in.File
	}
	return "the default"
}
