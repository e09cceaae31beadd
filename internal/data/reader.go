package data

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// Format names an on-disk layout of a sparse dataset.
type Format string

const (
	// FormatAuto recognises the layout from the first line: three integers
	// are an XC BoW header, two an XC sparse-matrix header, anything else is
	// LIBSVM.
	FormatAuto Format = "auto"
	// FormatXC is the Extreme Classification Repository BoW file: header
	// "num_examples num_features num_labels", then "l1,l2 f:v f:v" rows, 0-based.
	FormatXC Format = "xc"
	// FormatXCMatrix is an XC sparse-matrix file (trn_X_Xf.txt, trn_X_Y.txt,
	// score files): header "rows cols", then "i:v i:v" rows, 0-based.
	FormatXCMatrix Format = "xc-matrix"
	// FormatLibSVM is LIBSVM/svmlight: no header, "l1,l2 f:v ..." or "l f:v ...",
	// with explicit label and feature index bases.
	FormatLibSVM Format = "libsvm"
)

// Formats lists the accepted format names.
var Formats = []Format{FormatAuto, FormatXC, FormatXCMatrix, FormatLibSVM}

// ParseFormat validates a format name.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	if f == "" {
		return FormatAuto, nil
	}
	if f == "svmlight" {
		return FormatLibSVM, nil
	}
	if slices.Contains(Formats, f) {
		return f, nil
	}
	return "", fmt.Errorf("unknown data format %q (want one of auto, xc, xc-matrix, libsvm)", s)
}

// ReadOptions control parsing. The zero value reads XC-style 0-based ids with
// dimensions from the header (or inferred when there is none).
type ReadOptions struct {
	Format Format
	// LabelBase and FeatureBase are the smallest id in a LIBSVM file (0 or 1).
	// XC files are always 0-based and ignore them.
	LabelBase, FeatureBase int
	// NumFeatures and NumLabels declare the dimensions of a file without a
	// header (0 = infer max id + 1). With a header they must agree with it
	// when set.
	NumFeatures, NumLabels int
	// SingleLabel requires exactly one label per row (multi-class data).
	SingleLabel bool
	// OptionalHeader lets an XC sparse-matrix stream (a prediction file) omit
	// its "rows cols" header.
	OptionalHeader bool
	// MaxLineBytes bounds a line (0 = DefaultMaxLineBytes).
	MaxLineBytes int
	// KeepOrder leaves the id:value pairs of a row in file order and skips
	// the duplicate check (prediction files, ranked by score, not by id).
	KeepOrder bool
	// PairNames are the words for an id:value pair's two parts in
	// messages: {"feature", "value"} when empty, {"label", "score"} for
	// prediction and score files.
	PairNames [2]string
	// Settings names the settings that chose these options, for the fix a
	// message suggests: a file that looks like another format, an id below
	// the index base.
	Settings Settings
	// Progress, when set, is called every few thousand rows of a regular
	// file (Open's readers), and once at its end, with the bytes read and
	// the file's size (compressed bytes for a .gz file): what a command
	// shows while a large file loads.
	Progress func(done, size int64)
}

// progressRows: Progress is called when the row count is a multiple of
// progressRows+1.
const progressRows = 1<<12 - 1

// Settings are the names a command gives the reading options it sets: a
// flag ("--input-format", "--label-base") or a config key ("data.format",
// "data.label_base"). An empty name gets neutral words ("format xc", "the
// label base to 0").
type Settings struct {
	Format, LabelBase, FeatureBase string
}

// fix is "set the setting to value" in the words of the setting's name:
// "--feature-base 0", "data.feature_base: 0", or, unnamed, the neutral
// words with value (a format with one %s).
func fix(setting, neutral, value string) string {
	switch {
	case setting == "":
		return fmt.Sprintf(neutral, value)
	case strings.HasPrefix(setting, "-"):
		return setting + " " + value
	default:
		return setting + ": " + value
	}
}

// Header is what the first line of an XC file declares.
type Header struct {
	Present  bool
	Rows     int
	Features int // the column count for an XC sparse matrix
	Labels   int
}

// Row is one parsed example. Labels and feature Indices are sorted and unique.
type Row struct {
	Labels  []int32
	Indices []int32
	Values  []float32
}

// Reader reads the rows of one file, shaped like encoding/csv: Read until
// io.EOF. Row slices are reused between calls.
type Reader struct {
	opt  ReadOptions
	name string
	lr   *lineReader
	// progress tells how far into its file the reader is, when the file's
	// size is known (Open of a regular file); nil otherwise.
	progress progressReader
	hdr      Header
	format   Format
	rows     int
	pending  []byte // first data line when the format was sniffed from it
	hasPend  bool
	maxFeat  int32 // largest feature id seen (for inference)
	maxLab   int32
	pairs    pairSorter
	// emptyAt is the first line that was empty and read as a row (an XC
	// row without labels or features), 0 if none: named when the rows
	// outnumber the header's.
	emptyAt int
}

// NewReader reads the header (if the format has one) and returns a reader
// positioned at the first row. name is used in error messages.
func NewReader(r io.Reader, name string, opt ReadOptions) (*Reader, error) {
	if opt.Format == "" {
		opt.Format = FormatAuto
	}
	rd := &Reader{opt: opt, name: name, lr: newLineReader(r, name, opt.MaxLineBytes), format: opt.Format, maxFeat: -1, maxLab: -1}
	rd.progress, _ = r.(progressReader)
	if opt.Format == FormatLibSVM {
		rd.checkDeclared()
		return rd, nil
	}
	first, err := rd.lr.next()
	if err == io.EOF {
		if opt.Format == FormatXC || (opt.Format == FormatXCMatrix && !opt.OptionalHeader) {
			return nil, parseErr(name, 1, 0, ErrHeader, "empty file; an %s file starts with a header line", opt.Format)
		}
		rd.format = orFormat(opt.Format, FormatLibSVM)
		return rd, nil
	}
	if err != nil {
		return nil, err
	}
	nums, isHeader := headerFields(first)
	switch opt.Format {
	case FormatAuto:
		switch {
		case isHeader && len(nums) == 3:
			rd.format = FormatXC
		case isHeader && len(nums) == 2:
			rd.format = FormatXCMatrix
		default:
			rd.format = FormatLibSVM
			rd.pending, rd.hasPend = first, true
			rd.checkDeclared()
			return rd, nil
		}
	case FormatXC:
		if !isHeader || len(nums) != 3 {
			hint := "a file without a header is read with " + opt.formatFix(FormatLibSVM)
			if isHeader {
				hint = "it looks like a sparse-matrix header (\"rows cols\"): read the file with " + opt.formatFix(FormatXCMatrix)
			}
			return nil, parseErr(name, 1, 1, ErrHeader,
				"expected the XC header \"num_examples num_features num_labels\", got %q; %s", clip(first), hint)
		}
	case FormatXCMatrix:
		if !isHeader || len(nums) != 2 {
			if !opt.OptionalHeader {
				hint := ""
				if isHeader {
					hint = "; it looks like an XC data file's header (\"num_examples num_features num_labels\"): read the file with " + opt.formatFix(FormatXC)
				}
				return nil, parseErr(name, 1, 1, ErrHeader, "expected the sparse-matrix header \"rows cols\", got %q%s", clip(first), hint)
			}
			rd.pending, rd.hasPend = first, true
			return rd, nil
		}
	}
	for k, v := range nums {
		if v < 0 || v > maxID+1 {
			return nil, parseErr(name, 1, 1, ErrHeader, "header dimension %s is out of range [0, %d]", clip(bytes.Fields(first)[k]), maxID+1)
		}
	}
	rd.hdr = Header{Present: true, Rows: nums[0], Features: nums[1]}
	if len(nums) == 3 {
		rd.hdr.Labels = nums[2]
	}
	if opt.NumFeatures > 0 && opt.NumFeatures != rd.hdr.Features {
		return nil, parseErr(name, 1, 1, ErrMismatch, "header declares %d features but %d were configured; fix the header or the configured num_features", rd.hdr.Features, opt.NumFeatures)
	}
	if opt.NumLabels > 0 && rd.format == FormatXC && opt.NumLabels != rd.hdr.Labels {
		return nil, parseErr(name, 1, 1, ErrMismatch, "header declares %d labels but %d were configured; fix the header or the configured num_labels", rd.hdr.Labels, opt.NumLabels)
	}
	return rd, nil
}

// formatFix is how to read the file as format f: "--input-format xc",
// "data.format: xc", or "format xc" when no setting is named.
func (o *ReadOptions) formatFix(f Format) string {
	return fix(o.Settings.Format, "format %s", string(f))
}

// headerAsLibSVM explains a failure to parse line 1 of a file read as
// LIBSVM when that line is an XC header: the file has the wrong format, not
// a damaged row.
func (r *Reader) headerAsLibSVM(line []byte, err error) error {
	if r.lr.line != 1 || r.format != FormatLibSVM {
		return err
	}
	nums, ok := headerFields(line)
	if !ok {
		return err
	}
	what, f := "an XC data file's header (\"num_examples num_features num_labels\")", FormatXC
	if len(nums) == 2 {
		what, f = "a sparse-matrix header (\"rows cols\")", FormatXCMatrix
	}
	return parseErr(r.name, 1, 1, ErrHeader, "line 1 %q looks like %s, but the file is read as libsvm, which has no header; read it with %s (or auto)", clip(line), what, r.opt.formatFix(f))
}

func (r *Reader) checkDeclared() {
	if r.opt.NumFeatures > 0 {
		r.hdr.Features = r.opt.NumFeatures
	}
	if r.opt.NumLabels > 0 {
		r.hdr.Labels = r.opt.NumLabels
	}
}

func orFormat(f, def Format) Format {
	if f == FormatAuto {
		return def
	}
	return f
}

// headerFields parses a line of 2 or 3 non-negative integers (one beyond
// 2^40 reads as 2^40+1, which the header check refuses, quoting it).
func headerFields(b []byte) ([]int, bool) {
	fields := bytes.Fields(b)
	if len(fields) < 2 || len(fields) > 3 {
		return nil, false
	}
	nums := make([]int, len(fields))
	for i, f := range fields {
		v, j, _ := scanUint(f, 0, 1<<40) // a larger count reads as 2^40+1
		if j != len(f) || j == 0 {
			return nil, false
		}
		// Past the largest dimension: -1, which the caller refuses with
		// the field's text (int(v) wrapped on a 32-bit build: a count of
		// 23 digits read as 1).
		nums[i] = -1
		if v <= maxID+1 {
			nums[i] = int(v)
		}
	}
	return nums, true
}

// Header returns the header the file declared (Present false if none).
func (r *Reader) Header() Header { return r.hdr }

// Format is the format in use (resolved when the reader was FormatAuto).
func (r *Reader) Format() Format { return r.format }

// Rows is the number of rows read so far.
func (r *Reader) Rows() int { return r.rows }

// Line is the number of the line last read (1-based, header included).
func (r *Reader) Line() int { return r.lr.line }

// NumFeatures is the feature dimension: the header's or the configured one,
// else the largest id seen so far + 1.
func (r *Reader) NumFeatures() int {
	if r.hdr.Features > 0 {
		return r.hdr.Features
	}
	return int(r.maxFeat) + 1
}

// NumLabels is the label dimension, like NumFeatures.
func (r *Reader) NumLabels() int {
	if r.hdr.Labels > 0 {
		return r.hdr.Labels
	}
	return int(r.maxLab) + 1
}

// Read parses the next row into row. It returns io.EOF after the last row,
// and a *ParseError if the body disagrees with the header.
func (r *Reader) Read(row *Row) error { return r.read(row) }

// Skip passes over the next row without parsing it: the row is counted
// (against the header too) as Read would count it, but a fault in its
// body goes unseen. It returns io.EOF after the last row.
func (r *Reader) Skip() error { return r.read(nil) }

// read is Read, or Skip when row is nil.
func (r *Reader) read(row *Row) error {
	var line []byte
	var err error
	if r.hasPend {
		line, r.hasPend = r.pending, false
	} else {
		line, err = r.lr.next()
	}
	if err == io.EOF {
		if r.hdr.Present && r.rows != r.hdr.Rows {
			return parseErr(r.name, r.lr.line, 0, ErrRowCount,
				"header declares %d rows but the file has %d; the file is truncated or the header is wrong", r.hdr.Rows, r.rows)
		}
		r.reportProgress()
		return io.EOF
	}
	if err != nil {
		return err
	}
	if r.hdr.Present && r.rows >= r.hdr.Rows {
		if isBlank(line) {
			return r.trailingBlank()
		}
		return r.moreRows()
	}
	if !r.hdr.Present && r.format == FormatLibSVM && len(line) == 0 {
		return r.trailingBlank()
	}
	if len(line) == 0 && r.emptyAt == 0 {
		r.emptyAt = r.lr.line
	}
	if row != nil {
		row.Labels = row.Labels[:0]
		row.Indices = row.Indices[:0]
		row.Values = row.Values[:0]
		if err := r.parseLine(line, row); err != nil {
			return r.headerAsLibSVM(line, err)
		}
	}
	r.rows++
	if r.rows&progressRows == 0 {
		r.reportProgress()
	}
	return nil
}

// reportProgress tells opt.Progress how far into its file the reader is.
func (r *Reader) reportProgress() {
	if r.opt.Progress != nil && r.progress != nil {
		r.opt.Progress(r.progress.Progress())
	}
}

// moreRows is the error of a row beyond the header's count, at the
// current line.
func (r *Reader) moreRows() error {
	hint := ""
	if r.emptyAt > 0 {
		hint = fmt.Sprintf(" (line %d is empty and was read as a row without labels or features: remove it if it is not one)", r.emptyAt)
	}
	return parseErr(r.name, r.lr.line, 1, ErrRowCount,
		"header declares %d rows but there are more%s; fix the header or remove the extra rows", r.hdr.Rows, hint)
}

// trailingBlank accepts blank lines at the end of a file and rejects them
// anywhere else.
func (r *Reader) trailingBlank() error {
	blankAt := r.lr.line
	for {
		line, err := r.lr.next()
		if err == io.EOF {
			if r.hdr.Present && r.rows != r.hdr.Rows {
				return parseErr(r.name, blankAt, 0, ErrRowCount,
					"header declares %d rows but the file has %d", r.hdr.Rows, r.rows)
			}
			return io.EOF
		}
		if err != nil {
			return err
		}
		if !isBlank(line) {
			if r.hdr.Present && r.rows >= r.hdr.Rows {
				return r.moreRows()
			}
			return parseErr(r.name, blankAt, 1, ErrSyntax, "empty line inside a %s file; every row needs at least a label or a feature", r.format)
		}
	}
}

func (r *Reader) parseLine(b []byte, row *Row) error {
	i := 0
	switch r.format {
	case FormatXC, FormatLibSVM:
		// Leading label field: absent when the line starts with whitespace
		// or its first token is a feature pair.
		if len(b) > 0 && b[0] != ' ' && b[0] != '\t' {
			end := bytes.IndexAny(b, " \t")
			if end < 0 {
				end = len(b)
			}
			if bytes.IndexByte(b[:end], ':') < 0 && b[0] != '#' {
				var err error
				if i, err = r.parseLabels(b, end, row); err != nil {
					return err
				}
			}
		}
		if r.opt.SingleLabel && len(row.Labels) != 1 {
			return parseErr(r.name, r.lr.line, 1, ErrSyntax,
				"single-label data needs exactly one label per row, this row has %d", len(row.Labels))
		}
	}
	return r.parseFeatures(b, i, row)
}

func (r *Reader) parseLabels(b []byte, end int, row *Row) (int, error) {
	base := 0
	if r.format == FormatLibSVM {
		base = r.opt.LabelBase
	}
	limit, none := idLimit(r.hdr.Labels, r.hdr.Present && r.format == FormatXC, base)
	sorted := true
	prev := int32(-1)
	i := 0
	if r.format == FormatLibSVM && b[0] == '+' {
		i++
	}
	for {
		if i < end && b[i] == '-' {
			if r.format == FormatLibSVM && i == 0 {
				// A binary LIBSVM file's classes are -1 and +1: -1 becomes
				// the id beside +1's (0 with 0-based ids, 2 with 1-based).
				neg := 2 * base
				return 0, parseErr(r.name, r.lr.line, i+1, ErrRange, "negative label id; ids are %d-based (a binary LIBSVM file's -1/+1 classes are not label ids: rewrite -1 as %d, e.g. sed 's/^-1 /%d /')", base, neg, neg)
			}
			return 0, parseErr(r.name, r.lr.line, i+1, ErrRange, "negative label id; ids are %d-based", base)
		}
		v, j, ok := scanUint(b, i, limit)
		if j == i {
			return 0, parseErr(r.name, r.lr.line, i+1, ErrSyntax, "expected a label id, found %s", describeAt(b, i))
		}
		if !ok || none || int(v) < base {
			return 0, r.idRangeErr("label", r.hdr.Labels, i, b[i:j], v, base)
		}
		// LIBSVM class labels are sometimes written "3.0".
		if r.format == FormatLibSVM && j < end && b[j] == '.' {
			k := j + 1
			for k < end && b[k] == '0' {
				k++
			}
			if k < end && b[k] != ',' {
				return 0, parseErr(r.name, r.lr.line, j+1, ErrSyntax, "label ids must be integers, found %q", b[i:end])
			}
			j = k
		}
		id := int32(int(v) - base)
		if id <= prev {
			sorted = false
		}
		prev = id
		row.Labels = append(row.Labels, id)
		if id > r.maxLab {
			r.maxLab = id
		}
		i = j
		if i == end {
			break
		}
		if b[i] != ',' {
			return 0, parseErr(r.name, r.lr.line, i+1, ErrSyntax, "expected ',' or a space after a label id, found %s", describeAt(b, i))
		}
		i++
		if i == end {
			return 0, parseErr(r.name, r.lr.line, i, ErrSyntax, "label list ends with ','")
		}
	}
	if !sorted {
		slices.Sort(row.Labels)
		for k := 1; k < len(row.Labels); k++ {
			if row.Labels[k] == row.Labels[k-1] {
				return 0, parseErr(r.name, r.lr.line, 1, ErrDuplicate, "label %d appears twice in this row", int(row.Labels[k])+base)
			}
		}
	}
	return end, nil
}

// idRangeErr reports the id written as digits (value v, limit+1 for one
// beyond scanUint's limit; in column col) as below the index base or beyond
// the declared count of its kind ("label" or "feature"), quoting it as
// written.
func (r *Reader) idRangeErr(kind string, declared, col int, digits []byte, v uint64, base int) error {
	if int(v) < base {
		setting := r.opt.Settings.FeatureBase
		if kind == "label" {
			setting = r.opt.Settings.LabelBase
		}
		return parseErr(r.name, r.lr.line, col+1, ErrRange, "%s id %s is below the index base %d; if ids start at 0, set %s", kind, digits, base, fix(setting, "the "+kind+" base to %s", "0"))
	}
	if declared > 0 || r.hdr.Present {
		what := "the header declares"
		if !r.hdr.Present {
			what = "num_" + kind + "s is"
		}
		return parseErr(r.name, r.lr.line, col+1, ErrRange, "%s id %s is out of range: %s %d %ss (ids %d..%d); fix the id or the declared count", kind, clip(digits), what, declared, kind, base, declared-1+base)
	}
	return parseErr(r.name, r.lr.line, col+1, ErrRange, "%s id %s is too large (max %d)", kind, clip(digits), maxID)
}

func (r *Reader) parseFeatures(b []byte, i int, row *Row) error {
	base := 0
	if r.format == FormatLibSVM {
		base = r.opt.FeatureBase
	}
	limit, none := idLimit(r.hdr.Features, r.hdr.Present, base)
	sorted := true
	prev := int32(-1)
	noun, valueNoun := "feature", "value"
	if r.opt.PairNames[0] != "" {
		noun, valueNoun = r.opt.PairNames[0], r.opt.PairNames[1]
	}
	n := len(b)
	for {
		for i < n && (b[i] == ' ' || b[i] == '\t') {
			i++
		}
		if i == n {
			break
		}
		start := i
		c := b[i]
		if c == '#' && r.format == FormatLibSVM {
			break // svmlight comment
		}
		if c == '-' {
			return parseErr(r.name, r.lr.line, i+1, ErrRange, "negative %s id; ids are %d-based", noun, base)
		}
		v, j, ok := scanUint(b, i, limit)
		if j == i {
			if r.format == FormatLibSVM && bytes.HasPrefix(b[i:], []byte("qid:")) {
				for i < n && b[i] != ' ' && b[i] != '\t' {
					i++
				}
				continue
			}
			return parseErr(r.name, r.lr.line, i+1, ErrSyntax, "expected a %s id:%s pair, found %s", noun, valueNoun, describeAt(b, i))
		}
		if j == n || b[j] != ':' {
			if j < n && (b[j] == ',' || b[j] == ' ' || b[j] == '\t') && r.format == FormatXC && start > 0 {
				return parseErr(r.name, r.lr.line, j+1, ErrSyntax, "expected ':' after feature id %s (labels must come first, before one space)", clip(b[i:j]))
			}
			return parseErr(r.name, r.lr.line, j+1, ErrSyntax, "expected ':' after %s id %s, found %s", noun, clip(b[i:j]), describeAt(b, j))
		}
		if !ok || none || int(v) < base {
			return r.idRangeErr(noun, r.hdr.Features, i, b[i:j], v, base)
		}
		// The value: a plain decimal in one pass, any other token up to the
		// next space or tab through parseFloat32, which explains a bad one.
		vs := j + 1
		f, end, plain := scanFloat32(b, vs)
		if !plain {
			end = vs
			for end < n && b[end] != ' ' && b[end] != '\t' {
				end++
			}
			if vs == end {
				return parseErr(r.name, r.lr.line, vs+1, ErrSyntax, "missing %s after %d:", valueNoun, v)
			}
			var err error
			if f, err = parseFloat32(b[vs:end]); err != nil {
				kind := ErrSyntax
				if err != errNotNumber {
					kind = ErrValue
				}
				return parseErr(r.name, r.lr.line, vs+1, kind, "%s %d: %v: %q", noun, v, err, clip(b[vs:end]))
			}
		}
		i = end
		id := int32(int(v) - base)
		if id <= prev {
			sorted = false
		}
		prev = id
		row.Indices = append(row.Indices, id)
		row.Values = append(row.Values, f)
	}
	if !sorted && !r.opt.KeepOrder {
		r.pairs.ids, r.pairs.vals = row.Indices, row.Values
		sort.Stable(&r.pairs)
		for k := 1; k < len(row.Indices); k++ {
			if row.Indices[k] == row.Indices[k-1] {
				id := row.Indices[k]
				return parseErr(r.name, r.lr.line, r.secondOccurrence(b, id+int32(base)), ErrDuplicate,
					"%s id %d appears twice in this row", noun, int(id)+base)
			}
		}
	}
	if n := len(row.Indices); n > 0 {
		last := row.Indices[n-1]
		if !sorted {
			last = slices.Max(row.Indices)
		}
		r.maxFeat = max(r.maxFeat, last)
	}
	return nil
}

// secondOccurrence finds the 1-based column of the second "id:" token.
func (r *Reader) secondOccurrence(b []byte, id int32) int {
	seen := 0
	for _, tok := range tokenStarts(b) {
		v, j, ok := scanUint(b, tok, maxID)
		if ok && j < len(b) && b[j] == ':' && int32(v) == id {
			seen++
			if seen == 2 {
				return tok + 1
			}
		}
	}
	return 1
}

func tokenStarts(b []byte) []int {
	var starts []int
	for i := 0; i < len(b); i++ {
		if b[i] != ' ' && b[i] != '\t' && (i == 0 || b[i-1] == ' ' || b[i-1] == '\t') {
			starts = append(starts, i)
		}
	}
	return starts
}

// idLimit is the largest id accepted for a dimension of dim ids starting at
// base; none is true when a declared dimension of 0 admits no id at all.
func idLimit(dim int, declared bool, base int) (limit uint64, none bool) {
	if dim > 0 {
		return uint64(dim - 1 + base), false
	}
	return maxID, declared
}

type pairSorter struct {
	ids  []int32
	vals []float32
}

func (p *pairSorter) Len() int           { return len(p.ids) }
func (p *pairSorter) Less(i, j int) bool { return p.ids[i] < p.ids[j] }
func (p *pairSorter) Swap(i, j int) {
	p.ids[i], p.ids[j] = p.ids[j], p.ids[i]
	p.vals[i], p.vals[j] = p.vals[j], p.vals[i]
}

// describeAt names what is at b[i] for an error message.
func describeAt(b []byte, i int) string {
	if i >= len(b) {
		return "end of line"
	}
	c := b[i]
	switch {
	case c == 0:
		return "a NUL byte (binary data?)"
	case c == ' ':
		return "a space"
	case c == '\t':
		return "a tab"
	case c < 0x20 || c >= 0x7f:
		return fmt.Sprintf("byte 0x%02x (binary data or a non-ASCII character?)", c)
	}
	end := i
	for end < len(b) && b[end] != ' ' && b[end] != '\t' && end-i < 24 {
		end++
	}
	return fmt.Sprintf("%q", b[i:end])
}

func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
