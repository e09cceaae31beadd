package modelio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mhe-xlc/mhe/internal/atomicfile"
	"github.com/mhe-xlc/mhe/internal/flock"
	"github.com/mhe-xlc/mhe/internal/jsonerr"
)

// FormatVersion is the model directory format this mhe writes and reads.
const FormatVersion = 1

// Names inside a model directory.
const (
	ManifestFile = "manifest.json"
	ConfigFile   = "config.yaml"
	MetricsFile  = "metrics.jsonl"
	RecordFile   = "result.json" // the run record, written by the commit just before the manifest
	TrainingDir  = "training"    // in-progress run: checkpoints, staged config
	pointerFile  = "checkpoint.json"
	lockFile     = "lock"
	// WeightsRemovedFile says why a model directory has no weights (a
	// sweep with keep_weights: false keeps only the records).
	WeightsRemovedFile = "WEIGHTS-REMOVED.txt"
)

// ErrWeightsRemoved: the model directory's weights were removed on
// purpose after training; its records remain.
var ErrWeightsRemoved = errors.New("model weights removed")

// ErrExists refuses to overwrite a model directory without --force.
var ErrExists = errors.New("model directory exists")

// FileInfo records one file of a model.
type FileInfo struct {
	// SHA256 is the file's identity (a weights file is named after it).
	SHA256 string `json:"sha256"`
	// CRC32C is the Castagnoli CRC-32 of the same bytes (8 hex digits),
	// which loading checks instead of SHA256 when the manifest has it. It
	// finds damage too (any burst of up to 32 flipped bits always, other
	// changes but for odds of 2^-32) at six times the speed (10 GB/s here
	// against 1.65): 1.4 GB of weights take 0.14 s to check instead of 0.8,
	// which a small prediction from a large model would wait for. Manifests
	// written before it was added lack it; their files are checked by
	// SHA256.
	CRC32C string `json:"crc32c,omitempty"`
	Bytes  int64  `json:"bytes"`
}

// DataInfo identifies a data file a model was trained on.
type DataInfo struct {
	Role   string `json:"role"` // train, validation, test
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Rows   int    `json:"rows"`
}

// Head is the head layout in a manifest.
type Head struct {
	Method        string `json:"method"`
	Loss          string `json:"loss"`
	Lengths       []int  `json:"lengths"`
	Beam          int    `json:"beam,omitempty"`
	BottleneckDim int    `json:"bottleneck_dim,omitempty"`
	Samples       int    `json:"samples,omitempty"`
	PathScore     string `json:"path_score,omitempty"`
	Params        int64  `json:"params"`
	VanillaParams int64  `json:"vanilla_params"`
}

// Encoder is the encoder in a manifest.
type Encoder struct {
	Type         string  `json:"type"`
	Hidden       []int   `json:"hidden,omitempty"`
	Activation   string  `json:"activation,omitempty"`
	Dropout      float64 `json:"dropout,omitempty"`
	HashFeatures int     `json:"hash_features,omitempty"`
}

// Preprocess is the input transformation saved with a model.
type Preprocess struct {
	TFIDF     bool   `json:"tfidf"`
	Normalize string `json:"normalize"`
}

// Manifest describes a trained model. It contains no timings or thread
// counts, so a given seed gives the same manifest whatever --threads.
type Manifest struct {
	Format           string              `json:"format"`
	FormatVersion    int                 `json:"format_version"`
	MHEVersion       string              `json:"mhe_version"`
	MHECommit        string              `json:"mhe_commit"`
	Name             string              `json:"name,omitempty"`
	Labels           int                 `json:"labels"`
	Features         int                 `json:"features"`
	InputFeatures    int                 `json:"input_features"`
	SingleLabel      bool                `json:"single_label"`
	Head             Head                `json:"head"`
	Encoder          Encoder             `json:"encoder"`
	Preprocess       Preprocess          `json:"preprocess"`
	LabelOrder       string              `json:"label_order"`
	LabelPermutation string              `json:"label_permutation"`
	Seed             uint64              `json:"seed"`
	Epochs           int                 `json:"epochs"`
	TrainRows        int                 `json:"train_rows"`
	WeightsFile      string              `json:"weights_file"`
	Files            map[string]FileInfo `json:"files"`
	TrainingData     []DataInfo          `json:"training_data"`
}

// Dir is a model directory.
type Dir struct {
	Path string
	// Unlocked is why Lock took no lock (nil when it took one, or was not
	// called): the file system does not support file locks, and nothing
	// stops a second job from training into the directory.
	Unlocked error
	lock     *os.File
}

// Open returns the directory handle without creating anything.
func Open(path string) *Dir { return &Dir{Path: path} }

// File is the path of a file in the directory.
func (d *Dir) File(name string) string { return filepath.Join(d.Path, name) }

// Training is the path of a file in the in-progress run area.
func (d *Dir) Training(name string) string { return filepath.Join(d.Path, TrainingDir, name) }

// Prepare makes the directory ready for a new run: it refuses an existing
// model (a manifest or an unfinished run) unless force, creates the
// directories and takes the run lock. With force the old model stays
// readable until the new one's commit begins.
func (d *Dir) Prepare(force bool) error {
	if st, err := os.Stat(d.Path); err == nil {
		if !st.IsDir() {
			return fmt.Errorf("%w: %s is a file, not a model directory", ErrExists, d.Path)
		}
		entries, _ := os.ReadDir(d.Path)
		if len(entries) > 0 && !force {
			return fmt.Errorf("%w: %s is not empty; pass --force to overwrite it, or --resume to continue an unfinished run", ErrExists, d.Path)
		}
	}
	if err := os.MkdirAll(d.Training(""), 0o755); err != nil {
		return err
	}
	if err := d.Lock(); err != nil {
		return err
	}
	// A fresh run: forget any unfinished one.
	return d.clearCheckpoints()
}

// Abandon undoes Prepare for a run that failed before training: it
// releases the lock, removes the run area, and removes the directory itself
// when created (Prepare made it) and it is now empty. A model that was
// already there (a --force run) is untouched.
func (d *Dir) Abandon(created bool) {
	d.Unlock()
	os.RemoveAll(d.Training(""))
	if created {
		os.Remove(d.Path) // only succeeds when empty
	}
}

// Unfinished reports whether the directory holds a run that started (its
// config is staged in the run area) and has not committed a model yet:
// mhe train --resume continues it, from its newest checkpoint if any.
func (d *Dir) Unfinished() bool {
	if _, err := os.Stat(d.File(ManifestFile)); err == nil {
		return false
	}
	_, err := os.Stat(d.Training(ConfigFile))
	return err == nil
}

// tryLock is flock.TryLock (tests replace it).
var tryLock = flock.TryLock

// Lock takes an exclusive lock on the run area so that two jobs cannot
// train into the same directory. On a file system without file locks it
// goes on without one and says why in d.Unlocked: a cluster's scratch file
// system (Lustre without flock, NFS without its lock manager) must not stop
// every run.
func (d *Dir) Lock() error {
	if err := os.MkdirAll(d.Training(""), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(d.Training(lockFile), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if errors.Is(err, flock.ErrUnsupported) {
			d.Unlocked = fmt.Errorf("%s: %w", d.Training(lockFile), err)
			return nil
		}
		if errors.Is(err, flock.ErrLocked) {
			return fmt.Errorf("%w: another mhe process is training into %s", ErrExists, d.Path)
		}
		return fmt.Errorf("locking %s: %w", d.Training(lockFile), err)
	}
	d.lock = f
	return nil
}

// Unlock releases the run lock.
func (d *Dir) Unlock() {
	if d.lock != nil {
		d.lock.Close()
		d.lock = nil
	}
}

// commitHook is called after each step of Commit with the step's name;
// tests make it fail to stand for a kill at that moment.
var commitHook = func(step string) error { return nil }

// WriteJSON writes v as indented JSON atomically.
func WriteJSON(path string, v any) error {
	b, err := JSONBytes(v)
	if err != nil {
		return err
	}
	return WriteBytes(path, b)
}

// JSONBytes is what WriteJSON writes: v as indented JSON and a newline.
func JSONBytes(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// ReadManifest reads and checks the manifest: format name and version.
func (d *Dir) ReadManifest() (*Manifest, error) {
	if st, err := os.Stat(d.Path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s: no such directory; give the directory mhe train --out wrote", ErrNoModel, d.Path)
	} else if err == nil && !st.IsDir() {
		return nil, fmt.Errorf("%w at %s: it is a file, not a model directory; give the directory mhe train --out wrote", ErrNoModel, d.Path)
	}
	raw, err := os.ReadFile(d.File(ManifestFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			if _, err2 := os.Stat(d.Training(pointerFile)); err2 == nil {
				return nil, fmt.Errorf("%w: %s holds an unfinished run (no manifest yet); finish it with mhe train --resume %s", ErrIncompatible, d.Path, d.Path)
			}
			if d.Unfinished() {
				return nil, fmt.Errorf("%w: %s holds a run that stopped before its first checkpoint (no manifest yet); run it again from the start with mhe train --resume %s", ErrIncompatible, d.Path, d.Path)
			}
			return nil, fmt.Errorf("%w: %s has no %s; is it a model directory written by mhe train?", ErrCorrupt, d.Path, ManifestFile)
		}
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %s: %s", ErrCorrupt, d.File(ManifestFile), jsonerr.Describe(raw, err))
	}
	if m.Format != "mhe-model" {
		return nil, fmt.Errorf("%w: %s is not an mhe model manifest", ErrCorrupt, d.File(ManifestFile))
	}
	if m.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%w: %s has format version %d; this mhe reads version %d (use the mhe version that wrote it: %s)",
			ErrIncompatible, d.Path, m.FormatVersion, FormatVersion, m.MHEVersion)
	}
	if m.WeightsFile == "" || strings.ContainsAny(m.WeightsFile, `/\`) {
		return nil, fmt.Errorf("%w: %s: bad weights file name %q", ErrCorrupt, d.File(ManifestFile), m.WeightsFile)
	}
	return &m, nil
}

// VerifyFile checks a file of the model against the manifest's checksum.
func (d *Dir) VerifyFile(m *Manifest, name string) error {
	info, ok := m.Files[name]
	if !ok {
		return fmt.Errorf("%w: the manifest lists no %s", ErrCorrupt, name)
	}
	sum, err := SHA256File(d.File(name))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if sum != info.SHA256 {
		return fmt.Errorf("%w: %s fails its sha256 check (changed or damaged after training)", ErrCorrupt, d.File(name))
	}
	return nil
}

// Checkpoint is the pointer to the newest complete checkpoint.
type Checkpoint struct {
	Dir   string `json:"dir"`   // subdirectory of training/
	Epoch int    `json:"epoch"` // epochs completed
	Batch int    `json:"batch"` // batches completed in the next epoch (interrupted runs)
}

// ReadCheckpoint returns the newest checkpoint, or nil if there is none.
func (d *Dir) ReadCheckpoint() (*Checkpoint, error) {
	raw, err := os.ReadFile(d.Training(pointerFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c Checkpoint
	if err := json.Unmarshal(raw, &c); err != nil || c.Dir == "" || strings.ContainsAny(c.Dir, `/\`) {
		return nil, fmt.Errorf("%w: %s is damaged", ErrCorrupt, d.Training(pointerFile))
	}
	return &c, nil
}

// NewCheckpointDir creates the directory for the next checkpoint.
func (d *Dir) NewCheckpointDir(epoch, batch int) (string, string, error) {
	name := fmt.Sprintf("ckpt-%04d-%06d", epoch, batch)
	path := d.Training(name)
	os.RemoveAll(path)
	return name, path, os.MkdirAll(path, 0o755)
}

// CommitCheckpoint points at a complete checkpoint and removes older ones.
func (d *Dir) CommitCheckpoint(c Checkpoint) error {
	if err := WriteJSON(d.Training(pointerFile), c); err != nil {
		return err
	}
	entries, _ := os.ReadDir(d.Training(""))
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "ckpt-") && e.Name() != c.Dir {
			os.RemoveAll(d.Training(e.Name()))
		}
	}
	return nil
}

func (d *Dir) clearCheckpoints() error {
	os.Remove(d.Training(pointerFile))
	entries, _ := os.ReadDir(d.Training(""))
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "ckpt-") {
			if err := os.RemoveAll(d.Training(e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// Commit finishes a run. First it removes the manifest of the model it
// replaces (a --force run's), and writes what describes the new model:
// config.yaml, a copy of the staged config, and the run record (result.json)
// when record is not nil. Then the manifest, the commit point. Last it
// removes the run area and the weights files of older models. The staged
// config stays in the run area until the manifest is written, so a run
// killed at any moment before that is an unfinished run that --resume
// continues; one killed after it is a model with its run record (and, for
// the moment before the run area goes, a leftover staged config, which a
// resume takes for an unfinished run: it trains the last epochs again and
// commits the same bytes).
func (d *Dir) Commit(m *Manifest, record []byte) error {
	staged, err := os.ReadFile(d.Training(ConfigFile))
	if err != nil {
		return err
	}
	// The model a --force run replaces stops being one before its
	// config.yaml and result.json are overwritten: its manifest would
	// name the old files' checksums.
	if err := os.Remove(d.File(ManifestFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := WriteBytes(d.File(ConfigFile), staged); err != nil {
		return err
	}
	if err := commitHook("config"); err != nil {
		return err
	}
	if record != nil {
		if err := WriteBytes(d.File(RecordFile), record); err != nil {
			return err
		}
		if err := commitHook("record"); err != nil {
			return err
		}
	} else if err := os.Remove(d.File(RecordFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err // an older model's record must not pass for this one's
	}
	if err := WriteJSON(d.File(ManifestFile), m); err != nil {
		return err
	}
	if err := commitHook("manifest"); err != nil {
		return err
	}
	entries, _ := os.ReadDir(d.Path)
	var stale []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "weights-") && e.Name() != m.WeightsFile {
			stale = append(stale, e.Name())
		}
	}
	sort.Strings(stale)
	for _, s := range stale {
		os.Remove(d.File(s))
	}
	os.Remove(d.File(WeightsRemovedFile)) // a retrained model has weights again
	d.removeStaleTemps()
	d.Unlock()
	return os.RemoveAll(d.Training(""))
}

// removeStaleTemps removes the temporary files of the files a training run
// writes into the directory (weights, manifest, config, metrics, the run
// record, and the curves the CLI draws after the commit) that earlier runs
// killed by SIGKILL left, such as a weights file half written when the OOM
// killer or a hard time limit struck: at 10^6 labels each is a gigabyte of
// scratch space, and a job killed and resumed several times would leave
// one per kill. It runs only under the run lock, so no other training is
// writing them, and before this run writes its record. Other files (a
// prediction a user wrote into the directory) are left alone.
func (d *Dir) removeStaleTemps() {
	if d.lock == nil {
		return
	}
	entries, _ := os.ReadDir(d.Path)
	for _, e := range entries {
		target, ok := atomicfile.TempTarget(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		switch {
		case target == ManifestFile, target == ConfigFile, target == MetricsFile, target == WeightsRemovedFile,
			target == RecordFile, strings.HasPrefix(target, "curves-"),
			strings.HasPrefix(target, "weights-") && strings.HasSuffix(target, ".bin"):
			os.Remove(d.File(e.Name()))
		}
	}
}

// RemoveWeights deletes a finished model's weights file and leaves
// WeightsRemovedFile with why in its place; the manifest, config and records
// stay. The note is written first, so an interrupted removal leaves a note
// beside the weights and running it again finishes it. A directory without
// weights and with the note is left as it is.
func (d *Dir) RemoveWeights(why string) error {
	m, err := d.ReadManifest()
	if err != nil {
		return err
	}
	if _, err := os.Stat(d.File(m.WeightsFile)); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(d.File(WeightsRemovedFile)); err == nil {
			return nil
		}
	}
	note := fmt.Sprintf("The weights of this model (%s, sha256 %s, %d bytes) were removed after training: %s.\n"+
		"manifest.json, config.yaml and the run records stay. To have the model again, train it anew:\n"+
		"  mhe train --config %s --out NEWDIR\n", m.WeightsFile, m.Files[m.WeightsFile].SHA256, m.Files[m.WeightsFile].Bytes, why, d.File(RecordFile))
	if err := WriteBytes(d.File(WeightsRemovedFile), []byte(note)); err != nil {
		return err
	}
	if err := os.Remove(d.File(m.WeightsFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// WeightsRemoved returns ErrWeightsRemoved, with the note, when the
// directory's weights were removed on purpose (RemoveWeights).
func (d *Dir) WeightsRemoved(m *Manifest) error {
	if _, err := os.Stat(d.File(m.WeightsFile)); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	note, err := os.ReadFile(d.File(WeightsRemovedFile))
	if err != nil {
		return nil
	}
	first, _, _ := strings.Cut(string(note), "\n")
	return fmt.Errorf("%w: %s: %s (retrain with: mhe train --config %s --out NEWDIR)", ErrWeightsRemoved, filepath.Clean(d.Path), strings.TrimSpace(first), d.File(RecordFile))
}

// WriteBytes writes b to path atomically.
func WriteBytes(path string, b []byte) error {
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error { _, err := w.Write(b); return err })
}
