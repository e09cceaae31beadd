package train

import (
	"fmt"
	"strings"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/detmath"
	"github.com/mhe-xlc/mhe/internal/heads"
	"github.com/mhe-xlc/mhe/internal/modelio"
	"github.com/mhe-xlc/mhe/internal/nn"
)

// Model is a trained (or training) classifier: preprocessing, label
// permutation, the net and its head.
type Model struct {
	Prep        Preprocess
	Labels      int
	Perm, Inv   []int32 // original -> internal and back; nil = identity
	LabelCounts []int64 // training label counts, original ids (for PSP)
	TrainRows   int
	SingleLabel bool

	Method heads.Method
	Loss   heads.Loss
	Plan   *heads.Plan
	Head   heads.Head
	Net    *Net

	Encoder config.EncoderConfig
	// Width is d, the width of the encoder output the head reads.
	Width int
	// PathScore is MHC's ranking of the last level (heads.PathProduct or
	// heads.PathLast).
	PathScore string
}

// Spec is what building a model needs to know besides the data.
type Spec struct {
	Config      *config.Config
	Labels      int
	Features    int // after preprocessing
	SingleLabel bool
	Plan        *heads.PlanFile // from head.plan, if any
	// ShapesOnly builds the tensors' shapes without their values (to
	// price a model: TrainingMemory).
	ShapesOnly bool
	// Pool draws the initial weights in parallel (nil: one goroutine); the
	// values do not depend on it.
	Pool *nn.Pool
}

// resolveLoss picks the loss for auto.
func resolveLoss(method heads.Method, loss string, single bool) (heads.Loss, error) {
	switch loss {
	case "", "auto":
		if method == heads.MHC || ((method == heads.Vanilla || method == heads.MHS) && !single) {
			return heads.LossBCE, nil
		}
		return heads.LossSoftmax, nil
	case "bce":
		return heads.LossBCE, nil
	case "softmax", "softmargin":
		if method == heads.MHC {
			return "", fmt.Errorf("%w: head.loss %q: the cascade is trained with bce on every level", config.ErrInvalid, loss)
		}
		return heads.Loss(loss), nil
	}
	return "", fmt.Errorf("%w: head.loss %q", config.ErrInvalid, loss)
}

// PlanFor turns the head section of a config into a plan for C labels and
// encoder width d, its optimizer bytes priced for training as t says.
func PlanFor(h config.HeadConfig, pf *heads.PlanFile, c, d int, t config.TrainConfig) (*heads.Plan, error) {
	method, lengths, beam, dh, samples := h.Method, h.Lengths, h.Beam, h.BottleneckDim, h.Samples
	if pf != nil {
		if pf.Labels != c {
			return nil, fmt.Errorf("%w: head.plan was made for %d labels but the data has %d; run mhe plan --labels %d --out again",
				heads.ErrPlan, pf.Labels, c, c)
		}
		method, lengths = string(pf.Method), pf.Lengths
		if pf.Beam > 0 {
			beam = pf.Beam
		}
		if pf.BottleneckDim > 0 {
			dh = pf.BottleneckDim
		}
		if pf.Samples > 0 {
			samples = pf.Samples
		}
	}
	m, err := heads.ParseMethod(method)
	if err != nil {
		return nil, err
	}
	req := heads.Request{Method: m, Labels: c, Heads: h.Heads, Lengths: lengths, Groups: h.Groups, Dim: d,
		BottleneckDim: dh, Beam: beam, Samples: samples, Optimizer: t.Optimizer, RowwiseTables: t.RowwiseTables,
		NoBottleneck: m == heads.MHC && dh == 0}
	if m == heads.Vanilla {
		req.Heads, req.Lengths = 0, nil
	}
	return heads.NewPlan(req)
}

// Build creates an untrained model for the spec.
func Build(s Spec) (*Model, error) {
	cfg := s.Config
	enc := cfg.Encoder
	d := s.Features
	hidden := []int(nil)
	if strings.EqualFold(enc.Type, "mlp") {
		hidden = enc.Hidden
		if len(hidden) == 0 {
			// config.Validate refuses it; mhe plan prices configs that
			// train would refuse, after a warning.
			return nil, fmt.Errorf("encoder.hidden: %s", config.MLPNeedsHidden)
		}
		d = hidden[len(hidden)-1]
	}
	plan, err := PlanFor(cfg.Head, s.Plan, s.Labels, d, cfg.Train)
	if err != nil {
		return nil, err
	}
	loss, err := resolveLoss(plan.Method, cfg.Head.Loss, s.SingleLabel)
	if err != nil {
		return nil, err
	}
	m := &Model{Labels: s.Labels, SingleLabel: s.SingleLabel, Method: plan.Method, Loss: loss, Plan: plan, Encoder: enc, Width: d,
		PathScore: strings.ToLower(cfg.Head.PathScore)}
	if err := m.makeHead(!s.ShapesOnly, cfg.Train.Seed, s.Pool); err != nil {
		return nil, err
	}
	act, err := nn.ParseActivation(strings.ToLower(enc.Activation))
	if err != nil {
		return nil, fmt.Errorf("%w: encoder.activation: %v", config.ErrInvalid, err)
	}
	if m.Net, err = NewNet(s.Features, hidden, act, enc.Dropout, m.Head.Outputs(), m.passthrough(), cfg.Train.Seed, !s.ShapesOnly, s.Pool); err != nil {
		return nil, fmt.Errorf("%w: head.bottleneck_dim: %v", config.ErrInvalid, err)
	}
	if h, ok := m.Head.(*heads.MHSHead); ok {
		g, size := h.Groups()
		m.Net.BlockWidth = g * size
	}
	return m, nil
}

// makeHead builds the head; alloc allocates (and initialises from seed) the
// parameters a head has of its own.
func (m *Model) makeHead(alloc bool, seed uint64, pool *nn.Pool) error {
	var err error
	switch m.Method {
	case heads.Vanilla:
		m.Head, err = heads.NewVanillaHead(m.Labels, m.Loss)
	case heads.MHP, heads.MHC, heads.MHS:
		codec, cerr := heads.NewCodec(m.Labels, m.Plan.Lengths)
		if cerr != nil {
			return cerr
		}
		switch m.Method {
		case heads.MHP:
			m.Head, err = heads.NewMHPHead(codec, m.Loss)
		case heads.MHS:
			m.Head, err = heads.NewMHSHead(codec, m.Plan.Samples, m.Loss, seed)
		default:
			var h *heads.MHCHead
			h, err = heads.NewMHCHead(codec, m.Plan.BottleneckDim, m.Width, m.Plan.Beam, alloc, seed, pool)
			if err == nil {
				h.LastOnly = m.PathScore == heads.PathLast
				for _, p := range h.Tables() {
					p.RowState = m.Plan.RowwiseTables
				}
				m.Head = h
			}
		}
	default:
		err = fmt.Errorf("%w: unknown head.method %s", config.ErrInvalid, m.Method)
	}
	return err
}

// passthrough is the number of copies of the encoder output the head reads.
func (m *Model) passthrough() int {
	if h, ok := m.Head.(*heads.MHCHead); ok {
		copies, _ := h.Passthrough()
		return copies
	}
	return 0
}

// Params lists every trainable tensor: the net's, then the head's own.
func (m *Model) Params() []*nn.Param {
	ps := m.Net.Params()
	if th, ok := m.Head.(heads.TrainableHead); ok {
		ps = append(ps, th.Params()...)
	}
	return ps
}

// InitBias sets the head's biases to the label prior (log-odds for BCE, log
// frequency for softmax), which shortens the first epoch on data where most
// labels are rare. counts are internal-id training counts over n rows.
func (m *Model) InitBias(counts []int64, n int) {
	b := m.Net.HeadBias()
	prior := func(c int64) float64 { return (float64(c) + 0.1) / (float64(n) + 0.2) }
	switch h := m.Head.(type) {
	case *heads.VanillaHead, *heads.MHSHead:
		// MHS keeps the full classifier: the same prior per label.
		for l, c := range counts {
			p := prior(c)
			if m.Loss == heads.LossBCE {
				b[l] = float32(detmath.Log(p / (1 - p)))
			} else {
				b[l] = float32(detmath.Log(p))
			}
		}
	case *heads.MHCHead:
		// Every level: the log-odds of each node's share of the label
		// counts (level 1 in the net's bias, deeper levels in the head's).
		codec := h.Codec()
		for lv := range codec.Heads() {
			sums := make([]float64, codec.LevelSize(lv))
			for l, c := range counts {
				sums[codec.Node(l, lv)] += float64(c)
			}
			bias := b
			if lv > 0 {
				bias = h.B[lv-1].W
			}
			for i, s := range sums {
				p := min((s+0.1)/(float64(n)+0.2), 0.999)
				bias[i] = float32(detmath.Log(p / (1 - p)))
			}
		}
	case *heads.MHPHead:
		codec := h.Codec()
		off := 0
		digits := make([]int32, codec.Heads())
		sums := make([]float64, h.Outputs())
		offsets := make([]int, codec.Heads())
		for i := range offsets {
			offsets[i] = off
			off += codec.Length(i)
		}
		for l, c := range counts {
			codec.Encode(l, digits)
			for i, dg := range digits {
				sums[offsets[i]+int(dg)] += float64(c)
			}
		}
		for i := range sums {
			p := (sums[i] + 0.1) / (float64(n) + 0.2)
			if m.Loss == heads.LossSoftMargin {
				p = min(p, 0.999)
				b[i] = float32(detmath.Log(p / (1 - p)))
			} else {
				b[i] = float32(detmath.Log(p))
			}
		}
	}
}

// Tensors returns the model's saved tensors (weights, preprocessing, labels).
func (m *Model) Tensors() []modelio.Tensor {
	var ts []modelio.Tensor
	for _, p := range m.Params() {
		ts = append(ts, modelio.Tensor{Name: p.Name, Dims: []int{p.Rows, p.Cols}, F32: p.W})
	}
	if m.Prep.IDF != nil {
		ts = append(ts, modelio.Tensor{Name: "prep.idf", Dims: []int{len(m.Prep.IDF)}, F32: m.Prep.IDF})
	}
	if m.Perm != nil {
		ts = append(ts, modelio.Tensor{Name: "labels.perm", Dims: []int{len(m.Perm)}, I32: m.Perm})
	}
	if m.LabelCounts != nil {
		ts = append(ts, modelio.Tensor{Name: "labels.train_counts", Dims: []int{len(m.LabelCounts)}, I64: m.LabelCounts})
	}
	return ts
}

// Bind points the model's parameters at the tensors of a loaded file
// (no copy: the file's memory is used in place).
func (m *Model) Bind(f *modelio.TensorFile) error {
	for _, p := range m.Params() {
		t, err := f.Get(p.Name, modelio.Float32, p.Rows, p.Cols)
		if err != nil {
			return err
		}
		p.W = t.F32
	}
	if t, ok := f.Tensors["prep.idf"]; ok {
		if _, err := f.Get("prep.idf", modelio.Float32, m.Prep.Features()); err != nil {
			return err
		}
		m.Prep.IDF = t.F32
	}
	if _, ok := f.Tensors["labels.perm"]; ok {
		t, err := f.Get("labels.perm", modelio.Int32, m.Labels)
		if err != nil {
			return err
		}
		if err := checkPermutation(t.I32); err != nil {
			return fmt.Errorf("%w: %s: %v", modelio.ErrCorrupt, f.Path, err)
		}
		m.Perm = t.I32
		m.Inv = Inverse(m.Perm)
	}
	if _, ok := f.Tensors["labels.train_counts"]; ok {
		t, err := f.Get("labels.train_counts", modelio.Int64, m.Labels)
		if err != nil {
			return err
		}
		m.LabelCounts = t.I64
	}
	return nil
}

func checkPermutation(p []int32) error {
	seen := make([]bool, len(p))
	for _, v := range p {
		if v < 0 || int(v) >= len(p) || seen[v] {
			return fmt.Errorf("the label permutation is not a permutation")
		}
		seen[v] = true
	}
	return nil
}
