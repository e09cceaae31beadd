package data

import (
	"fmt"
	"math"
	"slices"
	"unsafe"

	"github.com/mhe-xlc/mhe/internal/hugepage"
)

// CSR is a sparse matrix in compressed sparse row form: the entries of row i
// are Indices[Indptr[i]:Indptr[i+1]] with Values at the same positions. Column
// ids within a row are strictly increasing. Values is nil for a binary matrix
// (label matrices), where every stored entry is 1.
type CSR struct {
	Rows, Cols int
	Indptr     []int64
	Indices    []int32
	Values     []float32
}

// NewCSR returns an empty matrix with capacity hints.
func NewCSR(cols, rowsHint int, nnzHint int64, binary bool) *CSR {
	m := &CSR{Cols: cols, Indptr: make([]int64, 1, rowsHint+1)}
	if nnzHint > 0 {
		m.Indices = make([]int32, 0, nnzHint)
		hugepage.Advise(m.Indices[:nnzHint])
		if !binary {
			m.Values = make([]float32, 0, nnzHint)
			hugepage.Advise(m.Values[:nnzHint])
		}
	} else if !binary {
		m.Values = []float32{}
	}
	return m
}

// NNZ is the number of stored entries.
func (m *CSR) NNZ() int64 {
	if len(m.Indptr) == 0 {
		return 0
	}
	return m.Indptr[m.Rows]
}

// Binary reports whether the matrix stores no values (all entries are 1).
func (m *CSR) Binary() bool { return m.Values == nil }

// Row returns the column ids and values of row i; vals is nil for a binary
// matrix. The slices alias the matrix.
func (m *CSR) Row(i int) (ids []int32, vals []float32) {
	lo, hi := m.Indptr[i], m.Indptr[i+1]
	ids = m.Indices[lo:hi]
	if m.Values != nil {
		vals = m.Values[lo:hi]
	}
	return ids, vals
}

// RowLen is the number of entries in row i.
func (m *CSR) RowLen(i int) int { return int(m.Indptr[i+1] - m.Indptr[i]) }

// AppendRow adds a row. ids must be strictly increasing and < Cols; vals must
// have the same length unless the matrix is binary.
func (m *CSR) AppendRow(ids []int32, vals []float32) {
	m.Indices = append(m.Indices, ids...)
	if m.Values != nil {
		m.Values = append(m.Values, vals...)
	}
	m.Indptr = append(m.Indptr, int64(len(m.Indices)))
	m.Rows++
}

// growthCap bounds how far one estimate may grow the entry arrays: at most
// this many times the entries held, so that a damaged header declaring
// 2^31 rows costs a bounded overshoot, not an allocation of gigabytes.
const growthCap = 8

// reserve makes room for extra more entries. When the arrays must grow
// and est (the expected final entry count; 0 when unknown) exceeds what
// they must hold, they grow once to est (bounded by growthCap) instead of
// by append's steps of 1.25×, each of which copies everything read so far
// and briefly holds both copies. With no estimate they grow by append's
// step, so that rows appended one by one (a LIBSVM stream) cost amortised
// constant time, not a copy of the whole array per row.
func (m *CSR) reserve(extra int, est int64) {
	n := len(m.Indices)
	if n+extra <= cap(m.Indices) {
		return
	}
	need := int64(n + extra)
	want := max(need, appendCap(cap(m.Indices)))
	if est > need {
		// At least 5% more, so that an estimate that keeps falling
		// short regrows the arrays a bounded number of times.
		want = min(max(est, need+need/20), int64(growthCap)*need)
	}
	m.Indices = regrow(m.Indices, int(want))
	if m.Values != nil {
		m.Values = regrow(m.Values, int(want))
	}
}

// appendCap is about the capacity append grows a full slice of capacity c
// to: double while small, then 1.25× (Go's runtime, less its rounding to
// size classes).
func appendCap(c int) int64 {
	if c < 256 {
		return int64(2 * c)
	}
	return int64(c) + int64(c+3*256)/4
}

// regrow returns s in a new array of capacity c, advised for huge pages.
// Unlike slices.Grow, whose append of a zeroed slice clears the new part
// explicitly, it lets the runtime skip clearing memory fresh from the OS:
// the pages of a large array are then touched as rows fill them, each
// 2 MiB at a time, not all at once by one memclr. Reading a 1 GB file of
// 1.5 million rows took 8.9 s with slices.Grow on this VM, 5.3 s of it in
// memclr's page faults (which cannot be preempted, so the collector
// spun on the other core waiting for it), and 2.8-4.9 s with regrow.
func regrow[E any](s []E, c int) []E {
	t := make([]E, len(s), c)
	hugepage.Advise(t[:c])
	copy(t, s)
	return t
}

// Subset returns the rows listed in rows (0-based, any order, repeats
// allowed) as a new matrix. Its pages are made resident ahead of the copy
// (prefaulter): 90% of a 1 GB file's rows took 1.2-1.4 s instead of
// 1.9-2.2.
func (m *CSR) Subset(rows []int) *CSR {
	var nnz int64
	for _, r := range rows {
		nnz += m.Indptr[r+1] - m.Indptr[r]
	}
	out := NewCSR(m.Cols, len(rows), nnz, m.Values == nil)
	var pf prefaulter
	for _, r := range rows {
		ids, vals := m.Row(r)
		pf.ahead(out)
		out.AppendRow(ids, vals)
	}
	return out
}

// Validate checks the structural invariants; it is meant for tests, fuzzing
// and data from untrusted binary sources.
func (m *CSR) Validate() error {
	if len(m.Indptr) != m.Rows+1 {
		return fmt.Errorf("csr: indptr has %d entries for %d rows", len(m.Indptr), m.Rows)
	}
	if m.Indptr[0] != 0 || m.Indptr[m.Rows] != int64(len(m.Indices)) {
		return fmt.Errorf("csr: indptr does not span the index array")
	}
	if m.Values != nil && len(m.Values) != len(m.Indices) {
		return fmt.Errorf("csr: %d values for %d indices", len(m.Values), len(m.Indices))
	}
	for i := 0; i < m.Rows; i++ {
		lo, hi := m.Indptr[i], m.Indptr[i+1]
		if hi < lo {
			return fmt.Errorf("csr: row %d has negative length", i)
		}
		prev := int32(-1)
		for _, c := range m.Indices[lo:hi] {
			if c <= prev || int(c) >= m.Cols {
				return fmt.Errorf("csr: row %d: column %d out of order or >= %d", i, c, m.Cols)
			}
			prev = c
		}
	}
	for _, v := range m.Values {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("csr: non-finite value")
		}
	}
	return nil
}

// ColumnCounts returns how many rows hold each column.
func (m *CSR) ColumnCounts() []int64 {
	counts := make([]int64, m.Cols)
	for _, c := range m.Indices {
		counts[c]++
	}
	return counts
}

// OnePerRow reports whether every row holds exactly one entry (and there
// is a row): single-label data, as a label matrix.
func (m *CSR) OnePerRow() bool {
	for i := 0; i < m.Rows; i++ {
		if m.RowLen(i) != 1 {
			return false
		}
	}
	return m.Rows > 0
}

// MaxIndex returns the largest column id any row holds (-1 when none does).
func (m *CSR) MaxIndex() int32 {
	largest := int32(-1)
	for _, c := range m.Indices {
		largest = max(largest, c)
	}
	return largest
}

// Clone returns a deep copy.
func (m *CSR) Clone() *CSR {
	return &CSR{
		Rows: m.Rows, Cols: m.Cols,
		Indptr:  slices.Clone(m.Indptr),
		Indices: slices.Clone(m.Indices),
		Values:  cloneValues(m.Values),
	}
}

func cloneValues(v []float32) []float32 {
	if v == nil {
		return nil
	}
	return slices.Clone(v)
}

// prefaulter has the pages of a growing CSR's entry arrays made resident
// on another goroutine, a window ahead of the rows filling them, so that
// the reader copying rows in does not stop at every fresh page for the
// kernel to zero it: loading a 1 GB file of 1.5 million rows in mhe train
// took 2.6-3.3 s instead of 3.0-5.6 (scripts/load-speed.sh). The window
// bounds what a too-large capacity estimate makes resident for nothing.
type prefaulter struct {
	arr        *int32 // the Indices array last seen
	done, next int    // entries made resident (or being made so); the length that asks for more
	// fault makes entries [lo, hi) of m's arrays resident; nil: populate
	// them on a new goroutine (tests record the ranges).
	fault func(m *CSR, lo, hi int)
}

// prefaultWindow is how many entries ahead of the writer are made resident
// (16 MiB of each array); a range under a quarter of it is not worth a
// goroutine.
const prefaultWindow = 4 << 20

// ahead is called before each row is appended to m.
func (p *prefaulter) ahead(m *CSR) {
	n := len(m.Indices)
	if a := unsafe.SliceData(m.Indices); a != p.arr {
		p.arr, p.done, p.next = a, n, n // a new array: the copy made [0, n) resident
	}
	if n < p.next {
		return
	}
	p.next = n + prefaultWindow/2
	lo, hi := max(p.done, n), min(cap(m.Indices), n+prefaultWindow)
	if hi-lo < prefaultWindow/4 {
		return
	}
	p.done = hi
	if p.fault != nil {
		p.fault(m, lo, hi)
		return
	}
	ids, vals := m.Indices[lo:hi:hi], []float32(nil)
	if m.Values != nil {
		vals = m.Values[lo:hi:hi]
	}
	go func() {
		hugepage.Populate(ids)
		hugepage.Populate(vals)
	}()
}
