package train

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/modelio"
)

// dataFiles lists the files a run configuration reads, by config key;
// testOnly: only those the test rows come from (predict and eval on a
// model).
func dataFiles(d *config.DataConfig, testOnly bool) [][2]string {
	train := [][2]string{{"train", d.Train}, {"train_labels", d.TrainLabels}}
	test := [][2]string{{"test", d.Test}, {"test_labels", d.TestLabels}, {"test_rows", d.TestRows}}
	var all [][2]string
	switch {
	case !testOnly:
		all = append(train, [2]string{"train_rows", d.TrainRows},
			[2]string{"validation", d.Validation}, [2]string{"validation_labels", d.ValidationLabels})
		all = append(all, test...)
	case d.Test == "" && (d.TestRows != "" || d.HoldoutEvery > 0):
		// Test rows picked from the training file.
		all = append(test, train...)
	default:
		all = test
	}
	var out [][2]string
	for _, kv := range all {
		if kv[1] != "" && kv[1] != "-" {
			out = append(out, kv)
		}
	}
	return out
}

// DataFiles lists the files a run configuration reads, resolved against
// data.dir, each named by its config key ("data.train"); testOnly: only
// those the test rows come from.
func DataFiles(cfg *config.Config, testOnly bool) [][2]string {
	files := dataFiles(&cfg.Data, testOnly)
	for i, kv := range files {
		files[i] = [2]string{"data." + kv[0], cfg.Path(kv[1])}
	}
	return files
}

// DataChangedSince compares the data files cfg names with the checksums of the
// files a finished model was trained on (its manifest), role by role, and
// returns the first file whose contents differ ("" when none does), or the
// input error of a file before it that cannot be read (CompareData).
func DataChangedSince(man *modelio.Manifest, cfg *config.Config, hash func(path string) (string, error)) (string, error) {
	for _, c := range CompareData(man, cfg, hash) {
		if c.Err != nil {
			return "", c.Err
		}
		if !c.Same() {
			return c.Path, nil
		}
	}
	return "", nil
}

// CheckTrainFile checks the one file that gives a config's dimensions
// (data.train, or data.train_labels for xc-matrix data) as checkDataFiles
// does, for mhe plan, which reads only its header.
func CheckTrainFile(cfg *config.Config) error {
	kv := [2]string{"train", cfg.Data.Train}
	if cfg.Data.Format == string(data.FormatXCMatrix) {
		kv = [2]string{"train_labels", cfg.Data.TrainLabels}
	}
	if kv[1] == "" || kv[1] == "-" {
		return nil
	}
	return checkDataFiles(cfg, [][2]string{kv})
}

// checkDataFiles names every file of the list that does not exist, in one
// input error, with the directory relative paths were resolved against
// and how to change it: a run whose dataset was never downloaded, or whose
// MHE_DATA_DIR points elsewhere, learns all it needs from one message
// instead of one missing file per attempt. Other problems (permissions, a
// directory) are left to the readers, which name them.
func checkDataFiles(cfg *config.Config, files [][2]string) error {
	// MHE_DATA_DIR set to a file (a dataset's file instead of the folder
	// above it): every relative path fails with "not a directory", which
	// names neither data.dir nor the fix.
	relative := func(kv [2]string) bool { return !config.IsRooted(config.ExpandHome(kv[1])) }
	if dir := config.ExpandHome(cfg.Data.Dir); slices.ContainsFunc(files, relative) {
		if st, err := os.Stat(dir); err == nil && !st.IsDir() {
			return data.InputError(fmt.Errorf("data.dir %s is a file, not a directory: point MHE_DATA_DIR (or --set data.dir=DIR) at the folder that holds the datasets' folders", dir))
		}
	}
	var missing []string
	firstRelative := ""
	for _, kv := range files {
		path := cfg.Path(kv[1])
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			continue
		}
		missing = append(missing, fmt.Sprintf("  data.%s: %s", kv[0], path))
		if firstRelative == "" && relative(kv) {
			firstRelative = kv[1]
		}
	}
	if len(missing) == 0 {
		return nil
	}
	fix := "fix the paths in the config, or override them with --set data.KEY=PATH"
	if firstRelative != "" {
		top := strings.SplitN(filepath.ToSlash(firstRelative), "/", 2)[0]
		fix = fmt.Sprintf("relative paths are read under data.dir (%s); put the dataset's files there, "+
			"or point MHE_DATA_DIR (or --set data.dir=DIR) at the folder that holds %s", config.ExpandHome(cfg.Data.Dir), top)
		if top != firstRelative {
			fix += "/"
		}
		if relativeHere(files, relative) {
			fix = fmt.Sprintf("relative paths are read under data.dir (%s), not the current directory, where they are: "+
				"--set data.dir=. (or data.dir: . in the config, or MHE_DATA_DIR=.) reads them from there; "+
				"MHE_DATA_DIR, when set, overrides the config's data.dir", config.ExpandHome(cfg.Data.Dir))
		}
	}
	noun := "file"
	if len(missing) > 1 {
		noun = "files"
	}
	return data.InputError(fmt.Errorf("data %s not found:\n%s\n%s", noun, strings.Join(missing, "\n"), fix))
}

// relativeHere reports whether every relative path of files names a file
// under the current directory (a user who wrote "train: tr.txt" beside
// the file expects it to be read from there).
func relativeHere(files [][2]string, relative func([2]string) bool) bool {
	for _, kv := range files {
		if !relative(kv) {
			continue
		}
		if st, err := os.Stat(config.ExpandHome(kv[1])); err != nil || st.IsDir() {
			return false
		}
	}
	return true
}
