// Package sweep expands a sweep description — configs × override sets ×
// seeds — into a numbered list of training runs, each with its own model
// directory. Runners (scripts/sweep-local.sh, scripts/sweep-slurm.sh) execute
// run i with `mhe sweep run FILE --index i`; a run whose result exists is
// skipped and an interrupted one resumed, so re-running a sweep finishes it.
package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/yamlfile"
)

// ErrSweep marks an invalid sweep file.
var ErrSweep = errors.New("invalid sweep")

// File is a sweep description (YAML):
//
//	out: results/sweep            # model directories go under here
//	runs:
//	  - configs: [configs/bibtex-vanilla.yaml, configs/bibtex-mhc.yaml]
//	    set: [train.epochs=10]    # optional: --set for every run of the block
//	    overrides: [[], [head.label_order=random]]   # --set lists; [] = as is
//	    seeds: [1, 2, 3]
//	keep_weights: false           # optional: keep only each run's records
type File struct {
	Out  string  `yaml:"out"`
	Runs []Entry `yaml:"runs"`
	// KeepWeights false removes each finished run's weights file, keeping
	// its records (result.json, metrics, config, manifest): a sweep that
	// chooses settings needs the numbers, not hundreds of models.
	KeepWeights *bool `yaml:"keep_weights"`
}

// Entry is one block of runs: the product of its configs, override sets
// and seeds.
type Entry struct {
	Configs []string `yaml:"configs"`
	// Set is applied to every run of the block, before its override set:
	// the shared changes of a sweep around a base config.
	Set       []string   `yaml:"set"`
	Overrides [][]string `yaml:"overrides"`
	Seeds     []uint64   `yaml:"seeds"`
}

// Run is one training run of a sweep.
type Run struct {
	Index  int      `json:"index"`
	Name   string   `json:"name"`
	Config string   `json:"config"`
	Sets   []string `json:"sets"`
	Seed   uint64   `json:"seed"`
	Dir    string   `json:"dir"`
	// KeepWeights is the sweep's keep_weights (true unless set false).
	KeepWeights bool `json:"keep_weights"`
}

// Result is where the run's record lands when it has finished.
func (r Run) Result() string { return filepath.Join(r.Dir, "result.json") }

// Args are the mhe train arguments of a fresh run.
func (r Run) Args() []string {
	args := []string{"train", "--config", r.Config, "--out", r.Dir, "--force", "--quiet"}
	for _, s := range r.ConfigSets() {
		args = append(args, "--set", s)
	}
	return args
}

// ConfigSets are the --set values of a fresh run, in order: its seed, then
// the block's set and the override set.
func (r Run) ConfigSets() []string {
	return append([]string{"train.seed=" + strconv.FormatUint(r.Seed, 10)}, r.Sets...)
}

var unsafe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9._=-]+`) })

// Parse reads a sweep file and expands it. Relative config paths and out
// are taken relative to the directory the command runs in.
func Parse(raw []byte, name string) ([]Run, error) {
	var f File
	if err := yamlfile.Decode(raw, name, &f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %s is empty; a sweep file sets out and runs", ErrSweep, name)
		}
		hint := ""
		if bytes.Contains(raw, []byte("=[")) {
			hint = `; an override whose value is a list must be quoted inside [ ], e.g. ["head.lengths=[40,2,2]"]`
		}
		return nil, fmt.Errorf("%w: %v%s", ErrSweep, err, hint)
	}
	if f.Out == "" {
		return nil, fmt.Errorf("%w: %s: set out: the directory the runs' model directories go under", ErrSweep, name)
	}
	if len(f.Runs) == 0 {
		return nil, fmt.Errorf("%w: %s: no runs", ErrSweep, name)
	}
	var runs []Run
	seen := map[string]int{}
	for i, e := range f.Runs {
		if len(e.Configs) == 0 {
			return nil, fmt.Errorf("%w: %s: runs[%d] has no configs", ErrSweep, name, i)
		}
		overrides := e.Overrides
		if len(overrides) == 0 {
			overrides = [][]string{nil}
		}
		seeds := e.Seeds
		if len(seeds) == 0 {
			seeds = []uint64{1}
		}
		for _, c := range e.Configs {
			// The run's name starts with the config's file name: a path
			// that names a directory ("/", "runs/", "..") has none.
			if b := filepath.Base(c); c == "" || b == "." || b == ".." || os.IsPathSeparator(b[0]) || os.IsPathSeparator(c[len(c)-1]) {
				return nil, fmt.Errorf("%w: %s: runs[%d]: config %q names a directory, not a config file", ErrSweep, name, i, c)
			}
			base := strings.TrimSuffix(filepath.Base(c), filepath.Ext(c))
			for _, o := range overrides {
				o = append(slices.Clip(e.Set), o...)
				for _, s := range o {
					if k, _, ok := strings.Cut(s, "="); !ok || strings.TrimSpace(k) == "" {
						return nil, fmt.Errorf("%w: %s: runs[%d]: override %q is not key=value", ErrSweep, name, i, s)
					}
				}
				for _, seed := range seeds {
					parts := []string{base}
					for _, s := range o {
						parts = append(parts, unsafe().ReplaceAllString(s, "_"))
					}
					parts = append(parts, "seed"+strconv.FormatUint(seed, 10))
					runName := dirName(strings.Join(parts, "__"))
					if j, dup := seen[runName]; dup {
						return nil, fmt.Errorf("%w: %s: run %q is listed twice (runs %d and %d)", ErrSweep, name, runName, j, len(runs))
					}
					seen[runName] = len(runs)
					runs = append(runs, Run{Index: len(runs), Name: runName, Config: c, Sets: o, Seed: seed, Dir: filepath.Join(f.Out, runName),
						KeepWeights: f.KeepWeights == nil || *f.KeepWeights})
				}
			}
		}
	}
	return runs, nil
}

// maxName bounds a run's directory name: file systems refuse names over
// 255 bytes, and a sweep with many overrides reaches that. Shorter names are
// kept as they are, so existing sweeps keep their directories.
const maxName = 255

// dirName is name, or, when longer than maxName, its head and a hash of the
// whole (so distinct runs keep distinct directories).
func dirName(name string) string {
	if len(name) <= maxName {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	cut := maxName - 18
	for cut > 0 && !utf8.RuneStart(name[cut]) { // a config name may be UTF-8
		cut--
	}
	return name[:cut] + "__" + hex.EncodeToString(sum[:8])
}

// Load reads and expands a sweep file.
func Load(path string) ([]Run, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSweep, err)
	}
	return Parse(raw, path)
}

// State is what a runner should do with a run.
type State string

const (
	Done    State = "done"    // result.json exists, and no run is staged: skip
	Partial State = "partial" // an unfinished run: resume it
	Todo    State = "todo"    // nothing yet: train
)

// StateOf inspects a run's model directory. A staged config (the run
// area's config.yaml) makes a run partial even beside a result.json: the
// commit writes the record just before the manifest, and removes the
// staged config only after it, so a run killed in between is resumed.
func StateOf(r Run) State {
	if _, err := os.Stat(filepath.Join(r.Dir, "training", "config.yaml")); err == nil {
		return Partial
	}
	if _, err := os.Stat(r.Result()); err == nil {
		return Done
	}
	return Todo
}

// ArraySpec writes run indices (ascending) as a SLURM --array list:
// consecutive indices as one range ("0-3,7,9-12"), "" for none.
func ArraySpec(indices []int) string {
	var b strings.Builder
	for i := 0; i < len(indices); {
		j := i
		for j+1 < len(indices) && indices[j+1] == indices[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(indices[i]))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(indices[j]))
		}
		i = j + 1
	}
	return b.String()
}

// Unfinished lists the indices of the runs a runner still has to execute:
// those not done, and the done runs of a keep_weights: false sweep that
// still hold their weights (a task ended between finishing its model and
// removing them, or keep_weights was turned off since).
func Unfinished(runs []Run) []int {
	var idx []int
	for _, r := range runs {
		if StateOf(r) != Done || WeightsPending(r) {
			idx = append(idx, r.Index)
		}
	}
	return idx
}

// WeightsPending says whether run r's sweep drops weights (keep_weights:
// false) and r's model directory still has its weights file: a done run
// whose runner must still remove them.
func WeightsPending(r Run) bool {
	if r.KeepWeights {
		return false
	}
	d := modelio.Open(r.Dir)
	m, err := d.ReadManifest()
	if err != nil {
		return false
	}
	_, err = os.Stat(d.File(m.WeightsFile))
	return err == nil
}
