package aggregate

import (
	"cmp"
	"math"
	"slices"

	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/record"

	"gonum.org/v1/gonum/stat/distuv"
)

// Paired is a row's paired difference from a reference row on one metric:
// over the seeds (and, for rows that pool them, the XC split columns and
// holdout folds) both rows ran, the mean of (this row − reference) and its
// 95 % t interval. Runs with the same seed share their validation rows
// (train.validation_fraction draws them from the seed) and their
// initialisation, so the paired difference is far less noisy than the two
// rows' means, whose spread is mostly the split's.
type Paired struct {
	Metric  string  `json:"metric"`
	Against string  `json:"against"` // the reference row's head label
	N       int     `json:"n"`       // replicates (seed, split column, fold) both rows ran
	Mean    float64 `json:"mean"`
	// Low and High bound the 95 % interval; both equal Mean when N is 1.
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// PairWithTop sets, for every row but the first of each dataset, its paired
// difference on metric from that first row (after SortBy, the best), over
// the replicates (seed, split column, holdout fold) both ran. A row sharing
// no replicate with the first gets none. A replicate run more than once in
// a row (other thread counts) counts with the mean of its runs.
func PairWithTop(rows []Row, metric string) {
	var ref *Row
	var refByRep map[replicate]float64
	for i := range rows {
		r := &rows[i]
		r.Paired = nil
		if ref == nil || r.Dataset != ref.Dataset {
			ref, refByRep = r, byReplicate(r, metric)
			continue
		}
		mine := byReplicate(r, metric)
		var d []float64
		reps := make([]replicate, 0, len(mine))
		for s := range mine {
			reps = append(reps, s)
		}
		slices.SortFunc(reps, replicate.compare) // a fixed summation order
		for _, s := range reps {
			if v, ok := refByRep[s]; ok {
				d = append(d, mine[s]-v)
			}
		}
		if len(d) == 0 {
			continue
		}
		st := statOf(d)
		p := &Paired{Metric: metric, Against: ref.Label(), N: st.N, Mean: st.Mean, Low: st.Mean, High: st.Mean}
		if st.N > 1 {
			t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(st.N - 1)}.Quantile(0.975)
			half := t * st.Std / math.Sqrt(float64(st.N))
			p.Low, p.High = st.Mean-half, st.Mean+half
		}
		r.Paired = p
	}
}

// replicate identifies a run within a row: its seed and, for rows that
// pool them (replicateKeys), its XC split column and holdout fold. Paired
// differences match runs on all three.
type replicate struct {
	seed        uint64
	split, fold int
}

func replicateOf(rec *record.Record) replicate {
	d := rec.Config.Data
	return replicate{rec.Seed, d.SplitColumn, data.HoldoutFold(d.HoldoutEvery, d.HoldoutFold)}
}

// compare orders by seed, then split column, then fold.
func (a replicate) compare(b replicate) int {
	if c := cmp.Compare(a.seed, b.seed); c != 0 {
		return c
	}
	if c := cmp.Compare(a.split, b.split); c != 0 {
		return c
	}
	return cmp.Compare(a.fold, b.fold)
}

// byReplicate is a row's metric per replicate (the mean over that replicate's
// runs).
func byReplicate(r *Row, metric string) map[replicate]float64 {
	sum, n := map[replicate]float64{}, map[replicate]int{}
	for _, rec := range r.recordsInGroup {
		if v, ok := rec.Metrics[metric]; ok {
			k := replicateOf(rec)
			sum[k] += v
			n[k]++
		}
	}
	for s := range sum {
		sum[s] /= float64(n[s])
	}
	return sum
}
