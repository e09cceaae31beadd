// Package modelio reads and writes mhe model directories: the tensor file
// format, the manifest, and checkpoints. Every file is written atomically
// (temporary file + rename); loading verifies checksums (CRC-32C where the
// manifest has one, else sha256) and format versions and reports problems
// as ErrCorrupt or ErrIncompatible.
//
// Tensor file format (all integers little-endian):
//
//	offset 0   magic "MHET", uint32 version (1), uint32 tensor count, uint32 0
//	then, per tensor: uint16 name length, name (UTF-8), uint8 dtype
//	           (1 float32, 2 int32, 3 int64), uint8 rank, rank × uint64 dims,
//	           uint64 data offset (from the file start, 64-byte aligned),
//	           uint64 data length in bytes
//	then       the data blocks, each starting at its offset, zero padding
//	           between them
//
// Data is stored in the host layout of little-endian machines, so a loaded
// file is used in place (memory-mapped) without copying.
package modelio

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"sort"
	"unsafe"

	"github.com/mhe-xlc/mhe/internal/atomicfile"
)

// Errors for unusable model files; the CLI maps them to exit code 4.
var (
	ErrCorrupt      = errors.New("model corrupt")
	ErrIncompatible = errors.New("model incompatible")
	// ErrNoModel: the path is not there, or is a file.
	ErrNoModel = errors.New("no model")
)

const (
	tensorMagic   = "MHET"
	tensorVersion = 1
	align         = 64
)

// DType is a tensor element type.
type DType uint8

const (
	Float32 DType = 1
	Int32   DType = 2
	Int64   DType = 3
)

func (d DType) size() int {
	switch d {
	case Float32, Int32:
		return 4
	case Int64:
		return 8
	}
	return 0
}

// Tensor is a named array. Exactly one of F32, I32, I64 is set.
type Tensor struct {
	Name string
	Dims []int
	F32  []float32
	I32  []int32
	I64  []int64
}

func (t *Tensor) dtype() DType {
	switch {
	case t.I32 != nil:
		return Int32
	case t.I64 != nil:
		return Int64
	}
	return Float32
}

func (t *Tensor) bytes() []byte {
	switch {
	case t.I32 != nil:
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(t.I32))), len(t.I32)*4)
	case t.I64 != nil:
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(t.I64))), len(t.I64)*8)
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(t.F32))), len(t.F32)*4)
}

func (t *Tensor) elements() int {
	n := 1
	for _, d := range t.Dims {
		n *= d
	}
	return n
}

// LittleEndian reports whether this CPU stores numbers little-endian, as
// mhe's model files (mapped into memory as they are) and its data arrays
// assume: amd64, arm64, ppc64le, riscv64 and the others Go supports but
// s390x and the big-endian MIPS and PowerPC. The command refuses to run on
// the rest.
func LittleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

// castagnoli is the CRC-32C table (hardware instructions on amd64 and
// arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// WriteTensors writes the tensors to path atomically and returns the
// file's size and checksums (sha256 and CRC-32C).
func WriteTensors(path string, tensors []Tensor) (FileInfo, error) {
	return writeTensors(path, tensors, true)
}

// WriteTensorsCRC is WriteTensors without the sha256, which costs about
// 0.6 s per GB: for checkpoints, which need their CRC-32C to be checked
// on resume but no identity.
func WriteTensorsCRC(path string, tensors []Tensor) (FileInfo, error) {
	return writeTensors(path, tensors, false)
}

func writeTensors(path string, tensors []Tensor, withSHA bool) (info FileInfo, err error) {
	for i := range tensors {
		if tensors[i].elements() != len(tensors[i].bytes())/tensors[i].dtype().size() {
			return FileInfo{}, fmt.Errorf("modelio: tensor %s: dims %v do not match %d elements", tensors[i].Name, tensors[i].Dims, len(tensors[i].bytes())/tensors[i].dtype().size())
		}
	}
	// Directory size, then aligned data offsets.
	hdr := 16
	for _, t := range tensors {
		hdr += 2 + len(t.Name) + 2 + 8*len(t.Dims) + 16
	}
	offsets := make([]int64, len(tensors))
	off := roundUp(int64(hdr))
	for i := range tensors {
		offsets[i] = off
		off = roundUp(off + int64(len(tensors[i].bytes())))
	}
	err = atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		c := crc32.New(castagnoli)
		sums := []io.Writer{w, c}
		var h hash.Hash
		if withSHA {
			h = sha256.New()
			sums = append(sums, h)
		}
		bw := bufio.NewWriterSize(io.MultiWriter(sums...), 1<<20)
		var b []byte
		b = append(b, tensorMagic...)
		b = binary.LittleEndian.AppendUint32(b, tensorVersion)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(tensors)))
		b = binary.LittleEndian.AppendUint32(b, 0)
		for i, t := range tensors {
			b = binary.LittleEndian.AppendUint16(b, uint16(len(t.Name)))
			b = append(b, t.Name...)
			b = append(b, byte(t.dtype()), byte(len(t.Dims)))
			for _, d := range t.Dims {
				b = binary.LittleEndian.AppendUint64(b, uint64(d))
			}
			b = binary.LittleEndian.AppendUint64(b, uint64(offsets[i]))
			b = binary.LittleEndian.AppendUint64(b, uint64(len(t.bytes())))
		}
		pos := int64(len(b))
		if _, err := bw.Write(b); err != nil {
			return err
		}
		zeros := make([]byte, align)
		for i := range tensors {
			if _, err := bw.Write(zeros[:offsets[i]-pos]); err != nil {
				return err
			}
			data := tensors[i].bytes()
			if _, err := bw.Write(data); err != nil {
				return err
			}
			pos = offsets[i] + int64(len(data))
		}
		if _, err := bw.Write(zeros[:roundUp(pos)-pos]); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		info = FileInfo{CRC32C: hex.EncodeToString(c.Sum(nil)), Bytes: roundUp(pos)}
		if h != nil {
			info.SHA256 = hex.EncodeToString(h.Sum(nil))
		}
		return nil
	})
	return info, err
}

func roundUp(v int64) int64 { return (v + align - 1) / align * align }

// TensorFile is a loaded tensor file. Its tensors alias the file's memory
// (read-only when mapped): Copy before modifying.
type TensorFile struct {
	Path    string
	Tensors map[string]*Tensor
	data    []byte
	unmap   func() error
	// checked is closed when the background checksum of OpenTensors ends,
	// with its outcome in sumErr (nil when nothing is checked).
	checked chan struct{}
	sumErr  error
}

// Verify waits for the checksum check OpenTensors started and returns its
// error (nil when the file matches or no checksum was asked for).
func (f *TensorFile) Verify() error {
	if f.checked == nil {
		return nil
	}
	<-f.checked
	return f.sumErr
}

// Close releases the mapping, after any checksum check still reading it;
// the tensors must not be used afterwards.
func (f *TensorFile) Close() error {
	if f.checked != nil {
		<-f.checked
	}
	if f.unmap != nil {
		err := f.unmap()
		f.unmap = nil
		return err
	}
	return nil
}

// Names lists the tensor names, sorted.
func (f *TensorFile) Names() []string {
	var names []string
	for n := range f.Tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Get returns a tensor by name, checking its type and dims (nil dims: any).
func (f *TensorFile) Get(name string, dt DType, dims ...int) (*Tensor, error) {
	t, ok := f.Tensors[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s has no tensor %q", ErrCorrupt, f.Path, name)
	}
	if t.dtype() != dt {
		return nil, fmt.Errorf("%w: %s: tensor %q has the wrong element type", ErrCorrupt, f.Path, name)
	}
	if dims != nil {
		if len(dims) != len(t.Dims) {
			return nil, fmt.Errorf("%w: %s: tensor %q has shape %v, want %v", ErrCorrupt, f.Path, name, t.Dims, dims)
		}
		for i := range dims {
			if dims[i] != t.Dims[i] {
				return nil, fmt.Errorf("%w: %s: tensor %q has shape %v, want %v", ErrCorrupt, f.Path, name, t.Dims, dims)
			}
		}
	}
	return t, nil
}

// ReadTensors maps (or reads) a tensor file, verifies it against want's
// checksum (its CRC32C when set, else its SHA256 when set; none when both
// are empty) and parses its directory.
func ReadTensors(path string, want FileInfo) (*TensorFile, error) {
	f, err := OpenTensors(path, want)
	if err != nil {
		return nil, err
	}
	if err := f.Verify(); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// OpenTensors is ReadTensors with the checksum run in the background, so
// that a caller can do other work (read its input) while the file is
// checked: the tensors may be bound at once, but nothing computed from them
// may be trusted, or written out, before Verify returns nil. A file whose
// directory does not parse is reported by its checksum when that fails too,
// so both functions give the same error for a damaged file.
func OpenTensors(path string, want FileInfo) (*TensorFile, error) {
	data, src, unmap, err := mapFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s is missing: %v", ErrCorrupt, path, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	f := &TensorFile{Path: path, data: data, unmap: unmap, Tensors: map[string]*Tensor{}}
	if h, sum, name := checksum(want); h != nil {
		f.checked = make(chan struct{})
		go func() {
			defer close(f.checked)
			// Through the file, not the mapping: reading the mapping
			// would fault in every page (a second per 1.4 GB here) and
			// leave the whole model resident, when a small prediction
			// touches a few of its rows.
			var r io.Reader = bytes.NewReader(data)
			if src != nil {
				r = io.NewSectionReader(src, 0, int64(len(data)))
			}
			if _, err := io.CopyBuffer(h, r, make([]byte, 1<<20)); err != nil {
				f.sumErr = fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
				return
			}
			if hex.EncodeToString(h.Sum(nil)) != sum {
				f.sumErr = fmt.Errorf("%w: %s fails its %s check (the file was changed or damaged after training; retrain or restore it)", ErrCorrupt, path, name)
			}
		}()
	}
	if err := f.parse(); err != nil {
		if serr := f.Verify(); serr != nil {
			err = serr
		}
		f.Close()
		return nil, err
	}
	return f, nil
}

// checksum returns the hash that want asks a file to be checked with (its
// CRC32C when set, else its SHA256), the hex sum it must give and the
// checksum's name; a nil hash when want has neither.
func checksum(want FileInfo) (h hash.Hash, sum, name string) {
	switch {
	case want.CRC32C != "":
		return crc32.New(castagnoli), want.CRC32C, "crc32c"
	case want.SHA256 != "":
		return sha256.New(), want.SHA256, "sha256"
	}
	return nil, "", ""
}

func (f *TensorFile) parse() error {
	d := f.data
	bad := func(why string) error { return fmt.Errorf("%w: %s: %s", ErrCorrupt, f.Path, why) }
	if len(d) < 16 || string(d[:4]) != tensorMagic {
		return bad("not an mhe tensor file")
	}
	if v := binary.LittleEndian.Uint32(d[4:]); v != tensorVersion {
		return fmt.Errorf("%w: %s has tensor format version %d; this mhe reads version %d (use a matching mhe version)", ErrIncompatible, f.Path, v, tensorVersion)
	}
	n := int(binary.LittleEndian.Uint32(d[8:]))
	pos := 16
	need := func(k int) bool { return pos+k <= len(d) }
	for range n {
		if !need(2) {
			return bad("truncated directory")
		}
		nl := int(binary.LittleEndian.Uint16(d[pos:]))
		pos += 2
		if !need(nl + 2) {
			return bad("truncated directory")
		}
		name := string(d[pos : pos+nl])
		pos += nl
		dt, rank := DType(d[pos]), int(d[pos+1])
		pos += 2
		if dt.size() == 0 || rank > 8 || !need(8*rank+16) {
			return bad("bad tensor entry " + name)
		}
		t := &Tensor{Name: name}
		elems := uint64(1)
		for range rank {
			dim := binary.LittleEndian.Uint64(d[pos:])
			pos += 8
			// Each dim and the running product stay at most 2^40 and
			// 2^42, checked before multiplying: 2^40 · 2^40 wraps to 0.
			if dim > 1<<40 || (dim != 0 && elems > (1<<42)/dim) {
				return bad("bad dims for " + name)
			}
			t.Dims = append(t.Dims, int(dim))
			elems *= dim
		}
		off := binary.LittleEndian.Uint64(d[pos:])
		length := binary.LittleEndian.Uint64(d[pos+8:])
		pos += 16
		if off%align != 0 || off > uint64(len(d)) || length > uint64(len(d))-off || length != elems*uint64(dt.size()) {
			return bad("tensor " + name + " lies outside the file")
		}
		raw := d[off : off+length]
		switch dt {
		case Float32:
			t.F32 = unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(raw))), elems)
		case Int32:
			t.I32 = unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(raw))), elems)
		case Int64:
			t.I64 = unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(raw))), elems)
		}
		if elems == 0 {
			switch dt {
			case Float32:
				t.F32 = []float32{}
			case Int32:
				t.I32 = []int32{}
			case Int64:
				t.I64 = []int64{}
			}
		}
		if _, dup := f.Tensors[name]; dup {
			return bad("tensor " + name + " appears twice")
		}
		f.Tensors[name] = t
	}
	return nil
}
