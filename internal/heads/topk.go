package heads

import (
	"slices"
)

// ProductDecoder finds the exact top-K labels of a product of per-head
// distributions: score(y) = Σ_h s_h[y^h] over valid codes y < C (s_h are
// per-head log-probabilities). It searches best first over the heads'
// sorted score lists with a heap, never scanning the C codes and never
// emitting a padding code. A decoder is not safe for concurrent use; its
// buffers are reused between calls, so steady-state decoding does not
// allocate.
type ProductDecoder struct {
	codec  *Codec
	order  [][]int32 // per head: indices sorted by decreasing score (prefix)
	sorted []int     // per head: length of the sorted prefix
	ranks  []int32   // arena of rank tuples, H per state
	heap   []state
	digits []int32
	scores [][]float32
}

type state struct {
	score float32
	off   int32 // ranks[off : off+H]
	last  int16 // highest head whose rank is > 0 (0 for the root)
}

// NewProductDecoder returns a decoder for codec.
func NewProductDecoder(codec *Codec) *ProductDecoder {
	h := codec.Heads()
	d := &ProductDecoder{codec: codec, order: make([][]int32, h), sorted: make([]int, h), digits: make([]int32, h)}
	for i := range h {
		d.order[i] = make([]int32, codec.Length(i))
	}
	return d
}

// TopK writes the k best valid labels and their scores (Σ_h s_h, best
// first) into labels and scores (each of length >= k) and returns how many
// it wrote (fewer than k only when C < k). scores[h] must have length L_h.
func (d *ProductDecoder) TopK(headScores [][]float32, k int, labels []int32, scores []float32) int {
	h := d.codec.Heads()
	k = min(k, d.codec.NumLabels())
	if k <= 0 {
		return 0
	}
	d.scores = headScores
	for i := range h {
		d.prepare(i, k)
	}
	d.ranks = d.ranks[:0]
	d.heap = d.heap[:0]
	// Root: every head at rank 0.
	for range h {
		d.ranks = append(d.ranks, 0)
	}
	d.push(state{score: d.sum(d.ranks[:h]), off: 0, last: 0})
	n := 0
	for n < k && len(d.heap) > 0 {
		s := d.pop()
		rk := d.ranks[s.off : int(s.off)+h]
		for i := range h {
			d.digits[i] = d.order[i][rk[i]]
		}
		if y := d.codec.Decode(d.digits); d.codec.Valid(y) {
			labels[n], scores[n] = int32(y), s.score
			n++
		}
		// Successors: raise one rank at a head >= last, so every tuple has
		// exactly one parent (no duplicate states) and a child never beats
		// its parent (the lists are sorted).
		for j := int(s.last); j < h; j++ {
			r := rk[j] + 1
			if int(r) >= d.codec.Length(j) {
				continue
			}
			d.ensureSorted(j, int(r)+1)
			off := int32(len(d.ranks))
			d.ranks = append(d.ranks, d.ranks[s.off:int(s.off)+h]...)
			d.ranks[int(off)+j] = r
			rk = d.ranks[s.off : int(s.off)+h] // append may have moved the arena
			d.push(state{score: d.sum(d.ranks[off : int(off)+h]), off: off, last: int16(j)})
		}
	}
	return n
}

// sum is the score of a rank tuple, summed in head order so that a code's
// score does not depend on the search path.
func (d *ProductDecoder) sum(rk []int32) float32 {
	var s float32
	for i, r := range rk {
		s += d.scores[i][d.order[i][r]]
	}
	return s
}

// prepare sorts the best min(L, k) entries of head i; more are sorted on
// demand when padding codes push the search deeper.
func (d *ProductDecoder) prepare(i, k int) {
	ord := d.order[i]
	for j := range ord {
		ord[j] = int32(j)
	}
	d.sorted[i] = 0
	d.ensureSorted(i, min(len(ord), k))
}

// ensureSorted makes the first m entries of head i's order the m best, in
// decreasing score (ties by index).
func (d *ProductDecoder) ensureSorted(i, m int) {
	if m <= d.sorted[i] {
		return
	}
	ord, s := d.order[i], d.scores[i]
	less := func(a, b int32) int {
		switch {
		case s[a] > s[b]:
			return -1
		case s[a] < s[b]:
			return 1
		}
		return int(a) - int(b)
	}
	rest := ord[d.sorted[i]:]
	need := m - d.sorted[i]
	if need*4 < len(rest) {
		// Partial selection: move the best `need` of rest to its front.
		need = max(need, min(len(rest), 2*need)) // sort a little ahead
		selectTop(rest, need, less)
		slices.SortFunc(rest[:need], less)
		d.sorted[i] += need
		return
	}
	slices.SortFunc(rest, less)
	d.sorted[i] = len(ord)
}

// selectTop partitions s so that its first m elements are the m smallest by
// cmp (quickselect, median of three).
func selectTop(s []int32, m int, cmp func(a, b int32) int) {
	lo, hi := 0, len(s)-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if cmp(s[mid], s[lo]) < 0 {
			s[mid], s[lo] = s[lo], s[mid]
		}
		if cmp(s[hi], s[lo]) < 0 {
			s[hi], s[lo] = s[lo], s[hi]
		}
		if cmp(s[hi], s[mid]) < 0 {
			s[hi], s[mid] = s[mid], s[hi]
		}
		pivot := s[mid]
		i, j := lo, hi
		for i <= j {
			for cmp(s[i], pivot) < 0 {
				i++
			}
			for cmp(pivot, s[j]) < 0 {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		if m-1 <= j {
			hi = j
		} else if m-1 >= i {
			lo = i
		} else {
			return
		}
	}
}

func (d *ProductDecoder) push(s state) {
	d.heap = append(d.heap, s)
	i := len(d.heap) - 1
	for i > 0 {
		p := (i - 1) / 2
		if d.heap[p].score >= d.heap[i].score {
			break
		}
		d.heap[p], d.heap[i] = d.heap[i], d.heap[p]
		i = p
	}
}

func (d *ProductDecoder) pop() state {
	top := d.heap[0]
	n := len(d.heap) - 1
	d.heap[0] = d.heap[n]
	d.heap = d.heap[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && d.heap[r].score > d.heap[l].score {
			c = r
		}
		if d.heap[i].score >= d.heap[c].score {
			break
		}
		d.heap[i], d.heap[c] = d.heap[c], d.heap[i]
		i = c
	}
	return top
}
