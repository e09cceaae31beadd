package eval

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/mhe-xlc/mhe/internal/data"
)

// PredReader streams a prediction file: one line per input row of
// "label:score" pairs (an empty line is a row without predictions), with an
// optional "rows cols" header. This is the format of mhe predict, napkinXC
// and pyxclib/Parabel score files. Pairs need not be sorted: Next returns
// them by decreasing score, ties in file order.
type PredReader struct {
	rd     *data.Reader
	lines  *data.LineReader // with names
	names  map[string]int32
	hdr    [3]int // rows, cols, present (names mode)
	name   string
	row    data.Row
	order  []int
	labels []int32
	scores []float32
	// Duplicates in a long row: stamp[l] == gen marks label l as seen in
	// the current row (ids below maxStampLabel); mark holds larger ids.
	stamp []uint32
	gen   uint32
	mark  map[int32]struct{}
}

// maxStampLabel bounds the label ids duplicate marks in a dense array
// (64 MiB at most); a file with larger ids, a damaged one most likely,
// is checked with a map.
const maxStampLabel = 1 << 24

// NewPredReader starts reading predictions from r; name is used in errors.
func NewPredReader(r io.Reader, name string) (*PredReader, error) {
	rd, err := data.NewReader(r, name, data.ReadOptions{Format: data.FormatXCMatrix, OptionalHeader: true, KeepOrder: true, PairNames: [2]string{"label", "score"}})
	if err != nil {
		return nil, err
	}
	return &PredReader{rd: rd, name: name, mark: map[int32]struct{}{}}, nil
}

// NewPredReaderNames reads predictions whose labels are names ("name:score",
// as mhe predict --names writes them), mapped to ids by names. The name is
// what precedes the last ':' of a token.
func NewPredReaderNames(r io.Reader, name string, names map[string]int32) *PredReader {
	return &PredReader{lines: data.NewLineReader(r, name), name: name, names: names, mark: map[int32]struct{}{}}
}

// Header returns the declared rows and columns, if the file has a header.
func (p *PredReader) Header() (rows, cols int, ok bool) {
	if p.rd == nil {
		return p.hdr[0], p.hdr[1], p.hdr[2] == 1
	}
	h := p.rd.Header()
	return h.Rows, h.Features, h.Present
}

// Labels is the file's label count: its header's, else the largest label
// id of the rows read so far + 1 (the reader's count), 0 for a file of
// label names, whose ids are those of the names file. A file scored
// against a truth of C labels whose count is above C names labels the
// truth does not have: its ids may be 1-based, or it was made for another
// dataset.
func (p *PredReader) Labels() int {
	if p.rd == nil {
		return 0
	}
	return p.rd.NumFeatures()
}

// Line is the line last read (1-based, header included).
func (p *PredReader) Line() int {
	if p.rd == nil {
		return p.lines.Line()
	}
	return p.rd.Line()
}

// Next returns the next row's labels and scores, best first. The slices are
// reused by the following call. It returns io.EOF after the last row.
func (p *PredReader) Next() ([]int32, []float32, error) {
	if p.rd == nil {
		if err := p.readNamed(); err != nil {
			return nil, nil, err
		}
	} else if err := p.rd.Read(&p.row); err != nil {
		return nil, nil, err
	}
	ids, vals := p.row.Indices, p.row.Values
	n := len(ids)
	sorted := true
	for i := 1; i < n; i++ {
		if vals[i] > vals[i-1] {
			sorted = false
			break
		}
	}
	p.labels = append(p.labels[:0], ids...)
	p.scores = append(p.scores[:0], vals...)
	if !sorted {
		p.order = p.order[:0]
		for i := range n {
			p.order = append(p.order, i)
		}
		sort.SliceStable(p.order, func(a, b int) bool { return vals[p.order[a]] > vals[p.order[b]] })
		for i, o := range p.order {
			p.labels[i], p.scores[i] = ids[o], vals[o]
		}
	}
	if l, dup := p.duplicate(); dup {
		return nil, nil, &data.ParseError{File: p.name, Line: p.Line(),
			Err: fmt.Errorf("%w: label %s is predicted twice in this row; a prediction row lists each label once", data.ErrDuplicate, p.labelName(l))}
	}
	return p.labels, p.scores, nil
}

// labelName shows label l in a message: its id, or its name when the file
// holds names.
func (p *PredReader) labelName(l int32) string {
	for name, id := range p.names {
		if id == l {
			return strconv.Quote(name)
		}
	}
	return strconv.Itoa(int(l))
}

func (p *PredReader) duplicate() (int32, bool) {
	ls := p.labels
	if len(ls) <= 32 {
		for i := 1; i < len(ls); i++ {
			for j := 0; j < i; j++ {
				if ls[i] == ls[j] {
					return ls[i], true
				}
			}
		}
		return 0, false
	}
	// A dense array of row stamps: mhe predict's top-100 rows over 10^6
	// rows spent 1.5 s of 7.5 in a map here.
	if p.gen++; p.gen == 0 { // wrapped: stamps of old rows could match
		clear(p.stamp)
		p.gen = 1
	}
	if len(p.mark) > 0 {
		clear(p.mark)
	}
	for _, l := range ls {
		if int(l) >= len(p.stamp) && l < maxStampLabel {
			p.stamp = append(p.stamp, make([]uint32, max(int(l)+1, 2*len(p.stamp))-len(p.stamp))...)
		}
		if l < maxStampLabel {
			if p.stamp[l] == p.gen {
				return l, true
			}
			p.stamp[l] = p.gen
			continue
		}
		if _, dup := p.mark[l]; dup {
			return l, true
		}
		p.mark[l] = struct{}{}
	}
	return 0, false
}

// readNamed parses one "name:score name:score" line into p.row.
func (p *PredReader) readNamed() error {
	line, err := p.lines.Next()
	if err != nil {
		return err
	}
	if p.lines.Line() == 1 {
		f := bytes.Fields(line)
		if len(f) == 2 && !bytes.ContainsRune(line, ':') {
			r, e1 := strconv.Atoi(string(f[0]))
			c, e2 := strconv.Atoi(string(f[1]))
			if e1 == nil && e2 == nil {
				p.hdr = [3]int{r, c, 1}
				if line, err = p.lines.Next(); err != nil {
					return err
				}
			}
		}
	}
	p.row.Indices, p.row.Values = p.row.Indices[:0], p.row.Values[:0]
	next := 0 // where the previous token ended
	for _, tok := range bytes.Fields(line) {
		// Searched from the previous token's end: from the line's start
		// it could be found inside an earlier token ("ab:1 b:" is bad at
		// column 6, not 2).
		at := next + bytes.Index(line[next:], tok)
		col := at + 1
		next = at + len(tok)
		i := bytes.LastIndexByte(tok, ':')
		if i <= 0 {
			return &data.ParseError{File: p.name, Line: p.lines.Line(), Column: col, Err: fmt.Errorf("%w: expected name:score, found %q", data.ErrSyntax, tok)}
		}
		id, ok := p.names[string(tok[:i])]
		if !ok {
			return &data.ParseError{File: p.name, Line: p.lines.Line(), Column: col, Err: fmt.Errorf("%w: label name %q is not in the names file", data.ErrRange, tok[:i])}
		}
		v, err := strconv.ParseFloat(string(tok[i+1:]), 32)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return &data.ParseError{File: p.name, Line: p.lines.Line(), Column: col + i + 1, Err: fmt.Errorf("%w: bad score %q", data.ErrValue, tok[i+1:])}
		}
		p.row.Indices = append(p.row.Indices, id)
		p.row.Values = append(p.row.Values, float32(v))
	}
	return nil
}

// PredWriter writes predictions in the format PredReader reads: one line
// per row of "label:score" pairs in the order given (best first), scores
// with 6 decimals, an empty line for a row with none left. With names,
// label names replace the ids (PredReader reads them back with
// NewPredReaderNames); they must not be empty or hold whitespace
// (CheckPredNames).
type PredWriter struct {
	bw        *bufio.Writer
	names     []string
	threshold float64
	line      []byte
}

// CheckPredNames refuses label names (line i+1 of file) that a prediction
// file cannot hold: an empty one, or one with whitespace, which separates
// the pairs.
func CheckPredNames(names []string, file string) error {
	for i, n := range names {
		if n == "" || strings.ContainsAny(n, " \t") {
			return data.InputError(fmt.Errorf("%s:%d: label name %q is empty or has whitespace, which the label:score format cannot hold; use ids (drop --names)", file, i+1, n))
		}
	}
	return nil
}

// NewPredWriter writes to w (buffered: call Flush at the end). Pairs scoring
// below threshold are left out (0 keeps every pair: scores are
// probabilities).
func NewPredWriter(w io.Writer, names []string, threshold float64) *PredWriter {
	return &PredWriter{bw: bufio.NewWriterSize(w, 1<<20), names: names, threshold: threshold}
}

// Header writes the optional "rows labels" first line, which pyxclib's
// score-file reader expects.
func (p *PredWriter) Header(rows, labels int) error {
	_, err := fmt.Fprintf(p.bw, "%d %d\n", rows, labels)
	return err
}

// Write writes one row: labels and their scores, best first.
func (p *PredWriter) Write(labels []int32, scores []float32) error {
	b := p.line[:0]
	first := true
	for i, l := range labels {
		if float64(scores[i]) < p.threshold {
			break
		}
		if !first {
			b = append(b, ' ')
		}
		first = false
		if p.names != nil {
			b = append(b, p.names[l]...)
		} else {
			b = strconv.AppendInt(b, int64(l), 10)
		}
		b = append(b, ':')
		b = strconv.AppendFloat(b, float64(scores[i]), 'f', 6, 32)
	}
	p.line = append(b, '\n')
	_, err := p.bw.Write(p.line)
	return err
}

// Flush writes what is buffered.
func (p *PredWriter) Flush() error { return p.bw.Flush() }
