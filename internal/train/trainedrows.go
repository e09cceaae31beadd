package train

import (
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/modelio"
)

// SavedConfig reads the configuration the model in dir was trained with:
// its config.yaml as training wrote it, which no MHE_* variable or --set
// changes.
func SavedConfig(dir string) (*config.Config, error) {
	path := modelio.Open(dir).File(modelio.ConfigFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c := config.Default()
	if err := yaml.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

// TrainedRows counts the rows of src that a model trained on or chose its
// weights on, and returns the first of them (-1 when none). trained is the
// model's configuration with its own data keys (paths resolve against its
// data.dir); info is its manifest's training data. A row counts when src
// reads the model's training file (same sha256) and the training split of
// trained holds it (train.validation_fraction draws its validation rows
// from that split), or when src reads the model's validation file. A
// model trained on generated data, or scored on a file it never read,
// counts none.
func TrainedRows(trained *config.Config, info []modelio.DataInfo, src *Source) (n, first int, err error) {
	if src == nil {
		return 0, -1, nil
	}
	for _, di := range info {
		if di.SHA256 != src.SHA256 || di.Rows != src.FileRows {
			continue
		}
		switch di.Role {
		case "train":
			rows, err := TrainRowIndices(trained, di.Rows)
			if err != nil {
				return 0, -1, fmt.Errorf("the model's training rows: %w", err)
			}
			n, first = Overlap(&Source{SHA256: di.SHA256, FileRows: di.Rows, Rows: rows}, src)
			return n, first, nil
		case "validation":
			n, first = Overlap(&Source{SHA256: di.SHA256, FileRows: di.Rows}, src)
			return n, first, nil
		}
	}
	return 0, -1, nil
}

// ChangedData reports the entry of a model's training data (its manifest's
// info) that names src's file but recorded other contents (a different
// sha256): the file was changed after training, so the rows a split picks
// from it may not be the ones the model held out, and metrics on them do
// not compare with the model's own. ok is false when src is nil, names a
// file the model never read, or reads it unchanged.
func ChangedData(info []modelio.DataInfo, src *Source) (changed modelio.DataInfo, ok bool) {
	if src == nil {
		return modelio.DataInfo{}, false
	}
	for _, di := range info {
		if filepath.Clean(di.Path) == filepath.Clean(src.Path) && di.SHA256 != src.SHA256 {
			return di, true
		}
	}
	return modelio.DataInfo{}, false
}

// RowKeys are the data keys that choose which rows of which files a
// configuration trains and tests on.
func RowKeys(c *config.Config) map[string]any {
	d := &c.Data
	return map[string]any{
		"data.train": d.Train, "data.test": d.Test, "data.validation": d.Validation,
		"data.train_rows": d.TrainRows, "data.test_rows": d.TestRows, "data.split_column": d.SplitColumn,
		"data.holdout_every": d.HoldoutEvery, "data.holdout_fold": d.HoldoutFold,
		"train.validation_fraction": c.Train.ValidationFraction,
	}
}

// WithRowKeys is a copy of cfg with the row keys (RowKeys) of from.
func WithRowKeys(cfg, from *config.Config) *config.Config {
	c := *cfg
	d, f := &c.Data, &from.Data
	d.Train, d.Test, d.Validation = f.Train, f.Test, f.Validation
	d.TrainRows, d.TestRows, d.SplitColumn = f.TrainRows, f.TestRows, f.SplitColumn
	d.HoldoutEvery, d.HoldoutFold = f.HoldoutEvery, f.HoldoutFold
	c.Train.ValidationFraction = from.Train.ValidationFraction
	return &c
}
