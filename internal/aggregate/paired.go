package aggregate

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Paired is a row's paired difference from a reference row on one metric:
// over the seeds both rows ran, the mean of (this row − reference) and its
// 95 % t interval. Runs with the same seed share their validation rows
// (train.validation_fraction draws them from the seed) and their
// initialisation, so the paired difference is far less noisy than the two
// rows' means, whose spread is mostly the split's.
type Paired struct {
	Metric  string  `json:"metric"`
	Against string  `json:"against"` // the reference row's head label
	N       int     `json:"n"`       // seeds both rows ran
	Mean    float64 `json:"mean"`
	// Low and High bound the 95 % interval; both equal Mean when N is 1.
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// PairWithTop sets, for every row but the first of each dataset, its paired
// difference on metric from that first row (after SortBy, the best). A row
// sharing no seed with the first gets none. A seed run more than once in a
// row (other thread counts) counts with the mean of its runs.
func PairWithTop(rows []Row, metric string) {
	var ref *Row
	var refBySeed map[uint64]float64
	for i := range rows {
		r := &rows[i]
		r.Paired = nil
		if ref == nil || r.Dataset != ref.Dataset {
			ref, refBySeed = r, bySeed(r, metric)
			continue
		}
		mine := bySeed(r, metric)
		var d []float64
		seeds := make([]uint64, 0, len(mine))
		for s := range mine {
			seeds = append(seeds, s)
		}
		slices.Sort(seeds) // a fixed summation order
		for _, s := range seeds {
			if v, ok := refBySeed[s]; ok {
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

// bySeed is a row's metric per seed (the mean over that seed's runs).
func bySeed(r *Row, metric string) map[uint64]float64 {
	sum, n := map[uint64]float64{}, map[uint64]int{}
	for _, rec := range r.recordsInGroup {
		if v, ok := rec.Metrics[metric]; ok {
			sum[rec.Seed] += v
			n[rec.Seed]++
		}
	}
	for s := range sum {
		sum[s] /= float64(n[s])
	}
	return sum
}
