package data

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// DefaultMaxLineBytes bounds one line of an input file. Real rows are far
// shorter (an XC row with 10^4 nonzeros is about 150 KB); a longer line is
// almost always a binary or corrupt file. A line is assembled in memory
// before it is parsed, so the bound also bounds what a bad line costs.
const DefaultMaxLineBytes = 64 << 20

const readBufferSize = 1 << 20

// Open opens path for reading ("-" is standard input) and decompresses gzip
// transparently, recognised by its magic bytes rather than the file name.
// The returned name is what error messages call the file.
func Open(path string) (io.ReadCloser, error) {
	var f io.ReadCloser
	if path == "-" {
		f = io.NopCloser(os.Stdin)
	} else {
		file, err := os.Open(path)
		if err != nil {
			return nil, inputErr(err)
		}
		st, err := file.Stat()
		if err == nil && st.IsDir() {
			file.Close()
			return nil, inputErr(fmt.Errorf("%s is a directory, not a data file", path))
		}
		f = file
		if err == nil && st.Mode().IsRegular() && st.Size() > 0 {
			f = &countingFile{File: file, size: st.Size()}
		}
	}
	return maybeGzip(f, displayName(path))
}

// countingFile counts the bytes read from a regular file of known size, so
// that a reader can tell how far into the file it is.
type countingFile struct {
	*os.File
	read, size int64
}

func (c *countingFile) Read(p []byte) (int, error) {
	n, err := c.File.Read(p)
	c.read += int64(n)
	return n, err
}

// progressReader is implemented by the readers Open returns for a regular
// file: how many of the file's bytes (compressed bytes for gzip) the bytes
// read so far came from, and its size (0, 0 when unknown).
type progressReader interface {
	Progress() (done, size int64)
}

// progress is the position of br's reader in the file f reads (when f is a
// countingFile): the bytes read from it less those still buffered.
func progress(f *countingFile, br *bufio.Reader) (done, size int64) {
	if f == nil {
		return 0, 0
	}
	return f.read - int64(br.Buffered()), f.size
}

func displayName(path string) string {
	if path == "-" {
		return "<stdin>"
	}
	return path
}

type gzipReadCloser struct {
	zr *gzip.Reader
	// ahead decompresses zr on its own goroutine, for a regular file (nil
	// for a stream: Read reads zr, and its position is unknown).
	ahead *readAhead
	under io.Closer
}

func (g gzipReadCloser) Read(p []byte) (int, error) {
	if g.ahead != nil {
		return g.ahead.Read(p)
	}
	return g.zr.Read(p)
}

func (g gzipReadCloser) Progress() (done, size int64) {
	if g.ahead != nil {
		return g.ahead.Progress()
	}
	return 0, 0
}

func (g gzipReadCloser) Close() error {
	if g.ahead != nil {
		g.ahead.Close() // before zr and the file: its goroutine reads them
	}
	g.zr.Close()
	return g.under.Close()
}

type bufReadCloser struct {
	*bufio.Reader
	io.Closer
	file *countingFile // nil when the size is unknown
}

func (b bufReadCloser) Progress() (done, size int64) { return progress(b.file, b.Reader) }

// OpenReader is Open for a stream that is already open (standard input):
// gzip is recognised by its magic bytes.
func OpenReader(r io.ReadCloser, name string) (io.ReadCloser, error) {
	return maybeGzip(r, name)
}

func maybeGzip(f io.ReadCloser, name string) (io.ReadCloser, error) {
	cf, _ := f.(*countingFile)
	br := bufio.NewReaderSize(f, readBufferSize)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, parseErr(name, 0, 0, ErrTruncated, "gzip header unreadable (%v); the file is damaged, copy or download it again", err)
		}
		g := gzipReadCloser{zr: zr, under: f}
		if cf != nil {
			g.ahead = newReadAhead(zr, func() (int64, int64) { return progress(cf, br) })
		}
		return g, nil
	}
	return bufReadCloser{Reader: br, Closer: f, file: cf}, nil
}

// lineReader yields the lines of a text stream without their "\n" or "\r\n"
// terminator. The returned slice is valid until the next call. Lines that do
// not fit the buffer are assembled in a growing side buffer, so a file of
// ordinary lines costs no allocation per line.
type lineReader struct {
	name    string
	br      *bufio.Reader
	line    int // number of the line last returned (1-based)
	long    []byte
	maxLine int
}

func newLineReader(r io.Reader, name string, maxLine int) *lineReader {
	if maxLine <= 0 {
		maxLine = DefaultMaxLineBytes
	}
	var br *bufio.Reader
	switch v := r.(type) {
	case *bufio.Reader:
		br = v
	case bufReadCloser:
		br = v.Reader
	}
	if br == nil || br.Size() < 64<<10 {
		br = bufio.NewReaderSize(r, readBufferSize)
	}
	return &lineReader{name: name, br: br, maxLine: maxLine}
}

// utf8BOM is the UTF-8 encoding of U+FEFF, the byte-order mark.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// next returns the next line (a byte-order mark at the start of the file
// removed), or io.EOF after the last one.
func (r *lineReader) next() ([]byte, error) {
	b, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], b...)
		for err == bufio.ErrBufferFull {
			if len(r.long) > r.maxLine {
				return nil, parseErr(r.name, r.line+1, 0, ErrLineLength,
					"line longer than %d bytes; this does not look like a text data file (binary or corrupt?)", r.maxLine)
			}
			b, err = r.br.ReadSlice('\n')
			r.long = appendDoubling(r.long, b)
		}
		b = r.long
	}
	if err != nil && err != io.EOF {
		return nil, r.streamErr(err)
	}
	if len(b) == 0 {
		return nil, io.EOF
	}
	if len(b) > r.maxLine {
		return nil, parseErr(r.name, r.line+1, 0, ErrLineLength,
			"line longer than %d bytes; this does not look like a text data file (binary or corrupt?)", r.maxLine)
	}
	if r.line == 0 {
		// A UTF-8 byte-order mark, which Windows editors and Excel's
		// "CSV UTF-8" write, is not part of the first line.
		b = bytes.TrimPrefix(b, utf8BOM)
	}
	r.line++
	if len(b) > 0 && b[len(b)-1] == '\n' {
		b = b[:len(b)-1]
	}
	if len(b) > 0 && b[len(b)-1] == '\r' {
		b = b[:len(b)-1]
	}
	return b, nil
}

// appendDoubling appends b to buf, at least doubling the capacity when it
// must grow: a long line costs about twice its length, not the many
// discarded copies of append's gentler growth for large slices.
func appendDoubling(buf, b []byte) []byte {
	if len(buf)+len(b) > cap(buf) {
		grown := make([]byte, len(buf), max(2*cap(buf), len(buf)+len(b)))
		copy(grown, buf)
		buf = grown
	}
	return append(buf, b...)
}

func (r *lineReader) streamErr(err error) error {
	var ce flate.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return parseErr(r.name, r.line+1, 0, ErrTruncated,
			"compressed stream ends early (truncated gzip); the file is incomplete, copy or download it again")
	case errors.As(err, &ce), errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader):
		return parseErr(r.name, r.line+1, 0, ErrTruncated,
			"corrupt gzip stream (%v); the file is damaged, copy or download it again", err)
	case errors.Is(err, ErrInput):
		return err
	default:
		return inputErr(fmt.Errorf("%s: read error after line %d: %w", r.name, r.line, err))
	}
}

// isBlank reports whether a line holds only spaces and tabs.
func isBlank(b []byte) bool {
	return len(bytes.TrimLeft(b, " \t")) == 0
}

// LineReader yields the lines of a text stream without their terminators;
// see lineReader. The slice returned by Next is valid until the next call.
type LineReader struct{ lr *lineReader }

// NewLineReader reads lines of r; name is used in errors.
func NewLineReader(r io.Reader, name string) *LineReader {
	return &LineReader{lr: newLineReader(r, name, 0)}
}

// Next returns the next line or io.EOF.
func (l *LineReader) Next() ([]byte, error) { return l.lr.next() }

// Line is the number of the line last returned (1-based).
func (l *LineReader) Line() int { return l.lr.line }
