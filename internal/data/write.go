package data

import (
	"bufio"
	"io"
	"strconv"
)

// WriteOptions control Write.
type WriteOptions struct {
	Format Format // FormatXC (default), FormatLibSVM or FormatXCMatrix (features only)
	// LabelBase and FeatureBase shift ids for LIBSVM output.
	LabelBase, FeatureBase int
}

// Write writes d in the given format. XC output always has a header;
// FormatXCMatrix writes the feature matrix only (use WriteMatrix for labels).
func Write(w io.Writer, d *Dataset, opt WriteOptions) error {
	if opt.Format == FormatXCMatrix {
		return WriteMatrix(w, d.X)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	rw := NewRowWriter(bw, opt)
	if err := rw.Header(d.Rows(), d.NumFeatures(), d.NumLabels()); err != nil {
		return err
	}
	for i := 0; i < d.Rows(); i++ {
		labels, _ := d.Y.Row(i)
		ids, vals := d.X.Row(i)
		if err := rw.Write(labels, ids, vals); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteMatrix writes m as an XC sparse-matrix file ("rows cols" header, then
// "i:v" rows); a binary matrix is written with value 1.
func WriteMatrix(w io.Writer, m *CSR) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	buf := strconv.AppendInt(nil, int64(m.Rows), 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, int64(m.Cols), 10)
	buf = append(buf, '\n')
	for i := 0; i < m.Rows; i++ {
		ids, vals := m.Row(i)
		for k, c := range ids {
			if k > 0 {
				buf = append(buf, ' ')
			}
			buf = strconv.AppendInt(buf, int64(c), 10)
			buf = append(buf, ':')
			if vals == nil {
				buf = append(buf, '1')
			} else {
				buf = appendFloat32(buf, vals[k])
			}
		}
		buf = append(buf, '\n')
		if len(buf) > 64<<10 {
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	return bw.Flush()
}

// RowWriter writes rows one at a time in XC or LIBSVM form, for producers
// that stream (the synthetic generator). It does not flush: wrap a
// *bufio.Writer and flush it when done.
type RowWriter struct {
	w   io.Writer
	opt WriteOptions
	buf []byte
}

// NewRowWriter returns a writer of rows in opt.Format (XC or LIBSVM).
func NewRowWriter(w io.Writer, opt WriteOptions) *RowWriter {
	if opt.Format != FormatLibSVM {
		opt.Format = FormatXC
	}
	return &RowWriter{w: w, opt: opt}
}

// Header writes the XC header line; LIBSVM has none and writes nothing.
func (rw *RowWriter) Header(rows, features, labels int) error {
	if rw.opt.Format == FormatLibSVM {
		return nil
	}
	b := strconv.AppendInt(rw.buf[:0], int64(rows), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(features), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(labels), 10)
	b = append(b, '\n')
	rw.buf = b
	_, err := rw.w.Write(b)
	return err
}

// Write writes one row; labels and ids must be sorted.
func (rw *RowWriter) Write(labels, ids []int32, vals []float32) error {
	lb, fb := 0, 0
	if rw.opt.Format == FormatLibSVM {
		lb, fb = rw.opt.LabelBase, rw.opt.FeatureBase
	}
	b := rw.buf[:0]
	for k, l := range labels {
		if k > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(l)+int64(lb), 10)
	}
	// "l1,l2 f:v": a row without labels starts with a space, a row without
	// features ends after its labels and a space, as XC files do.
	b = append(b, ' ')
	for k, c := range ids {
		if k > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(c)+int64(fb), 10)
		b = append(b, ':')
		if vals == nil {
			b = append(b, '1')
		} else {
			b = appendFloat32(b, vals[k])
		}
	}
	b = append(b, '\n')
	rw.buf = b
	_, err := rw.w.Write(b)
	return err
}
