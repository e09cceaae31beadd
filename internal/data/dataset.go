package data

import (
	"fmt"
	"io"
	"slices"
)

// Dataset is a multi-label (or single-label) sparse dataset: one row of X
// (features, float32 values) and one row of Y (label ids, binary) per example.
type Dataset struct {
	// Name is the source file (for messages and records).
	Name string
	X    *CSR
	Y    *CSR
}

// Rows is the number of examples.
func (d *Dataset) Rows() int { return d.X.Rows }

// NumFeatures is the feature dimension.
func (d *Dataset) NumFeatures() int { return d.X.Cols }

// NumLabels is the label dimension.
func (d *Dataset) NumLabels() int { return d.Y.Cols }

// Subset returns the listed rows (0-based) as a new dataset.
func (d *Dataset) Subset(rows []int) *Dataset {
	return &Dataset{Name: d.Name, X: d.X.Subset(rows), Y: d.Y.Subset(rows)}
}

// IsSingleLabel reports whether every row has exactly one label.
func (d *Dataset) IsSingleLabel() bool { return d.Y.OnePerRow() }

// ReadFile loads a whole data file (gzip transparently).
func ReadFile(path string, opt ReadOptions) (*Dataset, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, displayName(path), opt)
}

// Read loads a whole dataset from r; name is used in error messages. An XC
// sparse-matrix stream loads as features with an empty label matrix.
func Read(r io.Reader, name string, opt ReadOptions) (*Dataset, error) {
	rd, err := NewReader(r, name, opt)
	if err != nil {
		return nil, err
	}
	return readAll(rd, name)
}

// readAll loads every remaining row of rd.
func readAll(rd *Reader, name string) (*Dataset, error) {
	rows := rowHint(rd.Header().Rows)
	x := NewCSR(0, rows, 0, false)
	y := NewCSR(0, rows, 0, true)
	est := entryEstimate{fileRows: rd.Header().Rows, progress: rd.progress}
	var pf prefaulter
	err := eachRow(rd, func(row *Row) {
		est.reserve(x, len(row.Indices), x.Rows)
		est.reserve(y, len(row.Labels), x.Rows)
		pf.ahead(x)
		x.AppendRow(row.Indices, row.Values)
		y.AppendRow(row.Labels, nil)
	})
	if err != nil {
		return nil, err
	}
	x.Cols = max(rd.NumFeatures(), 0)
	y.Cols = max(rd.NumLabels(), 0)
	if rd.Format() == FormatXCMatrix {
		y.Cols = 0
	}
	return &Dataset{Name: name, X: x, Y: y}, nil
}

// rowHint bounds a row count read from a header before it sizes a row
// index: a damaged header must not make us allocate gigabytes before
// reading.
func rowHint(n int) int { return min(n, 1<<20) }

// eachRow calls fn with every remaining row of rd (the row is reused).
func eachRow(rd *Reader, fn func(row *Row)) error {
	var row Row
	for {
		err := rd.Read(&row)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		fn(&row)
	}
}

// ReadRowsFile loads the rows of a data file that pick chooses, in pick's
// order (repeats allowed), and returns them with the chosen row indices
// and the file's row count, which pick is given. When the file declares
// its rows and dimensions in a header (XC), the other rows are passed over
// unparsed: scoring 1,200 test rows of RCV1-Sub1's 6,000 parses 1,200.
// Otherwise the whole file is read and the rows taken from it.
func ReadRowsFile(path string, opt ReadOptions, pick func(fileRows int) ([]int, error)) (*Dataset, []int, int, error) {
	f, err := Open(path)
	if err != nil {
		return nil, nil, 0, err
	}
	defer f.Close()
	return ReadRows(f, displayName(path), opt, pick)
}

// ReadRows is ReadRowsFile for a stream; name is used in error messages.
func ReadRows(r io.Reader, name string, opt ReadOptions, pick func(fileRows int) ([]int, error)) (*Dataset, []int, int, error) {
	rd, full, err := openRows(r, name, opt)
	if err != nil {
		return nil, nil, 0, err
	}
	h := rd.Header()
	if full != nil {
		rows, err := pick(full.Rows())
		if err != nil {
			return nil, nil, 0, err
		}
		return full.Subset(rows), rows, full.Rows(), nil
	}
	rows, err := pick(h.Rows)
	if err != nil {
		return nil, nil, 0, err
	}
	keep := slices.Clone(rows)
	slices.Sort(keep)
	keep = slices.Compact(keep)
	next := 0
	ds, kept, err := readKept(rd, name, len(keep), func(i int) bool {
		if next < len(keep) && keep[next] == i {
			next++
			return true
		}
		return false
	})
	if err != nil {
		return nil, nil, 0, err
	}
	if len(kept) < len(keep) { // pick chose a row past the end; the header and rows agreed
		return nil, nil, 0, inputErr(fmt.Errorf("%w: %s has %d rows; row %d was asked for", ErrRowCount, name, rd.Rows(), keep[len(kept)]+1))
	}
	if !slices.Equal(rows, keep) {
		at := make([]int, len(rows))
		for i, r := range rows {
			at[i], _ = slices.BinarySearch(keep, r)
		}
		ds = ds.Subset(at)
	}
	return ds, rows, rd.Rows(), nil
}

// openRows opens a data file for reading some of its rows. Only an XC file
// whose header gives its dimensions can pass rows over unparsed; any other
// is read whole, and returned as full.
func openRows(r io.Reader, name string, opt ReadOptions) (rd *Reader, full *Dataset, err error) {
	rd, err = NewReader(r, name, opt)
	if err != nil {
		return nil, nil, err
	}
	if h := rd.Header(); !h.Present || h.Features <= 0 || h.Labels <= 0 || rd.Format() != FormatXC {
		full, err = readAll(rd, name)
		return rd, full, err
	}
	return rd, nil, nil
}

// ReadRowsWhereFile loads the rows i of a data file for which keep(i)
// holds, in file order, and returns them with their indices and the file's
// row count. Unlike ReadRowsFile it needs no row count first, so nothing is
// sized by a header's declared rows, which a damaged header can make 2^31
// (a holdout rule's rows are a predicate). An XC file's other rows are
// passed over unparsed.
func ReadRowsWhereFile(path string, opt ReadOptions, keep func(i int) bool) (*Dataset, []int, int, error) {
	f, err := Open(path)
	if err != nil {
		return nil, nil, 0, err
	}
	defer f.Close()
	return ReadRowsWhere(f, displayName(path), opt, keep)
}

// ReadRowsWhere is ReadRowsWhereFile for a stream; name is used in error
// messages.
func ReadRowsWhere(r io.Reader, name string, opt ReadOptions, keep func(i int) bool) (*Dataset, []int, int, error) {
	rd, full, err := openRows(r, name, opt)
	if err != nil {
		return nil, nil, 0, err
	}
	if full != nil {
		var rows []int
		for i := range full.Rows() {
			if keep(i) {
				rows = append(rows, i)
			}
		}
		return full.Subset(rows), rows, full.Rows(), nil
	}
	ds, rows, err := readKept(rd, name, 0, keep)
	if err != nil {
		return nil, nil, 0, err
	}
	return ds, rows, rd.Rows(), nil
}

// readKept reads the rows i of an XC file (its header gives the
// dimensions) for which keep(i) holds, and passes over the others
// unparsed; keep is asked about every row in order, and once about the
// index past the last. hint sizes the row index (at most 2^20).
func readKept(rd *Reader, name string, hint int, keep func(i int) bool) (*Dataset, []int, error) {
	h := rd.Header()
	hint = rowHint(hint)
	x := NewCSR(h.Features, hint, 0, false)
	y := NewCSR(h.Labels, hint, 0, true)
	var kept []int
	est := entryEstimate{fileRows: h.Rows}
	var pf prefaulter
	var row Row
	for i := 0; ; i++ {
		var err error
		if keep(i) {
			if err = rd.Read(&row); err == nil {
				est.reserve(x, len(row.Indices), i)
				est.reserve(y, len(row.Labels), i)
				pf.ahead(x)
				x.AppendRow(row.Indices, row.Values)
				y.AppendRow(row.Labels, nil)
				kept = append(kept, i)
			}
		} else {
			err = rd.Skip()
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return &Dataset{Name: name, X: x, Y: y}, kept, nil
}

// ReadLabelsFile reads the label matrix of a data file, or an XC label
// matrix (trn_X_Y.txt, tst_X_Y.txt: a sparse matrix whose columns are
// labels), restricted to the rows column (1-based) of a split file lists
// when rows is not empty: the truth an evaluation scores, or the training
// labels propensities are counted from.
func ReadLabelsFile(path, rows string, column int, opt ReadOptions) (*CSR, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	y, err := readLabels(f, displayName(path), opt)
	if err != nil {
		return nil, err
	}
	if rows != "" {
		idx, err := ReadSplit(rows, column, y.Rows)
		if err != nil {
			return nil, err
		}
		y = y.Subset(idx)
	}
	return y, nil
}

// readLabels reads every row of a data file but keeps only its labels (an
// XC label matrix's columns): the feature entries, most of a data file's
// memory, are parsed and checked, then dropped.
func readLabels(r io.Reader, name string, opt ReadOptions) (*CSR, error) {
	rd, err := NewReader(r, name, opt)
	if err != nil {
		return nil, err
	}
	matrix := rd.Format() == FormatXCMatrix
	y := NewCSR(0, rowHint(rd.Header().Rows), 0, true)
	est := entryEstimate{fileRows: rd.Header().Rows, progress: rd.progress}
	err = eachRow(rd, func(row *Row) {
		labels := row.Labels
		if matrix {
			labels = row.Indices
		}
		est.reserve(y, len(labels), y.Rows)
		y.AppendRow(labels, nil)
	})
	if err != nil {
		return nil, err
	}
	y.Cols = max(rd.NumLabels(), 0)
	if matrix {
		y.Cols = max(rd.NumFeatures(), 0)
	}
	return y, nil
}

// ReadMatrixFile loads one XC sparse-matrix file (header "rows cols").
func ReadMatrixFile(path string, opt ReadOptions) (*CSR, error) {
	opt.Format = FormatXCMatrix
	ds, err := ReadFile(path, opt)
	if err != nil {
		return nil, err
	}
	return ds.X, nil
}

// ReadXCPair loads the newer XC layout of one dataset split across a feature
// matrix (trn_X_Xf.txt) and a label matrix (trn_X_Y.txt). Label values are
// ignored: any stored entry is a positive label.
func ReadXCPair(featurePath, labelPath string, opt ReadOptions) (*Dataset, error) {
	x, err := ReadMatrixFile(featurePath, ReadOptions{NumFeatures: opt.NumFeatures, MaxLineBytes: opt.MaxLineBytes, Progress: opt.Progress})
	if err != nil {
		return nil, err
	}
	yv, err := ReadMatrixFile(labelPath, ReadOptions{NumFeatures: opt.NumLabels, MaxLineBytes: opt.MaxLineBytes})
	if err != nil {
		return nil, err
	}
	if x.Rows != yv.Rows {
		return nil, inputErr(fmt.Errorf("%w: %s has %d rows but %s has %d; the feature and label files must describe the same examples",
			ErrMismatch, featurePath, x.Rows, labelPath, yv.Rows))
	}
	y := &CSR{Rows: yv.Rows, Cols: yv.Cols, Indptr: yv.Indptr, Indices: yv.Indices}
	if opt.SingleLabel {
		for i := 0; i < y.Rows; i++ {
			if y.RowLen(i) != 1 {
				return nil, parseErr(labelPath, i+2, 0, ErrSyntax, "single-label data needs exactly one label per row, this row has %d", y.RowLen(i))
			}
		}
	}
	return &Dataset{Name: featurePath, X: x, Y: y}, nil
}

// entryEstimate sizes the CSR arrays of a file being read from the share
// of the file passed so far and the entries it gave: reading 1,000 of a
// file's 10,000 rows for 70,000 entries predicts 700,000. The share is the
// rows passed of the header's row count, or without a header (LIBSVM) the
// bytes passed of the file's size. The arrays then grow about once, not in
// append's steps of 1.25× (which for Bibtex's test split of 2,515 rows made
// the copying cost more than the parsing).
type entryEstimate struct {
	fileRows int            // the header's row count (0 = none)
	progress progressReader // the position in a file of known size (nil = unknown)
}

// minRowsForEstimate is how many rows must be passed before their entries
// predict the rest.
const minRowsForEstimate = 64

// reserve makes room in m for the n entries of a row that is row passed
// (0-based) of the file.
func (e entryEstimate) reserve(m *CSR, n, passed int) {
	if len(m.Indices)+n <= cap(m.Indices) {
		return // the common case: room for the row
	}
	var est int64
	if scale := e.scale(passed); scale > 0 {
		est = int64(float64(len(m.Indices)+n) * scale * 1.02)
	}
	m.reserve(n, est)
}

// scale is how many times the file passed so far the whole file is, 0
// when that is unknown. It is only asked when an array must grow.
func (e entryEstimate) scale(passed int) float64 {
	switch {
	case passed < minRowsForEstimate:
	case e.fileRows > 0:
		if passed < e.fileRows {
			return float64(e.fileRows) / float64(passed)
		}
	case e.progress != nil:
		switch done, size := e.progress.Progress(); {
		case done > 0 && done < size:
			return float64(size) / float64(done)
		case size > 0 && done >= size:
			// The file is read to its end but rows remain in buffers
			// (a gzip file's inflated text read ahead): about what is
			// held already.
			return 1
		}
	}
	return 0
}
