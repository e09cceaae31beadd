// Package heads holds what all multi-head encodings share: the mixed-radix
// label codec (SPEC §2), head-length planning with its cost model (SPEC §3)
// and the exact top-K decoding of a product of head distributions (SPEC §5).
//
// Heads are numbered from 0 here; the paper numbers them from 1. Head 0 is
// the most significant digit.
package heads

import (
	"errors"
	"fmt"
	"math/bits"

	"github.com/mhe-xlc/mhe/internal/detmath"
)

// ErrPlan reports an impossible or invalid head layout.
var ErrPlan = errors.New("heads: invalid plan")

// maxCapacity bounds the product of the head lengths.
const maxCapacity = int64(1) << 62

// Codec maps label ids 0..C-1 to H digits y^h in [0, L_h) and back:
// y = Σ_h y^h·R_h with R_h = Π_{j>h} L_j. Codes y >= C are padding codes:
// they exist when Π L_h > C and are never valid labels.
type Codec struct {
	lengths []int
	radix   []int64 // R_h
	numLab  int64
	levels  []int64 // valid nodes per level: ceil(C / R_h)
}

// NewCodec checks that the lengths cover numLabels labels (Π L_h >= C, each
// L_h >= 1) and returns the codec.
func NewCodec(numLabels int, lengths []int) (*Codec, error) {
	if numLabels < 1 {
		return nil, fmt.Errorf("%w: need at least one label, got %d", ErrPlan, numLabels)
	}
	if len(lengths) == 0 {
		return nil, fmt.Errorf("%w: no head lengths", ErrPlan)
	}
	capacity, err := Product(lengths)
	if err != nil {
		return nil, err
	}
	if capacity < int64(numLabels) {
		fix := append([]int(nil), lengths...)
		rest := capacity / int64(lengths[0])
		fix[0] = int((int64(numLabels) + rest - 1) / rest)
		return nil, fmt.Errorf("%w: head lengths %v cover %d codes, fewer than the %d labels; the product of the lengths must be >= the label count (e.g. %v)",
			ErrPlan, lengths, capacity, numLabels, fix)
	}
	h := len(lengths)
	c := &Codec{lengths: append([]int(nil), lengths...), radix: make([]int64, h), numLab: int64(numLabels), levels: make([]int64, h)}
	r := int64(1)
	for i := h - 1; i >= 0; i-- {
		c.radix[i] = r
		r *= int64(lengths[i])
	}
	for i := range h {
		c.levels[i] = (c.numLab + c.radix[i] - 1) / c.radix[i]
	}
	return c, nil
}

// Product multiplies lengths, rejecting lengths < 1 and overflow.
func Product(lengths []int) (int64, error) {
	p := int64(1)
	for i, l := range lengths {
		if l < 1 {
			return 0, fmt.Errorf("%w: head %d has length %d; every head needs length >= 1", ErrPlan, i+1, l)
		}
		hi, lo := bits.Mul64(uint64(p), uint64(l))
		if hi != 0 || lo >= uint64(maxCapacity) {
			return 0, fmt.Errorf("%w: the product of head lengths %v overflows", ErrPlan, lengths)
		}
		p = int64(lo)
	}
	return p, nil
}

// Heads is H.
func (c *Codec) Heads() int { return len(c.lengths) }

// Lengths returns L_1..L_H (do not modify).
func (c *Codec) Lengths() []int { return c.lengths }

// Length is L_h.
func (c *Codec) Length(h int) int { return c.lengths[h] }

// NumLabels is C.
func (c *Codec) NumLabels() int { return int(c.numLab) }

// Capacity is Π L_h, the number of codes.
func (c *Codec) Capacity() int64 { return c.radix[0] * int64(c.lengths[0]) }

// Padding is the number of padding codes, Π L_h − C.
func (c *Codec) Padding() int64 { return c.Capacity() - c.numLab }

// Radix is R_h = Π_{j>h} L_j.
func (c *Codec) Radix(h int) int64 { return c.radix[h] }

// Encode writes the digits of label y into digits (len H): seed Eq. 10,
// y^h = ⌊(y mod R_{h-1}) / R_h⌋.
func (c *Codec) Encode(y int, digits []int32) {
	v := int64(y)
	for h, r := range c.radix {
		digits[h] = int32(v / r)
		v %= r
	}
}

// Decode returns Σ_h y^h·R_h (seed Eq. 11). The result may be a padding code
// (>= C); check with Valid.
func (c *Codec) Decode(digits []int32) int64 {
	var y int64
	for h, r := range c.radix {
		y += int64(digits[h]) * r
	}
	return y
}

// Valid reports whether code y is a label (not padding).
func (c *Codec) Valid(y int64) bool { return y >= 0 && y < c.numLab }

// Node returns the level-h node of label y, n_h(y) = ⌊y / R_h⌋. The last
// level's nodes are the labels themselves.
func (c *Codec) Node(y, h int) int64 { return int64(y) / c.radix[h] }

// LevelSize is the number of level-h nodes that hold at least one label,
// ⌈C / R_h⌉; nodes beyond it cover only padding codes.
func (c *Codec) LevelSize(h int) int64 { return c.levels[h] }

// Children returns the valid children [lo, hi) at level h >= 1 of node n at
// level h-1: n·L_h + t for t in [0, L_h), minus those whose whole subtree is
// padding.
func (c *Codec) Children(n int64, h int) (lo, hi int64) {
	lo = n * int64(c.lengths[h])
	hi = min(lo+int64(c.lengths[h]), c.levels[h])
	if hi < lo {
		hi = lo
	}
	return lo, hi
}

// ConfusionDegree is D(π) of seed Eq. 15 for the lengths in the given order
// (the reading that gives D = L_2/L_1 for two heads):
// D = Π_{h=2}^{H} (Π_{k=h}^{H} L_k) / L_{h-1}. One head gives 1 (empty
// product).
func ConfusionDegree(lengths []int) float64 {
	// log D = Σ_p coef(p)·log L_p with coef(1) = −1,
	// coef(p) = p−2 for 1 < p < H, and coef(H) = H−1.
	h := len(lengths)
	if h < 2 {
		return 1
	}
	logD := 0.0
	for i, l := range lengths {
		logD += float64(float64(coefficient(i+1, h)) * detmath.Log(float64(l)))
	}
	return detmath.Exp(logD)
}

func coefficient(p, h int) int {
	c := p - 1
	if p <= h-1 {
		c--
	}
	return c
}

// MaxConfusionDegree is the largest D over all orders of the lengths: the
// confusion degree of heads combined in parallel (MHP), where no order is
// chosen.
func MaxConfusionDegree(lengths []int) float64 {
	return extremeConfusion(lengths, true)
}

// MinConfusionDegree is the smallest D over all orders (descending lengths
// for a cascade).
func MinConfusionDegree(lengths []int) float64 {
	return extremeConfusion(lengths, false)
}

// extremeConfusion assigns lengths to positions by the rearrangement
// inequality: larger lengths to larger coefficients maximises log D.
func extremeConfusion(lengths []int, maximise bool) float64 {
	h := len(lengths)
	if h < 2 {
		return 1
	}
	pos := make([]int, h) // positions sorted by coefficient ascending
	for i := range pos {
		pos[i] = i + 1
	}
	sortBy(pos, func(p int) float64 { return float64(coefficient(p, h)) })
	ls := append([]int(nil), lengths...)
	sortBy(ls, func(l int) float64 { return float64(l) })
	if !maximise {
		for i, j := 0, h-1; i < j; i, j = i+1, j-1 {
			ls[i], ls[j] = ls[j], ls[i]
		}
	}
	logD := 0.0
	for i, p := range pos {
		logD += float64(float64(coefficient(p, h)) * detmath.Log(float64(ls[i])))
	}
	return detmath.Exp(logD)
}

func sortBy(s []int, key func(int) float64) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && key(s[j]) < key(s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
