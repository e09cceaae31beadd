package aggregate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mhe-xlc/mhe/internal/record"
)

// ErrNoValidation reports a run record without validation metrics for the
// weights its model kept.
var ErrNoValidation = errors.New("no validation metrics")

// ValidationMetrics returns the validation metrics of the weights a run's
// model kept, for choosing settings without looking at the test rows: the
// best epoch's when early stopping restored the best weights
// (train.early_stopping_patience > 0), the weight average's (train.average:
// swa, validated after the last epoch), else the last epoch's; the record's
// kept_weights says which, and the config for older records. A run that
// did not validate every epoch (no train.validation_fraction or
// data.validation) and an mhe eval record have none.
func ValidationMetrics(r *record.Record) (map[string]float64, int, error) {
	kept := r.KeptWeights
	if kept == "" { // a record from before mhe recorded it: the config says
		switch {
		case strings.EqualFold(r.Config.Train.Average, "swa"):
			kept = record.KeptAverage
		case r.Config.Train.EarlyStoppingPatience > 0:
			kept = record.KeptBest
		}
	}
	if kept == record.KeptAverage {
		if r.AverageValidation != nil {
			return r.AverageValidation, r.Epochs, nil
		}
		return nil, 0, fmt.Errorf("%w: the final weights are a weight average (train.average: swa) and were not validated; train with train.validation_fraction (e.g. 0.1) or data.validation", ErrNoValidation)
	}
	hist := r.History
	if len(hist) == 0 {
		return nil, 0, fmt.Errorf("%w: the record has no epoch history (an mhe eval record?)", ErrNoValidation)
	}
	pick := len(hist) - 1
	if kept == record.KeptBest {
		for i, h := range hist {
			if h.Best {
				pick = i
			}
		}
	}
	if hist[pick].Validation == nil {
		return nil, 0, fmt.Errorf("%w: epoch %d was not validated; train with train.validation_fraction (e.g. 0.1) or data.validation", ErrNoValidation, hist[pick].Epoch)
	}
	return hist[pick].Validation, hist[pick].Epoch, nil
}
