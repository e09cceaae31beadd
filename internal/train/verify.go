package train

import (
	"fmt"
	"maps"
	"slices"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/modelio"
)

// VerifiedFile is one file of a model directory whose bytes hash to the
// sha256 its manifest records.
type VerifiedFile struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// VerifyModel checks the model directory at path more thoroughly than
// loading it does: the manifest (format and version), the sha256 of every
// file the manifest lists (loading checks the weights by their CRC-32C,
// which finds damage but is no identity; this reads them once, for the
// sha256), and the weights' tensor
// directory and shapes against the model the manifest describes. It
// returns the manifest and the files checked, in name order. A model that
// passes loads and predicts as it did when it was written; the error of one
// that does not is a model error (IsModelError) that names the file and
// what is wrong with it.
func VerifyModel(path string) (*modelio.Manifest, []VerifiedFile, error) {
	// Opening checks config.yaml's sha256 and, here, the weights' (one
	// read of each file).
	_, man, verify, closeFn, err := openModel(path, true)
	if err != nil {
		return nil, nil, err
	}
	defer closeFn()
	if err := verify(); err != nil {
		return nil, nil, err
	}
	dir := modelio.Open(path)
	var files []VerifiedFile
	for _, name := range slices.Sorted(maps.Keys(man.Files)) {
		if name != modelio.ConfigFile && name != man.WeightsFile {
			if err := dir.VerifyFile(man, name); err != nil {
				return nil, nil, err
			}
		}
		info := man.Files[name]
		files = append(files, VerifiedFile{Name: name, Bytes: info.Bytes, SHA256: info.SHA256})
	}
	return man, files, nil
}

// DataCheck compares one data file a model was trained on, as its
// manifest records it, with the file a configuration names for that role
// now.
type DataCheck struct {
	Role     string // train, validation or test (the manifest's role)
	Key      string // the config key that names the file: data.train, ...
	Path     string // the file, resolved against data.dir
	Recorded string // the sha256 the manifest records
	SHA256   string // the file's sha256 now ("" when it could not be read)
	Err      error  // why the file could not be read (an input error)
}

// Same reports whether the file has the bytes the model was trained on.
func (c DataCheck) Same() bool { return c.Err == nil && c.SHA256 == c.Recorded }

// CompareData hashes, role by role, the data files cfg names for the
// files a finished model's manifest records, and returns one check a
// file, in the manifest's order. hash gives a file's sha256
// (modelio.SHA256File, or a cache of it). Generated data (data.synth) and
// roles cfg names no file for are not compared: the config fixes the first,
// and there is nothing to read for the second.
func CompareData(man *modelio.Manifest, cfg *config.Config, hash func(path string) (string, error)) []DataCheck {
	if cfg.Data.Synth.Labels > 0 {
		return nil
	}
	files := map[string]string{"train": cfg.Data.Train, "validation": cfg.Data.Validation, "test": cfg.Data.Test}
	var checks []DataCheck
	for _, info := range man.TrainingData {
		file := files[info.Role]
		if file == "" || file == "-" {
			continue
		}
		c := DataCheck{Role: info.Role, Key: "data." + info.Role, Path: cfg.Path(file), Recorded: info.SHA256}
		sum, err := hash(c.Path)
		if err != nil {
			c.Err = data.InputError(fmt.Errorf("%s: %w", c.Key, err))
		} else {
			c.SHA256 = sum
		}
		checks = append(checks, c)
	}
	return checks
}
