package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/mhe-xlc/mhe/internal/clock"
	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/eval"
	"github.com/mhe-xlc/mhe/internal/nn"
	"github.com/mhe-xlc/mhe/internal/record"
	"github.com/mhe-xlc/mhe/internal/report"
	"github.com/mhe-xlc/mhe/internal/train"
)

// evalModel predicts the test split of a model's config and evaluates it.
func evalModel(s *streams, o *evalOptions, format report.Format, policy eval.EmptyPolicy) error {
	if o.Pred != "" || o.Truth != "" {
		return usageErrorf("--model evaluates the config's test split; drop --pred and --truth")
	}
	// Flags that describe --pred/--truth files have nothing to act on here;
	// refuse them rather than ignore them.
	for _, f := range []string{"truth-format", "rows", "column", "train", "train-rows", "inv-prop", "dataset", "single-label", "pred-names", "label-base", "feature-base"} {
		if o.changed(f) {
			return usageErrorf("--%s describes --pred/--truth files; --model reads the test split and training label counts its config and model give (drop --%s, or --set a config key)", f, f)
		}
	}
	ms, err := openMembers(o.Models, o.ConfigSets, o.Beam)
	if err != nil {
		return err
	}
	defer ms.close()
	if err := checkOutputs(o.outputs(), append(o.inputs(), ms.files()...)); err != nil {
		return err
	}
	m, man, cfg := ms[0].m, ms[0].man, ms[0].cfg
	pr := newProgress(s.errOut, s.errTTY, o.Quiet)
	test, src, err := train.LoadTest(cfg, pr.handle)
	pr.finishBar()
	// A damaged model is reported before any error of the data, as
	// when the weights were hashed first.
	if verr := ms.verify(); verr != nil {
		return verr
	}
	if err != nil {
		return err
	}
	if test == nil {
		return usageErrorf("the model's config has no test split to evaluate; name a test file with --set data.test=FILE (read in the config's data.format), or score predictions: mhe predict --model DIR --input FILE --out pred.txt, then mhe eval --pred pred.txt --truth FILE")
	}
	ms.warnChangedData(s.errOut, "eval", src)
	warnBeyondModel(s.errOut, test, inputDim(m), m.Labels)
	if !o.AllowTrainRows {
		for _, x := range ms {
			if msg, err := trainedRowsScored(x.dir, x.man, cfg, src, "test rows"); err != nil {
				return err
			} else if msg != "" {
				return usageErrorf("%s; metrics on them overstate the model. Score the test rows the model was trained for (drop that --set), train a model for these rows, or pass --allow-train-rows to score them anyway", msg)
			}
		}
	}
	threads, restore := setThreads(o.Threads, s.errOut, "eval")
	defer restore()
	ec := cfg.Eval
	ec.K, ec.EmptyRows = o.K, string(policy)
	if o.A > 0 {
		ec.A, ec.B = o.A, o.B
	}
	if o.Against != "" {
		ev, err := train.OriginalEvaluator(m, ec, cfg.Name, true)
		if err != nil {
			return err
		}
		prog := newRowProgress(s.errOut, s.errTTY, o.Quiet, "eval", int64(test.Rows()))
		err = train.AddRanked(ms.models(), nn.NewPool(threads), test, ev, prog)
		prog.finish()
		if err != nil {
			return ms.memberError(err)
		}
		if err := checkScoredRows(ev.Result(), test.Name); err != nil {
			return err
		}
		cs, err := compareWith(s, o, ev, test.Y, nil)
		if err != nil {
			return err
		}
		return writeComparison(s.out, o, o.Model, ev.Result(), cs, modelPropInfo(m, ec, cfg.Name), format, s.warnings())
	}
	names, err := data.ReadNamesFor(o.Names, m.Labels)
	if err != nil {
		return err
	}
	start := clock.Start()
	ev, err := train.OriginalEvaluator(m, ec, cfg.Name, false)
	if err != nil {
		return err
	}
	prog := newRowProgress(s.errOut, s.errTTY, o.Quiet, "eval", int64(test.Rows()))
	more := []train.RowScorer{prog}
	var pl *eval.PerLabel
	if o.PerLabel != "" {
		// The model ranks the largest --k labels of a row: the predicted
		// set is at most those (a file of predictions may hold more).
		k := o.PerLabelK
		if k > ev.MaxK() {
			return usageErrorf("--per-label-k %d: --model ranks %d labels per row (the largest --k); add %d to --k, or lower --per-label-k", k, ev.MaxK(), k)
		}
		if k == 0 {
			k = ev.MaxK()
		}
		pl = o.newPerLabel(m.Labels, k)
		more = append(more, pl)
	}
	err = train.AddRanked(ms.models(), nn.NewPool(threads), test, ev, more...)
	prog.finish()
	if err != nil {
		return ms.memberError(err)
	}
	res := ev.Result()
	if err := checkScoredRows(res, test.Name); err != nil {
		return err
	}
	if err := writePerLabel(o.PerLabel, pl, names); err != nil {
		return err
	}
	if o.Result != "" {
		secs := start.Seconds()
		rec := evalRecord(cfg.Name, res, pl, secs, s.warnings())
		rec.ModelDir, rec.Seed, rec.Threads, rec.Config, rec.Epochs = o.Model, man.Seed, threads, *cfg, man.Epochs
		rec.Plan = planRecord(m)
		if rec.Extra == nil {
			rec.Extra = map[string]any{}
		}
		if o.Beam > 0 {
			rec.Extra["predict_beam"] = o.Beam
		}
		if len(ms) > 1 {
			// The size, not the directories: ensembles of other seeds
			// are replicates of one experiment in mhe report.
			rec.Extra["ensemble"] = len(ms)
			rec.ModelDir = strings.Join(o.Models, ",")
			// The members' classifiers together (heads may differ).
			rec.Plan.Params = 0
			for _, x := range ms {
				rec.Plan.Params += x.m.Plan.Params
			}
			if rec.Plan.VanillaParams > 0 {
				rec.Plan.ParamRatio = float64(rec.Plan.Params) / float64(rec.Plan.VanillaParams)
			}
			rec.Timing.TrainSeconds = ms.trainSeconds()
		}
		if len(rec.Extra) == 0 {
			rec.Extra = nil
		}
		rec.Data = man.TrainingData
		rec.Timing.SetPredict(secs, res.Rows)
		if err := record.Write(o.Result, rec); err != nil {
			return err
		}
	}
	return writeEvalResult(s.out, res, pl, modelPropInfo(m, ec, cfg.Name), format, s.warnings())
}

// modelPropInfo describes the propensities a model's evaluation used.
func modelPropInfo(m *train.Model, ec config.EvalConfig, name string) propInfo {
	if m.LabelCounts == nil {
		return propInfo{}
	}
	p := eval.PropensityParams{A: ec.A, B: ec.B}.Or(name)
	return propInfo{weights: []float64{}, params: p, source: "training label counts", n: m.TrainRows}
}

// warnBeyondModel tells (on stderr, even with --quiet) how many test rows
// hold feature ids or true labels beyond the model's (a --set data.test
// naming another dataset's file, say): the encoder skips those features,
// and no model can predict those labels, which count as misses. dim 0:
// every feature id is usable (feature hashing).
func warnBeyondModel(w io.Writer, test *data.Dataset, dim, labels int) {
	if n := rowsBeyond(test.X, dim); n > 0 {
		fmt.Fprintf(w, "eval: warning: %d test rows have feature ids >= %d, the model's input dimension; those features were ignored (is %s from the model's dataset?)\n", n, dim, test.Name)
	}
	if n := rowsBeyond(test.Y, labels); n > 0 {
		fmt.Fprintf(w, "eval: warning: %d test rows have true labels >= %d, the model's label count; no model can predict them, and they count as misses (is %s from the model's dataset?)\n", n, labels, test.Name)
	}
}

// rowsBeyond counts the rows of m with an index >= n (none when n is 0).
func rowsBeyond(m *data.CSR, n int) int {
	if n <= 0 || m.Cols <= n {
		return 0
	}
	count := 0
	for i := range m.Rows {
		ids, _ := m.Row(i)
		if slices.ContainsFunc(ids, func(id int32) bool { return int(id) >= n }) {
			count++
		}
	}
	return count
}
