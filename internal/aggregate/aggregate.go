// Package aggregate turns run records (the result.json files of mhe train
// and mhe eval --result) into paper-style table rows: one row per dataset,
// head and configuration, with the mean and standard deviation of every
// metric over the runs that differ only in their seed (or XC split column,
// or holdout fold).
package aggregate

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mhe-xlc/mhe/internal/jsonerr"
	"github.com/mhe-xlc/mhe/internal/record"
)

// Stat is a mean and a sample standard deviation (0 for a single run).
type Stat struct {
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
	N    int     `json:"n"`
}

func statOf(v []float64) Stat {
	s := Stat{N: len(v)}
	if len(v) == 0 {
		return s
	}
	for _, x := range v {
		s.Mean += x
	}
	s.Mean /= float64(len(v))
	if len(v) > 1 {
		var ss float64
		for _, x := range v {
			ss += float64((x - s.Mean) * (x - s.Mean))
		}
		s.Std = math.Sqrt(ss / float64(len(v)-1))
	}
	return s
}

// Row is one line of a results table.
type Row struct {
	Dataset string   `json:"dataset"`
	Method  string   `json:"method"`
	Lengths []int    `json:"lengths"`
	Variant string   `json:"variant,omitempty"` // config keys that set this row apart from its siblings (setVariants)
	Seeds   []uint64 `json:"seeds"`
	Files   []string `json:"files"`
	// SplitColumns and HoldoutFolds are each run's XC split column and
	// holdout fold (0 read as the rule's last), in the order of Seeds and
	// Files; set only when the row pools runs of more than one.
	SplitColumns []int `json:"split_columns,omitempty"`
	HoldoutFolds []int `json:"holdout_folds,omitempty"`

	Split          string          `json:"split"` // which rows Metrics are of: test, or validation (ValidationMetrics)
	Metrics        map[string]Stat `json:"metrics"`
	TrainSeconds   Stat            `json:"train_seconds"`
	MsPerPredict   Stat            `json:"ms_per_predict_row"`
	PeakRSSMiB     Stat            `json:"peak_rss_mib"`
	Params         int64           `json:"classifier_params"`
	VanillaParams  int64           `json:"vanilla_params"`
	MHECommits     []string        `json:"mhe_commits"`
	MixedData      []string        `json:"mixed_data,omitempty"`     // data files (role: file name) whose contents differ between the runs (mixedData)
	MixedMachines  []string        `json:"mixed_machines,omitempty"` // the machines of runs timed on more than one kind (mixedMachines)
	WarnedRuns     []string        `json:"warned_runs,omitempty"`    // "FILE: first warning" of each run whose record keeps warnings (warnedRuns)
	Paired         *Paired         `json:"paired,omitempty"`         // PairWithTop
	configKey      string
	flatConfig     map[string]string
	recordsInGroup []*record.Record
}

// Label is the row's head as a table shows it: "mhc 62×16 (label_order=random)".
func (r *Row) Label() string {
	l := r.Method
	if len(r.Lengths) > 1 || r.Method != "vanilla" && len(r.Lengths) > 0 {
		parts := make([]string, len(r.Lengths))
		for i, n := range r.Lengths {
			parts[i] = strconv.Itoa(n)
		}
		l += " " + strings.Join(parts, "×")
	}
	if r.Variant != "" {
		l += " (" + r.Variant + ")"
	}
	return l
}

// Load reads run records; an unreadable or foreign file is an error that
// names it. A training record may lack test metrics (Record.Metrics nil):
// its run had no test split or did not score it.
func Load(paths []string) ([]*record.Record, error) {
	var out []*record.Record
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var r record.Record
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("%s: not an mhe result file: %s", p, jsonerr.Describe(raw, err))
		}
		// A training record without test metrics (no test split, or
		// eval.score_test false) still holds its validation metrics.
		if r.Kind == "" || (r.Metrics == nil && r.Kind != "train") {
			return nil, fmt.Errorf("%s: not an mhe result file (no kind or metrics); give the result.json of mhe train or the file of --result", p)
		}
		out = append(out, &r)
	}
	return out, nil
}

// machineKey is the pseudo config key under which Rows, splitting rows by
// machine, names each row's machine in its Variant.
const machineKey = "machine"

// ignored are the config keys that do not make a different experiment:
// the seed, thread count and data directory, and the XC split column and
// holdout fold, whose runs are replicates of one experiment on other rows,
// like seeds (PairWithTop matches runs on them too).
var ignored = []string{"train.seed", "train.threads", "data.dir", "data.split_column", "data.holdout_fold"}

// Rows groups records (read from files, in the same order) that differ
// only in their seed (and threads, data directory, split column, holdout
// fold) and summarises each group. Rows are sorted by dataset, then
// by classifier parameters (largest first: vanilla on top), then label.
//
// With byMachine it also keeps the runs of each kind of machine
// (Machine.Kind) in rows of their own, whose Variant names it
// ("machine=AMD EPYC (…), avx kernels, linux/amd64"), so that their times
// can be compared.
func Rows(recs []*record.Record, files []string, byMachine bool) ([]Row, error) {
	groups := map[string]*Row{}
	var order []string
	for i, r := range recs {
		flat := map[string]string{}
		raw, err := json.Marshal(r.Config)
		if err != nil {
			return nil, err
		}
		var tree map[string]any
		json.Unmarshal(raw, &tree)
		flatten("", tree, flat)
		for _, k := range ignored {
			delete(flat, k)
		}
		// Settings of the evaluation itself (eval --model --beam records
		// predict_beam) make another experiment of the same model.
		for k, v := range r.Extra {
			b, _ := json.Marshal(v)
			flat[k] = string(b)
		}
		if byMachine {
			flat[machineKey] = r.Machine.Kind()
		}
		key := configKey(flat)
		g, ok := groups[key]
		if !ok {
			g = &Row{Dataset: r.Name, Method: r.Plan.Method, Lengths: r.Plan.Lengths, Params: r.Plan.Params,
				VanillaParams: r.Plan.VanillaParams, configKey: key, flatConfig: flat}
			groups[key] = g
			order = append(order, key)
		}
		g.recordsInGroup = append(g.recordsInGroup, r)
		g.Seeds = append(g.Seeds, r.Seed)
		rep := replicateOf(r)
		g.SplitColumns = append(g.SplitColumns, rep.split)
		g.HoldoutFolds = append(g.HoldoutFolds, rep.fold)
		g.Files = append(g.Files, files[i])
		if c := r.MHE.Commit; c != "" && !slices.Contains(g.MHECommits, c) {
			g.MHECommits = append(g.MHECommits, c)
		}
	}
	rows := make([]Row, 0, len(order))
	for _, k := range order {
		g := groups[k]
		g.MixedData = mixedData(g.recordsInGroup)
		g.MixedMachines = mixedMachines(g.recordsInGroup)
		g.WarnedRuns = warnedRuns(g.recordsInGroup, g.Files)
		g.SplitColumns, g.HoldoutFolds = ifVaried(g.SplitColumns), ifVaried(g.HoldoutFolds)
		g.Metrics = map[string]Stat{}
		names := map[string]bool{}
		for _, r := range g.recordsInGroup {
			for m := range r.Metrics {
				names[m] = true
			}
		}
		for m := range names {
			var v []float64
			for _, r := range g.recordsInGroup {
				if x, ok := r.Metrics[m]; ok {
					v = append(v, x)
				}
			}
			g.Metrics[m] = statOf(v)
		}
		var tr, pr, rss []float64
		for _, r := range g.recordsInGroup {
			if r.Timing.TrainSeconds > 0 {
				tr = append(tr, r.Timing.TrainSeconds)
			}
			if r.Timing.MsPerPredictRow > 0 {
				pr = append(pr, r.Timing.MsPerPredictRow)
			}
			if r.Timing.PeakRSSMiB > 0 {
				rss = append(rss, r.Timing.PeakRSSMiB)
			}
		}
		g.TrainSeconds, g.MsPerPredict, g.PeakRSSMiB = statOf(tr), statOf(pr), statOf(rss)
		rows = append(rows, *g)
	}
	setVariants(rows)
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Dataset != b.Dataset {
			return a.Dataset < b.Dataset
		}
		if a.Params != b.Params {
			return a.Params > b.Params
		}
		return a.Label() < b.Label()
	})
	return rows, nil
}

// mixedData lists the data files, by role and file name (a data
// directory may differ between the runs of a row), that have more than
// one sha256 among recs.
func mixedData(recs []*record.Record) []string {
	sums := map[string]map[string]bool{}
	var order []string
	for _, r := range recs {
		for _, d := range r.Data {
			key := d.Role + ": " + filepath.Base(d.Path)
			if sums[key] == nil {
				sums[key] = map[string]bool{}
				order = append(order, key)
			}
			sums[key][d.SHA256] = true
		}
	}
	var out []string
	for _, key := range order {
		if len(sums[key]) > 1 {
			out = append(out, key)
		}
	}
	return out
}

// mixedMachines lists the machines of recs (Machine.Kind, each once) when the runs were timed on more than one kind of machine: a
// CPU of another name, identity or platform, or other vector kernels (a
// field that an older build's record lacks is not compared). Times differ
// between such machines (Bibtex's MHC run: 2.1 s on a family-26 EPYC with
// avx512 kernels, 4.6 s on a family-25 one with avx), metrics do not: every machine computes the same bits.
func mixedMachines(recs []*record.Record) []string {
	var kinds []record.Machine
	for _, r := range recs {
		if !slices.ContainsFunc(kinds, func(k record.Machine) bool { return !machinesDiffer(k, r.Machine) }) {
			kinds = append(kinds, r.Machine)
		}
	}
	if len(kinds) < 2 {
		return nil
	}
	var out []string
	for _, k := range kinds {
		if l := k.Kind(); !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// warnedRuns names the runs of recs (read from files, in the same order)
// that wrote warnings as they ran: "FILE: first warning (and N more)".
func warnedRuns(recs []*record.Record, files []string) []string {
	var out []string
	for i, r := range recs {
		if len(r.Warnings) == 0 {
			continue
		}
		w := files[i] + ": " + r.Warnings[0]
		if n := len(r.Warnings) - 1; n > 0 {
			w += fmt.Sprintf(" (and %d more)", n)
		}
		out = append(out, w)
	}
	return out
}

// machinesDiffer says whether two records' machines are of different
// kinds; an empty field (an older build's record) matches any.
func machinesDiffer(a, b record.Machine) bool {
	differ := func(x, y string) bool { return x != "" && y != "" && x != y }
	return differ(a.CPU, b.CPU) || differ(a.CPUID, b.CPUID) || differ(a.Kernels, b.Kernels) || differ(a.Platform, b.Platform)
}

// setVariants names, for rows of one dataset with the same head and
// lengths (siblings), the config keys whose values set them apart: for a
// sweep around a base config, only each row's own changes (the keys where
// it leaves the value most siblings share); for a key with no most common
// value, every row's value.
func setVariants(rows []Row) {
	// Siblings by dataset, method and lengths; each group is labelled on
	// its own.
	groups := map[string][]*Row{}
	for i := range rows {
		r := &rows[i]
		key := fmt.Sprint(r.Dataset, "\x00", r.Method, "\x00", r.Lengths)
		groups[key] = append(groups[key], r)
	}
	for _, sibs := range groups {
		// Per config key: the value most siblings hold ("" where a sibling
		// has no such key), whether no other value is as common, and
		// whether the siblings differ in it at all.
		type common struct {
			value          string
			unique, varies bool
		}
		keys := map[string]common{}
		for _, r := range sibs {
			for k := range r.flatConfig {
				if _, done := keys[k]; done {
					continue
				}
				byValue := map[string]int{}
				for _, o := range sibs {
					byValue[o.flatConfig[k]]++
				}
				v, unique := modeOf(byValue)
				keys[k] = common{v, unique, len(byValue) > 1}
			}
		}
		for _, r := range sibs {
			var diff []string
			for k, c := range keys {
				if !readBy(k, r.Method) {
					continue
				}
				// Name the key where this row leaves the value most
				// siblings share; with no such value (a tie), in every row.
				if v, ok := r.flatConfig[k]; ok && c.varies && (!c.unique || v != c.value) {
					diff = append(diff, k+"="+v)
				}
			}
			slices.Sort(diff)
			r.Variant = strings.Join(diff, ", ")
		}
	}
}

// ifVaried returns v if its values are not all the same, else nil.
func ifVaried(v []int) []int {
	for _, x := range v {
		if x != v[0] {
			return v
		}
	}
	return nil
}

// headKeyMethods lists the head config keys that only some heads read;
// training ignores them for the others (the plan records none of them
// there), so a row of another head does not name them: a vanilla run of a
// sweep around an MHC config is "vanilla", not "vanilla
// (head.bottleneck_dim=64)".
var headKeyMethods = map[string][]string{
	"head.beam":           {"mhc"},
	"head.bottleneck_dim": {"mhc"},
	"head.path_score":     {"mhc"},
	"head.samples":        {"mhs"},
	"head.groups":         {"mhc", "mhs"},
	"head.heads":          {"mhp", "mhc", "mhs"},
	"head.lengths":        {"mhp", "mhc", "mhs"},
}

// readBy says whether training with the head method reads config key k.
func readBy(k, method string) bool {
	m, ok := headKeyMethods[k]
	return !ok || slices.Contains(m, method)
}

// modeOf returns the most frequent value and whether no other is as
// frequent.
func modeOf(byValue map[string]int) (string, bool) {
	best, bestN, unique := "", -1, false
	for v, c := range byValue {
		switch {
		case c > bestN:
			best, bestN, unique = v, c, true
		case c == bestN:
			unique = false
		}
	}
	return best, unique
}

func flatten(prefix string, v any, out map[string]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, x, out)
		}
	case nil:
		// null and [] mean the same (a config read back from YAML may
		// hold either): no entry.
	case []any:
		if len(t) > 0 {
			b, _ := json.Marshal(t)
			out[prefix] = string(b)
		}
	case string:
		out[prefix] = t
	default:
		b, _ := json.Marshal(t)
		out[prefix] = string(b)
	}
}

func configKey(flat map[string]string) string {
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + flat[k] + "\n")
	}
	return b.String()
}

// SortBy orders each dataset's rows by the mean of metric, best (largest)
// first, for picking the best settings of a sweep; rows without the metric
// go last. Datasets keep their order and ties keep Rows' order.
func SortBy(rows []Row, metric string) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Dataset != b.Dataset {
			return a.Dataset < b.Dataset
		}
		sa, okA := a.Metrics[metric]
		sb, okB := b.Metrics[metric]
		if okA != okB {
			return okA
		}
		return sa.Mean > sb.Mean
	})
}
