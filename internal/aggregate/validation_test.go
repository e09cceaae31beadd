package aggregate

import (
	"errors"
	"testing"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/record"
)

func epoch(n int, p1 float64, best bool) record.Epoch {
	return record.Epoch{Epoch: n, Loss: 1, Validation: map[string]float64{"p@1": p1}, Best: best}
}

func TestValidationMetrics(t *testing.T) {
	rec := func(patience int, average string, h ...record.Epoch) *record.Record {
		cfg := config.Default()
		cfg.Train.EarlyStoppingPatience, cfg.Train.Average = patience, average
		return &record.Record{Kind: "train", Config: cfg, History: h}
	}
	averaged := func(r *record.Record, p1 float64) *record.Record {
		r.Epochs, r.AverageValidation = len(r.History), map[string]float64{"p@1": p1}
		return r
	}
	kept := func(r *record.Record, k string) *record.Record {
		r.KeptWeights = k
		return r
	}
	climbs := []record.Epoch{epoch(1, 0.5, true), epoch(2, 0.7, true), epoch(3, 0.6, false)}
	for _, c := range []struct {
		name      string
		r         *record.Record
		wantP1    float64
		wantEpoch int
		wantErr   bool
	}{
		{"last epoch without early stopping", rec(0, "none", climbs...), 0.6, 3, false},
		{"best epoch with early stopping", rec(2, "none", climbs...), 0.7, 2, false},
		{"early stopping, best is last", rec(1, "none", epoch(1, 0.5, true), epoch(2, 0.8, true)), 0.8, 2, false},
		{"weight average, not validated", rec(0, "swa", climbs...), 0, 0, true},
		{"weight average, validated after the last epoch", averaged(rec(0, "swa", climbs...), 0.75), 0.75, 3, false},
		{"kept: average", kept(averaged(rec(0, "none", climbs...), 0.75), "average"), 0.75, 3, false},
		{"kept: best", kept(rec(0, "none", climbs...), "best"), 0.7, 2, false},
		// Early stopping ended the run before the average began: the
		// best epoch's weights stayed, whatever the config asked for.
		{"kept: best, swa configured", kept(rec(2, "swa", climbs...), "best"), 0.7, 2, false},
		{"kept: last, swa configured", kept(rec(0, "swa", climbs...), "last"), 0.6, 3, false},
		{"no history (mhe eval record)", rec(0, "none"), 0, 0, true},
		{"not validated", rec(0, "none", record.Epoch{Epoch: 1, Loss: 2}), 0, 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, ep, err := ValidationMetrics(c.r)
			if c.wantErr {
				if !errors.Is(err, ErrNoValidation) {
					t.Fatalf("want ErrNoValidation, got %v (%v)", err, m)
				}
				return
			}
			if err != nil || m["p@1"] != c.wantP1 || ep != c.wantEpoch {
				t.Fatalf("got p@1 %v epoch %d err %v; want %v at epoch %d", m["p@1"], ep, err, c.wantP1, c.wantEpoch)
			}
		})
	}
}
