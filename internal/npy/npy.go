// Package npy writes and reads float32 matrices in NumPy's .npy format
// (version 1.0, dtype '<f4', C order), the format `mhe embed` exports
// encoder features in: numpy.load reads it directly.
//
// A Writer streams rows whose count need not be known up front: the header
// reserves a fixed-width row count, and Finish writes the real one in place
// when it differs from the count given to NewWriter (so a writer told the
// count can write to a pipe).
package npy

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"sync"
)

const (
	magic = "\x93NUMPY"
	// rowsWidth is the reserved width of the row count in the header.
	rowsWidth = 20
	// headerAlign: magic, version, length and dict are a multiple of 64.
	headerAlign = 64
)

// header returns the complete header of a rows × cols matrix.
func header(rows, cols int) []byte {
	dict := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%*d, %d), }", rowsWidth, rows, cols)
	pre := len(magic) + 2 + 2
	total := pre + len(dict) + 1
	pad := (headerAlign - total%headerAlign) % headerAlign
	dict += string(bytes.Repeat([]byte{' '}, pad)) + "\n"
	b := make([]byte, 0, pre+len(dict))
	b = append(b, magic...)
	b = append(b, 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(dict)))
	return append(b, dict...)
}

// Writer streams the rows of a float32 matrix with a fixed column count.
type Writer struct {
	bw       *bufio.Writer
	cols     int
	rows     int
	declared int // the row count in the header written first
	hlen     int
	buf      []byte
}

// NewWriter writes the header of a matrix with cols columns to w; rows is
// the row count if known up front, else -1.
func NewWriter(w io.Writer, cols, rows int) (*Writer, error) {
	if cols < 1 {
		return nil, fmt.Errorf("npy: %d columns", cols)
	}
	declared := max(rows, 0)
	h := header(declared, cols)
	bw := bufio.NewWriterSize(w, 1<<20)
	if _, err := bw.Write(h); err != nil {
		return nil, err
	}
	return &Writer{bw: bw, cols: cols, declared: declared, hlen: len(h), buf: make([]byte, 4*cols)}, nil
}

// Write appends one row of exactly cols values.
func (w *Writer) Write(row []float32) error {
	if len(row) != w.cols {
		return fmt.Errorf("npy: row of %d values, want %d", len(row), w.cols)
	}
	for i, v := range row {
		binary.LittleEndian.PutUint32(w.buf[4*i:], math.Float32bits(v))
	}
	if _, err := w.bw.Write(w.buf); err != nil {
		return err
	}
	w.rows++
	return nil
}

// Finish flushes the rows. When their count is not the one the header
// holds, it writes the count into the header at the start of at (the file
// the writer wrote to, from offset 0); at may be nil when NewWriter was
// given the count.
func (w *Writer) Finish(at io.WriterAt) error {
	if err := w.bw.Flush(); err != nil {
		return err
	}
	if w.rows == w.declared {
		return nil
	}
	if at == nil {
		return fmt.Errorf("npy: %d rows written but the header says %d, and it cannot be rewritten", w.rows, w.declared)
	}
	_, err := at.WriteAt(header(w.rows, w.cols), 0)
	return err
}

// ErrFormat reports a file that is not a float32 C-order .npy matrix.
var ErrFormat = errors.New("not a 2-d float32 (little-endian, C order) .npy file")

var shapeRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`'shape':\s*\(\s*(\d+)\s*,\s*(\d+)\s*,?\s*\)`) })

// Read reads a whole rows × cols float32 matrix (row-major).
func Read(r io.Reader) (rows, cols int, data []float32, err error) {
	br := bufio.NewReader(r)
	pre := make([]byte, len(magic)+2)
	if _, err := io.ReadFull(br, pre); err != nil || string(pre[:len(magic)]) != magic {
		return 0, 0, nil, fmt.Errorf("%w: bad magic", ErrFormat)
	}
	var hlen int
	switch pre[len(magic)] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return 0, 0, nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return 0, 0, nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		hlen = int(binary.LittleEndian.Uint32(b[:]))
	default:
		return 0, 0, nil, fmt.Errorf("%w: version %d", ErrFormat, pre[len(magic)])
	}
	if hlen > 1<<20 {
		return 0, 0, nil, fmt.Errorf("%w: header of %d bytes", ErrFormat, hlen)
	}
	h := make([]byte, hlen)
	if _, err := io.ReadFull(br, h); err != nil {
		return 0, 0, nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if !bytes.Contains(h, []byte("'descr': '<f4'")) || !bytes.Contains(h, []byte("'fortran_order': False")) {
		return 0, 0, nil, fmt.Errorf("%w: header %q", ErrFormat, bytes.TrimSpace(h))
	}
	m := shapeRE().FindSubmatch(h)
	if m == nil {
		return 0, 0, nil, fmt.Errorf("%w: header %q", ErrFormat, bytes.TrimSpace(h))
	}
	rows, err1 := strconv.Atoi(string(m[1]))
	cols, err2 := strconv.Atoi(string(m[2]))
	if err1 != nil || err2 != nil || rows < 0 || cols < 0 || (cols > 0 && rows > math.MaxInt32/cols) {
		return 0, 0, nil, fmt.Errorf("%w: shape (%s, %s)", ErrFormat, m[1], m[2])
	}
	// Read what is there before sizing anything by the header: a header
	// announcing 10^9 values over a few bytes must not allocate 4 GB.
	// In int64: 4 · (2^31 − 1) overflows a 32-bit int.
	want := 4 * int64(rows) * int64(cols)
	raw, err := io.ReadAll(io.LimitReader(br, want))
	if err != nil {
		return 0, 0, nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if int64(len(raw)) < want {
		return 0, 0, nil, fmt.Errorf("%w: %d × %d values announced, data ends early", ErrFormat, rows, cols)
	}
	data = make([]float32, rows*cols)
	for i := range data {
		data[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return rows, cols, data, nil
}
