package train

import (
	"errors"
	"io"

	"github.com/mhe-xlc/mhe/internal/data"
)

// RowSource yields input rows one at a time; Next returns io.EOF after the
// last. The row's slices may be reused by the following call.
type RowSource interface {
	Next(row *data.Row) error
}

// DatasetRows yields the rows of a dataset (with their labels) as a
// RowSource.
type DatasetRows struct {
	DS   *data.Dataset
	next int
}

// Next returns the next row, or io.EOF after the last.
func (d *DatasetRows) Next(row *data.Row) error {
	if d.next >= d.DS.Rows() {
		return io.EOF
	}
	row.Indices, row.Values = d.DS.X.Row(d.next)
	row.Labels, _ = d.DS.Y.Row(d.next)
	d.next++
	return nil
}

// Rows is the dataset's row count.
func (d *DatasetRows) Rows() int { return d.DS.Rows() }

// RankDataset ranks every row of ds (raw rows for a Ranker of NewRanker,
// preprocessed ones for a Predictor) and calls fn in row order.
func RankDataset(r Ranker, ds *data.Dataset, fn func(row int, labels []int32, scores []float32)) {
	row := 0
	// A dataset's rows cannot fail to read, nor does fn fail.
	streamRows(r, nil, &DatasetRows{DS: ds}, func(i int) error {
		labels, scores := r.Result(i)
		fn(row, labels, scores)
		row++
		return nil
	})
}

// RankRows ranks every row of src with r, a Ranker of NewRanker (raw rows:
// each model preprocesses them as its training data was), in batches, and
// calls emit with each row's ranking in input order. It returns the number
// of rows ranked.
func RankRows(r Ranker, src RowSource, emit func(labels []int32, scores []float32) error) (int, error) {
	return streamRows(r, nil, src, func(i int) error { return emit(r.Result(i)) })
}

// EncodeRows runs the encoder over every row of src, preprocessed as the
// model's training data was, in batches, and calls emit with each row's
// features in input order. It returns the number of rows encoded.
func EncodeRows(e *Encoder, src RowSource, emit func(features []float32) error) (int, error) {
	return streamRows(e, &e.M.Prep, src, func(i int) error { return emit(e.Row(i)) })
}

// rowQueue is a batch of rows computed together (Ranker, Encoder).
type rowQueue interface {
	Reset()
	Add(ids []int32, vals []float32)
	Full() bool
	Len() int
	Run()
}

// streamRows reads src, preprocesses each row with prep (nil: q takes raw
// rows), queues it on q, and whenever q is full, and once at the end, runs
// it and calls emit for each queued row in order.
func streamRows(q rowQueue, prep *Preprocess, src RowSource, emit func(i int) error) (int, error) {
	n := 0
	flush := func() error {
		q.Run()
		for i := range q.Len() {
			if err := emit(i); err != nil {
				return err
			}
		}
		n += q.Len()
		q.Reset()
		return nil
	}
	var row data.Row
	var scratch RowScratch
	q.Reset()
	for {
		err := src.Next(&row)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		ids, vals := row.Indices, row.Values
		if prep != nil {
			ids, vals = prep.ApplyRow(&scratch, ids, vals)
		}
		q.Add(ids, vals)
		if q.Full() {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}
