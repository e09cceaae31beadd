package modelio

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/flock"
)

func TestTensorRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.bin")
	in := []Tensor{
		{Name: "a", Dims: []int{2, 3}, F32: []float32{1, 2, 3, 4, 5, 6}},
		{Name: "perm", Dims: []int{3}, I32: []int32{2, 0, 1}},
		{Name: "counts", Dims: []int{2}, I64: []int64{7, 1 << 40}},
		{Name: "empty", Dims: []int{0}, F32: []float32{}},
	}
	info, err := WriteTensors(path, in)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Size() != info.Bytes || info.Bytes%64 != 0 {
		t.Errorf("size %d, file %d", info.Bytes, st.Size())
	}
	raw, _ := os.ReadFile(path)
	if sum := sha256.Sum256(raw); info.SHA256 != hex.EncodeToString(sum[:]) || info.CRC32C != fmt.Sprintf("%08x", crc32.Checksum(raw, crc32.MakeTable(crc32.Castagnoli))) {
		t.Errorf("checksums %+v differ from the file's", info)
	}
	f, err := ReadTensors(path, info)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := f.Get("a", Float32, 2, 3)
	if err != nil || !slices.Equal(a.F32, in[0].F32) {
		t.Errorf("a = %v %v", a, err)
	}
	p, _ := f.Get("perm", Int32, 3)
	c, _ := f.Get("counts", Int64, 2)
	if !slices.Equal(p.I32, in[1].I32) || !slices.Equal(c.I64, in[2].I64) {
		t.Error("int tensors differ")
	}
	if _, err := f.Get("a", Float32, 3, 2); !errors.Is(err, ErrCorrupt) {
		t.Error("wrong shape should be refused")
	}
	if _, err := f.Get("nope", Float32); !errors.Is(err, ErrCorrupt) {
		t.Error("missing tensor should be refused")
	}
}

func TestTensorFileDamage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.bin")
	info, _ := WriteTensors(path, []Tensor{{Name: "a", Dims: []int{4}, F32: []float32{1, 2, 3, 4}}})
	raw, _ := os.ReadFile(path)
	// The CRC-32C when the manifest has it, else the sha256 (a manifest
	// written before the CRC was added).
	for _, c := range []struct {
		want FileInfo
		name string
	}{
		{info, "crc32c"},
		{FileInfo{SHA256: info.SHA256, Bytes: info.Bytes}, "sha256"},
	} {
		flipped := slices.Clone(raw)
		flipped[len(flipped)-40] ^= 1
		os.WriteFile(path, flipped, 0o644)
		if _, err := ReadTensors(path, c.want); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "fails its "+c.name+" check") {
			t.Errorf("%s: flipped byte: %v", c.name, err)
		}
		// OpenTensors checks in the background: the directory parses, and
		// Verify (any number of times) reports the checksum.
		f, err := OpenTensors(path, c.want)
		if err != nil {
			t.Fatalf("%s: OpenTensors of a file with a damaged value: %v", c.name, err)
		}
		for range 2 {
			if err := f.Verify(); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), c.name) {
				t.Errorf("%s: Verify after a flipped byte: %v", c.name, err)
			}
		}
		if err := f.Close(); err != nil {
			t.Error(err)
		}
		os.WriteFile(path, raw, 0o644)
		if f, err := OpenTensors(path, c.want); err != nil || f.Verify() != nil {
			t.Errorf("%s: intact file: %v", c.name, err)
		} else {
			f.Close()
		}
		// A damaged directory is reported by the checksum when one is
		// given, as ReadTensors did by hashing first.
		header := slices.Clone(raw)
		header[4] = 9
		os.WriteFile(path, header, 0o644)
		for _, read := range []func(string, FileInfo) (*TensorFile, error){ReadTensors, OpenTensors} {
			if _, err := read(path, c.want); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), c.name) {
				t.Errorf("%s: damaged header with a checksum: %v", c.name, err)
			}
		}
	}
	future := slices.Clone(raw)
	future[4] = 9
	os.WriteFile(path, future, 0o644)
	if _, err := ReadTensors(path, FileInfo{}); !errors.Is(err, ErrIncompatible) {
		t.Errorf("future version: %v", err)
	}
	os.WriteFile(path, []byte("garbage"), 0o644)
	if _, err := ReadTensors(path, FileInfo{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("garbage: %v", err)
	}
	trunc := raw[:70]
	os.WriteFile(path, trunc, 0o644)
	if _, err := ReadTensors(path, FileInfo{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated: %v", err)
	}
	if _, err := ReadTensors(filepath.Join(dir, "missing.bin"), FileInfo{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("missing: %v", err)
	}
}

func TestPrepareRefusesExisting(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "m")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "manifest.json"), []byte("{}"), 0o644)
	d := Open(dir)
	if err := d.Prepare(false); !errors.Is(err, ErrExists) {
		t.Errorf("existing dir without force: %v", err)
	}
	if err := d.Prepare(true); err != nil {
		t.Fatal(err)
	}
	// A second process cannot take the lock.
	if err := Open(dir).Lock(); !errors.Is(err, ErrExists) {
		t.Errorf("second lock: %v", err)
	}
	d.Unlock()
	again := Open(dir)
	if err := again.Lock(); err != nil {
		t.Errorf("lock after unlock: %v", err)
	}
	again.Unlock() // Windows cannot remove a lock file still open
}

func TestManifestVersions(t *testing.T) {
	dir := t.TempDir()
	d := Open(dir)
	if _, err := d.ReadManifest(); !errors.Is(err, ErrCorrupt) {
		t.Errorf("no manifest: %v", err)
	}
	WriteJSON(d.File(ManifestFile), Manifest{Format: "mhe-model", FormatVersion: FormatVersion + 1, WeightsFile: "w.bin"})
	if _, err := d.ReadManifest(); !errors.Is(err, ErrIncompatible) {
		t.Errorf("future manifest: %v", err)
	}
	WriteJSON(d.File(ManifestFile), Manifest{Format: "mhe-model", FormatVersion: FormatVersion, WeightsFile: "../w.bin"})
	if _, err := d.ReadManifest(); !errors.Is(err, ErrCorrupt) {
		t.Errorf("path in weights name: %v", err)
	}
	for _, name := range []string{"", `sub\w.bin`, "sub/w.bin"} {
		WriteJSON(d.File(ManifestFile), Manifest{Format: "mhe-model", FormatVersion: FormatVersion, WeightsFile: name})
		if _, err := d.ReadManifest(); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "bad weights file name") {
			t.Errorf("weights file name %q: %v", name, err)
		}
	}
	WriteJSON(d.File(ManifestFile), Manifest{Format: "mhe-model", FormatVersion: FormatVersion, WeightsFile: "w.bin", Labels: 7})
	if m, err := d.ReadManifest(); err != nil || m.WeightsFile != "w.bin" || m.Labels != 7 {
		t.Errorf("a good manifest: %+v, %v", m, err)
	}
	// A file where the model directory should be.
	if _, err := Open(d.File(ManifestFile)).ReadManifest(); !errors.Is(err, ErrNoModel) || !strings.Contains(err.Error(), "it is a file") {
		t.Errorf("a file for a directory: %v", err)
	}
	// A hand-edited manifest is described by line and key, not by the Go
	// struct it is decoded into.
	os.WriteFile(d.File(ManifestFile), []byte("{\n  \"format\": \"mhe-model\",\n  \"labels\": \"many\"\n}\n"), 0o644)
	if _, err := d.ReadManifest(); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), `manifest.json: line 3: "labels" holds a string, want a whole number`) {
		t.Errorf("a string for a number: %v", err)
	}
}

// TestUnfinishedRun: a run that staged its config but wrote neither a
// checkpoint nor a manifest is named as unfinished, with the command that
// continues it; a checkpoint or a committed model changes the message.
func TestUnfinishedRun(t *testing.T) {
	dir := t.TempDir()
	d := Open(dir)
	if d.Unfinished() {
		t.Error("empty directory reported unfinished")
	}
	if err := d.Prepare(false); err != nil {
		t.Fatal(err)
	}
	d.Unlock()
	if err := os.WriteFile(d.Training(ConfigFile), []byte("name: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !d.Unfinished() {
		t.Error("staged config without a manifest not reported unfinished")
	}
	_, err := d.ReadManifest()
	if !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), "before its first checkpoint") ||
		!strings.Contains(err.Error(), "mhe train --resume "+dir) {
		t.Errorf("no checkpoint yet: %v", err)
	}
	if err := d.CommitCheckpoint(Checkpoint{Dir: "ckpt-0001-000000", Epoch: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ReadManifest(); !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), "holds an unfinished run") {
		t.Errorf("with a checkpoint: %v", err)
	}
	WriteJSON(d.File(ManifestFile), Manifest{Format: "mhe-model", FormatVersion: FormatVersion, WeightsFile: "w.bin"})
	if d.Unfinished() {
		t.Error("directory with a manifest reported unfinished")
	}
}

// FuzzParseTensors parses arbitrary bytes as a tensor file (the sha256
// check off): an error or a directory whose every tensor lies inside the
// data, never a panic.
func FuzzParseTensors(f *testing.F) {
	dir := f.TempDir()
	p := filepath.Join(dir, "w.bin")
	if _, err := WriteTensors(p, []Tensor{
		{Name: "enc.0.w", Dims: []int{3, 2}, F32: []float32{1, 2, 3, 4, 5, 6}},
		{Name: "perm", Dims: []int{4}, I32: []int32{3, 1, 0, 2}},
	}); err != nil {
		f.Fatal(err)
	}
	good, err := os.ReadFile(p)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("MHET"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tf := &TensorFile{Path: "fuzz.bin", data: b, Tensors: map[string]*Tensor{}}
		if err := tf.parse(); err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrIncompatible) {
				t.Fatalf("not a model error: %v", err)
			}
			return
		}
		for _, name := range tf.Names() {
			tt := tf.Tensors[name]
			if got := len(tt.bytes()); got != tt.elements()*tt.dtype().size() {
				t.Fatalf("tensor %s: %d bytes for %d elements", name, got, tt.elements())
			}
		}
	})
}

// On a file system without file locks (Lustre without flock, NFS without
// its lock manager) a run goes on unlocked and says why; any other failure
// to lock still stops it.
func TestLockUnsupportedFileSystem(t *testing.T) {
	defer func(f func(*os.File) error) { tryLock = f }(tryLock)
	dir := filepath.Join(t.TempDir(), "m")
	tryLock = func(*os.File) error { return fmt.Errorf("%w (function not implemented)", flock.ErrUnsupported) }
	d := Open(dir)
	if err := d.Prepare(false); err != nil {
		t.Fatalf("Prepare on a file system without locks: %v", err)
	}
	if d.Unlocked == nil || !strings.Contains(d.Unlocked.Error(), filepath.Join(dir, TrainingDir, "lock")) ||
		!errors.Is(d.Unlocked, flock.ErrUnsupported) {
		t.Errorf("Unlocked = %v, want the lock file and flock.ErrUnsupported", d.Unlocked)
	}
	tryLock = func(*os.File) error { return errors.New("input/output error") }
	d = Open(filepath.Join(t.TempDir(), "m2"))
	if err := d.Prepare(false); err == nil || !strings.Contains(err.Error(), "input/output error") || d.Unlocked != nil {
		t.Errorf("Prepare when locking fails otherwise: %v (Unlocked %v), want the error", err, d.Unlocked)
	}
}

// A run that commits under the lock removes the temporary files that
// earlier runs killed by SIGKILL left of the directory's own files, and
// nothing else; without the lock it removes none.
func TestCommitRemovesStaleTemps(t *testing.T) {
	stale := []string{".weights-pending.bin.tmp-2837461", ".manifest.json.tmp-12", ".metrics.jsonl.tmp-3", ".config.yaml.tmp-4",
		".weights-0123456789abcdef.bin.tmp-5", ".result.json.tmp-7", ".curves-loss.svg.tmp-8"}
	kept := []string{".pred.txt.tmp-6", ".manifest.json.tmp-x", "notes.txt", "weights-final.bin", "result.json.tmp-9"}
	commit := func(t *testing.T, d *Dir) {
		t.Helper()
		if err := d.Prepare(true); err != nil {
			t.Fatal(err)
		}
		for _, name := range append(slices.Clone(stale), kept...) {
			if err := os.WriteFile(d.File(name), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		os.WriteFile(d.Training(ConfigFile), []byte("name: x\n"), 0o644)
		if err := d.Commit(&Manifest{Format: "mhe-model", FormatVersion: FormatVersion, WeightsFile: "weights-final.bin"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	exists := func(d *Dir, name string) bool { _, err := os.Stat(d.File(name)); return err == nil }

	d := Open(t.TempDir())
	commit(t, d)
	for _, name := range stale {
		if exists(d, name) {
			t.Errorf("locked commit left %s", name)
		}
	}
	for _, name := range append(kept, ManifestFile, ConfigFile) {
		if !exists(d, name) {
			t.Errorf("locked commit removed %s", name)
		}
	}

	defer func(f func(*os.File) error) { tryLock = f }(tryLock)
	tryLock = func(*os.File) error { return fmt.Errorf("%w (function not implemented)", flock.ErrUnsupported) }
	d = Open(t.TempDir())
	commit(t, d)
	for _, name := range stale {
		if !exists(d, name) {
			t.Errorf("unlocked commit removed %s, which another job may be writing", name)
		}
	}
}

// A run killed at any step of its commit is either unfinished (its staged
// config is in the run area, so --resume continues it) or a finished model
// with its run record: never a model without its record, nor a directory
// that neither --resume nor --continue can take up.
func TestCommitKilledAtEachStep(t *testing.T) {
	defer func(f func(string) error) { commitHook = f }(commitHook)
	man := &Manifest{Format: "mhe-model", FormatVersion: FormatVersion, WeightsFile: "weights-final.bin"}
	record := []byte("{\"kind\": \"train\"}\n")
	for _, c := range []struct {
		step     string
		finished bool // the manifest is written
		force    bool // a --force run over an older model
	}{{"config", false, false}, {"record", false, false}, {"manifest", true, false}, {"", true, false},
		{"config", false, true}, {"record", false, true}, {"manifest", true, true}} {
		t.Run(fmt.Sprintf("killed after %s, force %v", c.step, c.force), func(t *testing.T) {
			d := Open(t.TempDir())
			if c.force {
				for name, body := range map[string]string{ManifestFile: `{"format": "mhe-model", "weights_file": "weights-old.bin"}`,
					ConfigFile: "name: old\n", RecordFile: "{}\n", "weights-old.bin": "o"} {
					os.WriteFile(d.File(name), []byte(body), 0o644)
				}
			}
			if err := d.Prepare(c.force); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(d.File("weights-final.bin"), []byte("w"), 0o644)
			os.WriteFile(d.Training(ConfigFile), []byte("name: x\n"), 0o644)
			killed := errors.New("killed")
			commitHook = func(step string) error {
				if step == c.step {
					return killed
				}
				return nil
			}
			err := d.Commit(man, record)
			if c.step != "" && !errors.Is(err, killed) || c.step == "" && err != nil {
				t.Fatalf("Commit: %v", err)
			}
			d.Unlock()
			_, staged := os.Stat(d.Training(ConfigFile))
			_, manifest := os.Stat(d.File(ManifestFile))
			rec, recErr := os.ReadFile(d.File(RecordFile))
			if (manifest == nil) != c.finished {
				t.Errorf("manifest present: %v, want %v (the old model's must go before its config is overwritten)", manifest == nil, c.finished)
			}
			if !c.finished && (staged != nil || !d.Unfinished()) {
				t.Errorf("killed before the manifest, the run is not resumable (staged config: %v)", staged)
			}
			if c.finished && (recErr != nil || !bytes.Equal(rec, record)) {
				t.Errorf("a finished model without its run record: %v %q", recErr, rec)
			}
			if c.step == "" && staged == nil {
				t.Error("a complete commit left the run area")
			}
			if cfg, err := os.ReadFile(d.File(ConfigFile)); err != nil || string(cfg) != "name: x\n" {
				t.Errorf("config.yaml: %q %v", cfg, err)
			}
		})
	}
}

// A commit without a run record removes the one an older model left, so
// that it cannot pass for the new model's.
func TestCommitWithoutRecordRemovesOld(t *testing.T) {
	d := Open(t.TempDir())
	os.WriteFile(d.File(RecordFile), []byte("{}\n"), 0o644)
	if err := d.Prepare(true); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(d.Training(ConfigFile), []byte("name: x\n"), 0o644)
	if err := d.Commit(&Manifest{Format: "mhe-model", FormatVersion: FormatVersion, WeightsFile: "weights-final.bin"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d.File(RecordFile)); err == nil {
		t.Error("the older model's result.json is still there")
	}
	// With no older record there is nothing to remove, and no error.
	if err := d.Prepare(true); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(d.Training(ConfigFile), []byte("name: x\n"), 0o644)
	if err := d.Commit(&Manifest{Format: "mhe-model", FormatVersion: FormatVersion, WeightsFile: "weights-final.bin"}, nil); err != nil {
		t.Errorf("a commit without a record, none there before: %v", err)
	}
}

// The tensor file's bytes, spelled out: a model written by one mhe must
// load in the next, so the layout is an interface. Little-endian "MHET",
// version 1, the tensor count and a zero word; per tensor its name length
// (uint16), name, dtype and rank bytes, dims, data offset and byte length
// (uint64s); then each tensor's data at the next multiple of 64, zero
// padded, and the file padded to a multiple of 64.
func TestTensorFileLayout(t *testing.T) {
	le := binary.LittleEndian
	var want []byte
	want = append(want, "MHET"...)
	want = le.AppendUint32(want, 1)
	want = le.AppendUint32(want, 2)
	want = le.AppendUint32(want, 0)
	want = le.AppendUint16(want, 1)
	want = append(want, 'a', 1, 2) // name, float32, rank 2
	for _, v := range []uint64{2, 3, 128, 24} {
		want = le.AppendUint64(want, v)
	}
	want = le.AppendUint16(want, 4)
	want = append(want, "perm"...)
	want = append(want, 2, 1) // int32, rank 1
	for _, v := range []uint64{3, 192, 12} {
		want = le.AppendUint64(want, v)
	}
	if len(want) != 85 {
		t.Fatalf("directory of %d bytes, want 85", len(want))
	}
	want = append(want, make([]byte, 128-85)...)
	for _, v := range []float32{1, 2, 3, 4, 5, 6} {
		want = le.AppendUint32(want, math.Float32bits(v))
	}
	want = append(want, make([]byte, 192-152)...)
	for _, v := range []int32{2, 0, -1} {
		want = le.AppendUint32(want, uint32(v))
	}
	want = append(want, make([]byte, 256-204)...)

	path := filepath.Join(t.TempDir(), "w.bin")
	info, err := WriteTensors(path, []Tensor{
		{Name: "a", Dims: []int{2, 3}, F32: []float32{1, 2, 3, 4, 5, 6}},
		{Name: "perm", Dims: []int{3}, I32: []int32{2, 0, -1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, want) || info.Bytes != 256 {
		t.Errorf("file (%d bytes, info %d):\n% x\nwant:\n% x", len(got), info.Bytes, got, want)
	}

	// The first data offset is the directory's size rounded up to 64: a
	// directory of 128 bytes puts the data at 128, one of 129 at 192.
	// (Each rank-2 entry takes 36 bytes and its name: 16 + 36 + 76 = 128.)
	for _, c := range []struct{ name, off int }{{76, 128}, {77, 192}} {
		name := strings.Repeat("w", c.name)
		info, err := WriteTensors(path, []Tensor{{Name: name, Dims: []int{1, 2}, F32: []float32{7, 8}}})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := os.ReadFile(path)
		if off := le.Uint64(raw[16+2+c.name+2+16:]); off != uint64(c.off) || info.Bytes != int64(c.off+64) {
			t.Errorf("name of %d bytes: data at %d in a file of %d, want %d in %d", c.name, off, info.Bytes, c.off, c.off+64)
		}
		f, err := ReadTensors(path, info)
		if err != nil {
			t.Fatal(err)
		}
		if w, err := f.Get(name, Float32, 1, 2); err != nil || !slices.Equal(w.F32, []float32{7, 8}) {
			t.Errorf("name of %d bytes: read back %v, %v", c.name, w, err)
		}
		f.Close()
	}

	// An empty tensor whose directory entry ends the file: 16 + 24 + 24
	// bytes, data offset 64 = the file's size, 0 bytes long.
	info, err = WriteTensors(path, []Tensor{{Name: strings.Repeat("e", 20), Dims: []int{0}, I64: []int64{}}})
	if err != nil {
		t.Fatal(err)
	}
	if info.Bytes != 64 {
		t.Fatalf("empty tensor: file of %d bytes, want 64", info.Bytes)
	}
	f, err := ReadTensors(path, info)
	if err != nil {
		t.Fatalf("a directory that ends the file: %v", err)
	}
	if e, err := f.Get(strings.Repeat("e", 20), Int64, 0); err != nil || e.I64 == nil || len(e.I64) != 0 {
		t.Errorf("empty tensor read back as %+v, %v", e, err)
	}
	f.Close()
}

// A committed checkpoint replaces the older ones: the pointer names the
// newest, and only its directory is left.
func TestCheckpointsReplaced(t *testing.T) {
	d := Open(t.TempDir())
	if err := d.Prepare(false); err != nil {
		t.Fatal(err)
	}
	defer d.Unlock()
	if c, err := d.ReadCheckpoint(); c != nil || err != nil {
		t.Errorf("before any checkpoint: %+v, %v", c, err)
	}
	for epoch := 1; epoch <= 3; epoch++ {
		name, path, err := d.NewCheckpointDir(epoch, 0)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(path, "w.bin"), []byte("x"), 0o644)
		if err := d.CommitCheckpoint(Checkpoint{Dir: name, Epoch: epoch}); err != nil {
			t.Fatal(err)
		}
		c, err := d.ReadCheckpoint()
		if err != nil || c.Dir != name || c.Epoch != epoch {
			t.Fatalf("after epoch %d: %+v, %v", epoch, c, err)
		}
		entries, _ := os.ReadDir(d.Training(""))
		var ckpts []string
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "ckpt-") {
				ckpts = append(ckpts, e.Name())
			}
		}
		if want := []string{fmt.Sprintf("ckpt-%04d-000000", epoch)}; !slices.Equal(ckpts, want) {
			t.Errorf("after epoch %d: checkpoint directories %v, want %v", epoch, ckpts, want)
		}
	}
}

// A tensor file cut short before its last tensor ends, or with a directory
// entry whose fields are out of bounds, is refused as corrupt (with no
// checksum to catch it first), never read past its end.
func TestTensorFileDirectoryDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.bin")
	if _, err := WriteTensors(path, []Tensor{
		{Name: "ab", Dims: []int{3, 2}, F32: []float32{1, 2, 3, 4, 5, 6}},
		{Name: "cd", Dims: []int{4}, I32: []int32{3, 1, 0, 2}},
	}); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	parse := func(b []byte) error {
		tf := &TensorFile{Path: "w.bin", data: b, Tensors: map[string]*Tensor{}}
		return tf.parse()
	}
	if err := parse(good); err != nil {
		t.Fatal(err)
	}
	// The directory (TestTensorFileLayout): the 16-byte header, then per
	// entry the name's length (2 bytes), the name, dtype and rank (1 byte
	// each), the dims, the data's offset and length (8 bytes each). "ab"
	// has dtype and rank at 20 and 21, dims at 22 and 30, offset at 38,
	// length at 46; "cd" its name at 56, offset at 68 and length at 76.
	le := binary.LittleEndian
	end := int(le.Uint64(good[68:]) + le.Uint64(good[76:]))
	if end != 192+16 {
		t.Fatalf("the last tensor ends at %d; the layout changed", end)
	}
	for n := range end {
		if err := parse(good[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("cut to %d of %d bytes: %v", n, len(good), err)
		}
	}
	with := func(edit func(b []byte)) []byte {
		b := slices.Clone(good)
		edit(b)
		return b
	}
	put := func(at int, v uint64) []byte { return with(func(b []byte) { le.PutUint64(b[at:], v) }) }
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"rank 9", with(func(b []byte) { b[21] = 9 }), "bad tensor entry ab"},
		{"an unknown dtype", with(func(b []byte) { b[20] = 0xEE }), "bad tensor entry ab"},
		{"a dim of 2^40+1", put(22, 1<<40+1), "bad dims for ab"},
		{"dims whose product passes 2^42", with(func(b []byte) { le.PutUint64(b[22:], 1<<40); le.PutUint64(b[30:], 8) }), "bad dims for ab"},
		// 2^40 · 2^40 wraps a uint64 to 0, which a length of 0 matched.
		{"dims whose product wraps to 0", with(func(b []byte) { le.PutUint64(b[22:], 1<<40); le.PutUint64(b[30:], 1<<40); le.PutUint64(b[46:], 0) }), "bad dims for ab"},
		{"an offset past the end", put(38, uint64(len(good))+64), "tensor ab lies outside the file"},
		{"an offset off the alignment", put(38, le.Uint64(good[38:])+4), "tensor ab lies outside the file"},
		{"a length past the end", put(46, uint64(len(good))), "tensor ab lies outside the file"},
		{"a length that is not the dims'", put(46, 20), "tensor ab lies outside the file"},
		{"two tensors of one name", with(func(b []byte) { copy(b[56:], "ab") }), "tensor ab appears twice"},
	} {
		if err := parse(c.b); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want a corrupt-file error naming %q", c.name, err, c.want)
		}
	}
}
