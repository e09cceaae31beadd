package data

import (
	"fmt"
	"io"
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
func (d *Dataset) IsSingleLabel() bool {
	for i := 0; i < d.Y.Rows; i++ {
		if d.Y.RowLen(i) != 1 {
			return false
		}
	}
	return d.Y.Rows > 0
}

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
	// The header's row count sizes the row index, but only up to a bound: a
	// damaged header must not make us allocate gigabytes before reading.
	rows := min(rd.Header().Rows, 1<<20)
	x := NewCSR(0, rows, 0, false)
	y := NewCSR(0, rows, 0, true)
	var row Row
	for {
		err := rd.Read(&row)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		x.AppendRow(row.Indices, row.Values)
		y.AppendRow(row.Labels, nil)
	}
	x.Cols = max(rd.NumFeatures(), 0)
	y.Cols = max(rd.NumLabels(), 0)
	if rd.Format() == FormatXCMatrix {
		y.Cols = 0
	}
	return &Dataset{Name: name, X: x, Y: y}, nil
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
	x, err := ReadMatrixFile(featurePath, ReadOptions{NumFeatures: opt.NumFeatures, MaxLineBytes: opt.MaxLineBytes})
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
