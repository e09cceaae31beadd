// Package synth generates mhe's built-in synthetic dataset: deterministic for
// a seed, learnable (every label has a signature of features that its
// examples carry), and with the power-law label frequency of real extreme
// classification data (a few head labels, a long tail). Rows are streamed to
// a writer, so 10^6 examples over 10^6 labels need memory for the label
// model only (about 12 bytes per label), never for the rows.
package synth

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/detmath"
)

// ErrParams reports invalid generator parameters.
var ErrParams = errors.New("synth: invalid parameters")

// Params describe a dataset. A zero AvgLabels, AvgFeatures or Signature
// takes its default (zero is no valid value of theirs); a zero Exponent or
// Noise is zero.
type Params struct {
	Examples int // rows (required)
	Features int // feature dimension D (required)
	Labels   int // label count C (required, >= 2)
	Seed     uint64
	// SingleLabel gives every row exactly one label (multi-class data).
	SingleLabel bool
	// AvgLabels is the mean number of labels per row (multi-label).
	AvgLabels float64
	// AvgFeatures is the mean number of feature draws per row.
	AvgFeatures int
	// Exponent a of the label frequency law P(rank r) ∝ (r+1)^−a; 0 is a
	// uniform law (DefaultExponent is the CLI's and the config's default).
	Exponent float64
	// Noise is the share of feature draws that ignore the labels; 0 is
	// none (DefaultNoise is the CLI's and the config's default).
	Noise float64
	// Signature is the number of features that characterise a label.
	Signature int
}

// The defaults of mhe's synthetic data: a zero AvgLabels, AvgFeatures or
// Signature takes them, and the CLI's flags and the config start from all
// five. DefaultExponent and DefaultNoise are not the zero value's: a
// uniform law (Exponent 0) and noise-free rows (Noise 0) are datasets of
// their own, and a zero that meant the default made them impossible to ask
// for (--noise 0 wrote rows of 30% noise).
const (
	DefaultAvgLabels   = 3
	DefaultAvgFeatures = 20
	DefaultSignature   = 8
	DefaultExponent    = 1
	DefaultNoise       = 0.3
)

// Limits of a synthetic dataset: the label model (popularity and label
// order, 12 bytes a label) is built before the first row, and every row
// draws its features one by one.
const (
	MaxLabels      = 100_000_000
	MaxAvgFeatures = 1_000_000
)

func (p *Params) setDefaults() error {
	if p.AvgLabels == 0 {
		p.AvgLabels = DefaultAvgLabels
	}
	if p.AvgFeatures == 0 {
		p.AvgFeatures = DefaultAvgFeatures
	}
	if p.Signature == 0 {
		p.Signature = DefaultSignature
	}
	switch {
	case p.Examples < 0 || p.Features < 1 || p.Labels < 2:
		return fmt.Errorf("%w: need examples >= 0, features >= 1 and labels >= 2 (got %d, %d, %d)", ErrParams, p.Examples, p.Features, p.Labels)
	case p.Labels > math.MaxInt32 || p.Features > math.MaxInt32:
		return fmt.Errorf("%w: labels and features must fit in int32", ErrParams)
	case p.Labels > MaxLabels:
		return fmt.Errorf("%w: %d labels: the label model keeps 12 bytes a label and is built up front; at most %d", ErrParams, p.Labels, MaxLabels)
	case p.AvgFeatures > MaxAvgFeatures:
		return fmt.Errorf("%w: avg features %d: at most %d draws a row", ErrParams, p.AvgFeatures, MaxAvgFeatures)
	case !(p.AvgLabels >= 1) || math.IsInf(p.AvgLabels, 1): // NaN fails too
		return fmt.Errorf("%w: avg labels %g must be >= 1", ErrParams, p.AvgLabels)
	case p.AvgFeatures < 1:
		return fmt.Errorf("%w: avg features %d must be >= 1", ErrParams, p.AvgFeatures)
	case !(p.Exponent >= 0) || math.IsInf(p.Exponent, 1):
		return fmt.Errorf("%w: exponent %g must be >= 0", ErrParams, p.Exponent)
	case !(p.Noise >= 0 && p.Noise < 1):
		return fmt.Errorf("%w: noise %g must be in [0, 1)", ErrParams, p.Noise)
	case p.Signature < 1:
		return fmt.Errorf("%w: signature %d must be >= 1", ErrParams, p.Signature)
	}
	return nil
}

// Model is the label model shared by the train and test rows of a dataset.
type Model struct {
	p    Params
	cdf  []float64 // cumulative popularity by rank
	perm []int32   // rank -> label id
}

// NewModel builds the label model for p.
func NewModel(p Params) (*Model, error) {
	if err := p.setDefaults(); err != nil {
		return nil, err
	}
	m := &Model{p: p, cdf: make([]float64, p.Labels), perm: make([]int32, p.Labels)}
	s := 0.0
	for r := range m.cdf {
		s += detmath.Pow(float64(r+1), -p.Exponent)
		m.cdf[r] = s
	}
	for r := range m.cdf {
		m.cdf[r] /= s
	}
	for i := range m.perm {
		m.perm[i] = int32(i)
	}
	// The most frequent labels get scattered ids, as in real data.
	rng := rand.New(rand.NewPCG(p.Seed, 0x5eed0))
	rng.Shuffle(len(m.perm), func(i, j int) { m.perm[i], m.perm[j] = m.perm[j], m.perm[i] })
	return m, nil
}

// Params returns the parameters with defaults filled in.
func (m *Model) Params() Params { return m.p }

// Stream identifies independent row streams of one model.
const (
	StreamTrain uint64 = 1
	StreamTest  uint64 = 2
)

// Write generates n rows of the given stream into w (XC or LIBSVM rows;
// write the header first). Each stream is deterministic on its own.
func (m *Model) Write(w *data.RowWriter, n int, stream uint64) error {
	g := m.newGen(stream)
	for i := 0; i < n; i++ {
		labels, ids, vals := g.row()
		if err := w.Write(labels, ids, vals); err != nil {
			return err
		}
	}
	return nil
}

// Rows generates n rows of a stream into memory (tests, in-process
// training on built-in data).
func (m *Model) Rows(n int, stream uint64) *data.Dataset {
	g := m.newGen(stream)
	// Capacity hints: a row holds at most Features distinct ids and Labels labels.
	x := data.NewCSR(m.p.Features, n, int64(n)*int64(min(m.p.AvgFeatures, m.p.Features)), false)
	y := data.NewCSR(m.p.Labels, n, int64(float64(n)*min(m.p.AvgLabels, float64(m.p.Labels))), true)
	for i := 0; i < n; i++ {
		labels, ids, vals := g.row()
		x.AppendRow(ids, vals)
		y.AppendRow(labels, nil)
	}
	return &data.Dataset{Name: "synthetic", X: x, Y: y}
}

type gen struct {
	m      *Model
	rng    *rand.Rand
	labels []int32
	ids    []int32
	vals   []float32
}

func (m *Model) newGen(stream uint64) *gen {
	return &gen{m: m, rng: rand.New(rand.NewPCG(m.p.Seed, stream))}
}

// label draws a label id by popularity.
func (g *gen) label() int32 {
	u := g.rng.Float64()
	r := sort.SearchFloat64s(g.m.cdf, u)
	if r >= len(g.m.cdf) {
		r = len(g.m.cdf) - 1
	}
	return g.m.perm[r]
}

// signature returns feature j of label l's signature (hashed: no memory).
func (g *gen) signature(l int32, j int) int32 {
	h := splitmix(g.m.p.Seed ^ (uint64(l)*uint64(g.m.p.Signature) + uint64(j) + 0x9e3779b97f4a7c15))
	return int32(h % uint64(g.m.p.Features))
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// poisson draws from Poisson(mean) (Knuth; means here are small).
func (g *gen) poisson(mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 30 {
		return max(0, int(math.Round(mean+float64(math.Sqrt(mean)*g.rng.NormFloat64()))))
	}
	l, k, p := detmath.Exp(-mean), 0, 1.0
	for {
		p *= g.rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func (g *gen) row() ([]int32, []int32, []float32) {
	p := g.m.p
	g.labels = g.labels[:0]
	want := 1
	if !p.SingleLabel {
		want = min(1+g.poisson(p.AvgLabels-1), p.Labels)
	}
	for tries := 0; len(g.labels) < want && tries < 20*want; tries++ {
		l := g.label()
		if !slices.Contains(g.labels, l) {
			g.labels = append(g.labels, l)
		}
	}
	slices.Sort(g.labels)
	g.ids = g.ids[:0]
	nf := max(1, g.poisson(float64(p.AvgFeatures)))
	for range nf {
		if g.rng.Float64() < p.Noise {
			g.ids = append(g.ids, int32(g.rng.IntN(p.Features)))
			continue
		}
		l := g.labels[g.rng.IntN(len(g.labels))]
		g.ids = append(g.ids, g.signature(l, g.rng.IntN(p.Signature)))
	}
	// Repeated draws become term counts.
	slices.Sort(g.ids)
	g.vals = g.vals[:0]
	out := g.ids[:0]
	for i, id := range g.ids {
		if i > 0 && id == out[len(out)-1] {
			g.vals[len(g.vals)-1]++
			continue
		}
		out = append(out, id)
		g.vals = append(g.vals, 1)
	}
	g.ids = out
	return g.labels, g.ids, g.vals
}
