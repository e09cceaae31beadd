package heads

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mhe-xlc/mhe/internal/detmath"
)

// Method is a classifier head.
type Method string

const (
	Vanilla Method = "vanilla" // one C-way classifier
	MHP     Method = "mhp"     // multi-head product (single-label)
	MHC     Method = "mhc"     // multi-head cascade (multi-label)
	MHS     Method = "mhs"     // multi-head sampling
)

// Methods lists the heads in documentation order.
var Methods = []Method{Vanilla, MHP, MHC, MHS}

// ParseMethod validates a method name.
func ParseMethod(s string) (Method, error) {
	m := Method(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Methods, m) {
		return m, nil
	}
	return "", fmt.Errorf("%w: unknown head method %q (want vanilla, mhp, mhc or mhs)", ErrPlan, s)
}

// Defaults of the cost model and of MHC/MHS (the authors' values).
const (
	DefaultDim           = 512 // encoder output width d
	DefaultBottleneckDim = 300 // MHC d_h
	DefaultBeam          = 10  // MHC candidates_topk
	DefaultSamples       = 1   // MHS S
)

// Request describes the plan to make. Zero fields take defaults.
type Request struct {
	Method Method
	Labels int // C
	// Heads is H; 0 chooses: 2, or the smallest H within Budget.
	Heads int
	// Lengths evaluates a given layout instead of planning one.
	Lengths []int
	// Groups applies the authors' MHC rule: group size g = ⌈C/n⌉, then
	// ⌈C/g⌉ groups (two heads).
	Groups int
	// Budget, with Heads == 0, picks the smallest H whose classifier has at
	// most Budget parameters.
	Budget int64
	// Dim is the encoder output width d.
	Dim int
	// BottleneckDim is MHC's d_h (levels >= 2); 0 takes the default.
	BottleneckDim int
	// NoBottleneck: MHC levels >= 2 score the encoder output itself (no
	// projection; their embeddings are d wide).
	NoBottleneck bool
	// Beam is MHC's beam width K (candidates kept per level).
	Beam int
	// Samples is MHS's S: heads each example sees per step.
	Samples int
	// Optimizer decides the state bytes: "sgd" (momentum, 1 copy),
	// "adam"/"adamw" (2 copies), "plain" (none).
	Optimizer string
	// RowwiseTables: with Adam or AdamW, MHC's label tables (levels >= 2)
	// keep one optimizer value a row instead of two a weight
	// (train.rowwise_tables).
	RowwiseTables bool
}

// Cost is the size and compute of one classifier. Parameters include
// biases; multiply-adds are per example.
type Cost struct {
	Params         int64 `json:"params"`
	FlopsTrain     int64 `json:"flops_train"`
	FlopsPredict   int64 `json:"flops_predict"`
	WeightBytes    int64 `json:"weight_bytes"`
	OptimizerBytes int64 `json:"optimizer_bytes"`
}

// Plan is a chosen head layout with its cost beside the vanilla classifier's.
type Plan struct {
	Method          Method  `json:"method"`
	Labels          int     `json:"labels"`
	Heads           int     `json:"heads"`
	Lengths         []int   `json:"lengths"`
	Padding         int64   `json:"padding"`
	ConfusionDegree float64 `json:"confusion_degree"`
	Dim             int     `json:"dim"`
	BottleneckDim   int     `json:"bottleneck_dim,omitempty"` // 0 for MHC: no projection
	Beam            int     `json:"beam,omitempty"`
	GroupSize       int     `json:"group_size,omitempty"`
	Samples         int     `json:"samples,omitempty"`
	Optimizer       string  `json:"optimizer"`
	// RowwiseTables says the optimizer bytes count MHC's label tables at
	// one value a row (train.rowwise_tables).
	RowwiseTables bool `json:"rowwise_tables,omitempty"`
	Cost
	// The vanilla classifier's figures, flat (scripts read these keys) and
	// in full under "vanilla".
	VanillaParams       int64   `json:"vanilla_params"`
	VanillaFlopsTrain   int64   `json:"vanilla_flops_train"`
	VanillaFlopsPredict int64   `json:"vanilla_flops_predict"`
	Vanilla             Cost    `json:"vanilla"`
	ParamRatio          float64 `json:"param_ratio"`
}

// MaxLabels is the most labels a plan takes: label ids are int32, as in
// the data readers.
const MaxLabels = math.MaxInt32

// NewPlan plans the heads for r.
func NewPlan(r Request) (*Plan, error) {
	if r.Labels < 1 && len(r.Lengths) > 0 {
		p, err := Product(r.Lengths)
		if err != nil {
			return nil, err
		}
		if p > math.MaxInt32 {
			return nil, fmt.Errorf("%w: give the label count; the lengths cover %d codes", ErrPlan, p)
		}
		r.Labels = int(p)
	}
	if r.Labels < 1 {
		return nil, fmt.Errorf("%w: the label count is unknown; give --labels, --data or --config", ErrPlan)
	}
	if r.Labels > MaxLabels {
		return nil, fmt.Errorf("%w: %d labels: label ids are 32-bit, so a model has at most %d labels", ErrPlan, r.Labels, MaxLabels)
	}
	if r.Method == "" {
		r.Method = MHP
	}
	if _, err := ParseMethod(string(r.Method)); err != nil {
		return nil, err
	}
	if r.Dim == 0 {
		r.Dim = DefaultDim
	}
	if r.BottleneckDim == 0 {
		r.BottleneckDim = DefaultBottleneckDim
	}
	if r.Beam == 0 {
		r.Beam = DefaultBeam
	}
	if r.Samples == 0 {
		r.Samples = DefaultSamples
	}
	if r.Optimizer == "" {
		r.Optimizer = "adam"
	}
	switch {
	case r.Dim < 1:
		return nil, fmt.Errorf("%w: encoder width %d must be >= 1", ErrPlan, r.Dim)
	case r.BottleneckDim < 1 && !r.NoBottleneck:
		return nil, fmt.Errorf("%w: bottleneck width %d must be >= 1", ErrPlan, r.BottleneckDim)
	case r.Beam < 1:
		return nil, fmt.Errorf("%w: beam width %d must be >= 1", ErrPlan, r.Beam)
	case r.Samples < 1:
		return nil, fmt.Errorf("%w: samples %d must be >= 1", ErrPlan, r.Samples)
	case r.Heads < 0:
		return nil, fmt.Errorf("%w: heads %d must be >= 1 (or 0 to choose)", ErrPlan, r.Heads)
	case r.Budget < 0:
		return nil, fmt.Errorf("%w: budget %d must be >= 0", ErrPlan, r.Budget)
	}
	if _, err := optimizerCopies(r.Optimizer); err != nil {
		return nil, err
	}
	if r.Heads == 0 && len(r.Lengths) == 0 && r.Budget > 0 && r.Groups == 0 {
		return autoHeads(r)
	}
	lengths, err := chooseLengths(r)
	if err != nil {
		return nil, err
	}
	return evaluate(r, lengths)
}

// WideBottleneck describes an MHC plan whose bottleneck is no narrower
// than the encoder output it projects, and is "" otherwise. Such a
// projection adds parameters and work but no capacity: each level's table
// times its projection is a matrix over the encoder output either way. The
// default width (300, the authors', for BERT-family encoders) is one a
// small encoder can fall under.
func (p *Plan) WideBottleneck() string {
	if p.Method != MHC || p.BottleneckDim == 0 || p.BottleneckDim < p.Dim {
		return ""
	}
	return fmt.Sprintf("the MHC bottleneck width %d (head.bottleneck_dim) is not below the encoder's output width %d, so the projection widens what it should narrow, "+
		"and the embedding tables of levels 2 and up have %d columns where %d would do; set it to 0 (head.bottleneck_dim: 0, or mhe plan --bottleneck-dim 0) to score the encoder output itself, or below %d",
		p.BottleneckDim, p.Dim, p.BottleneckDim, p.Dim, p.Dim)
}

// UnitHeads describes an MHP or MHC plan with a head of length 1 among two
// or more, and is "" otherwise. Such a head has one value, the same for
// every label (an MHP head's one class, an MHC level whose nodes each have
// one child): it adds parameters and work and carries nothing, and the
// lengths without it give every label the same code.
func (p *Plan) UnitHeads() string {
	if (p.Method != MHP && p.Method != MHC) || len(p.Lengths) < 2 {
		return ""
	}
	var at []string
	var rest []int
	for h, l := range p.Lengths {
		if l == 1 {
			at = append(at, strconv.Itoa(h+1))
		} else {
			rest = append(rest, l)
		}
	}
	if len(at) == 0 {
		return ""
	}
	what := fmt.Sprintf("head %s of lengths %v has length 1: its one value is the same for every label, so it adds work and carries nothing", at[0], p.Lengths)
	it := "it"
	if len(at) > 1 {
		what = fmt.Sprintf("heads %s of lengths %v have length 1: each one's value is the same for every label, so they add work and carry nothing", strings.Join(at, ", "), p.Lengths)
		it = "them"
	}
	fix := fmt.Sprintf("lengths %v give every label the same code without %s", rest, it)
	if p.Method == MHC && len(rest) < 2 {
		fix = "with one level left, this is the vanilla classifier (method vanilla)"
	}
	return what + "; " + fix
}

// Warnings are the plan's advisories (WideBottleneck, UnitHeads), for the
// commands that plan or train to print.
func (p *Plan) Warnings() []string {
	var w []string
	for _, s := range []string{p.WideBottleneck(), p.UnitHeads()} {
		if s != "" {
			w = append(w, s)
		}
	}
	return w
}

// Request returns the request that gives p again; change a field (the
// optimizer, say) to plan the same heads under other assumptions.
func (p *Plan) Request() Request {
	return Request{Method: p.Method, Labels: p.Labels, Lengths: slices.Clone(p.Lengths), Dim: p.Dim,
		BottleneckDim: p.BottleneckDim, NoBottleneck: p.Method == MHC && p.BottleneckDim == 0,
		Beam: p.Beam, Samples: p.Samples, Optimizer: p.Optimizer, RowwiseTables: p.RowwiseTables}
}

// chooseLengths returns the layout for r (given, by rule, or planned).
func chooseLengths(r Request) ([]int, error) {
	c := r.Labels
	if len(r.Lengths) > 0 {
		if r.Groups > 0 && r.Method != Vanilla {
			return nil, fmt.Errorf("%w: give the head lengths %v or the groups rule (%d groups), not both", ErrPlan, r.Lengths, r.Groups)
		}
		if r.Method == MHS && len(r.Lengths) == 2 {
			if r.Heads > 0 && r.Heads != r.Lengths[0] {
				return nil, fmt.Errorf("%w: --heads %d disagrees with the %d groups of lengths %v", ErrPlan, r.Heads, r.Lengths[0], r.Lengths)
			}
		} else if r.Heads > 0 && r.Heads != len(r.Lengths) {
			return nil, fmt.Errorf("%w: --heads %d disagrees with %d given lengths", ErrPlan, r.Heads, len(r.Lengths))
		}
		if r.Method == Vanilla && (len(r.Lengths) != 1 || r.Lengths[0] != c) {
			return nil, fmt.Errorf("%w: the vanilla classifier has one head of length C = %d", ErrPlan, c)
		}
		if _, err := NewCodec(c, r.Lengths); err != nil {
			return nil, err
		}
		for i, l := range r.Lengths {
			if l > c {
				// Its outputs past the C-th never see a label: at 10^9 a
				// head was refused only for memory, with advice that
				// did not apply.
				return nil, fmt.Errorf("%w: head %d has length %d, more than the %d labels (a head's digit takes at most %d values); give lengths of at most %d, or leave them out to have them planned",
					ErrPlan, i+1, l, c, c, c)
			}
		}
		return slices.Clone(r.Lengths), nil
	}
	h := r.Heads
	switch r.Method {
	case Vanilla:
		if h > 1 {
			return nil, fmt.Errorf("%w: the vanilla classifier has one head, not %d", ErrPlan, h)
		}
		return []int{c}, nil
	case MHC:
		if r.Groups > 0 {
			if h > 2 {
				return nil, fmt.Errorf("%w: the groups rule makes two heads; give --lengths for %d", ErrPlan, h)
			}
			return GroupLengths(c, r.Groups)
		}
		if h == 0 {
			h = 2
		}
		return CascadeLengths(c, h, r.Dim, r.queryWidth(), r.Beam)
	case MHS:
		if r.Groups > 0 {
			h = r.Groups
		}
		if h == 0 {
			h = 2
		}
		return GroupLengths(c, h)
	default: // MHP
		if h == 0 {
			h = 2
		}
		return BalancedLengths(c, h)
	}
}

// BalancedLengths returns H lengths that differ by at most one, cover C
// (Π L_h >= C), and among those leave the fewest padding codes; sorted
// descending. C = 3993, H = 2 gives 64 × 63 = 4032 (39 padding codes).
func BalancedLengths(c, h int) ([]int, error) {
	if h < 1 {
		return nil, fmt.Errorf("%w: need at least one head", ErrPlan)
	}
	if h == 1 {
		return []int{c}, nil
	}
	// a = the smallest integer with a^H >= C.
	a := max(int(math.Floor(detmath.Pow(float64(c), 1/float64(h)))), 1)
	for powCovers(a, h, c) {
		a--
	}
	for !powCovers(a, h, c) {
		a++
	}
	if a < 2 {
		return nil, fmt.Errorf("%w: %d heads are too many for %d labels (a head of length 1 carries nothing); use at most %d", ErrPlan, h, c, maxHeads(c))
	}
	// Replace as many a's by (a-1) as the product allows.
	lengths := make([]int, h)
	for i := range lengths {
		lengths[i] = a
	}
	for m := h - 1; m >= 1; m-- {
		trial := make([]int, h)
		for i := range trial {
			trial[i] = a
			if i >= h-m {
				trial[i] = a - 1
			}
		}
		if p, err := Product(trial); err == nil && p >= int64(c) {
			lengths = trial
			break
		}
	}
	if lengths[h-1] < 2 {
		return nil, fmt.Errorf("%w: %d heads are too many for %d labels (a head of length 1 carries nothing); use at most %d", ErrPlan, h, c, maxHeads(c))
	}
	return lengths, nil
}

func powCovers(a, h, c int) bool {
	p := int64(1)
	for range h {
		p *= int64(a)
		if p >= int64(c) {
			return true
		}
	}
	return p >= int64(c)
}

// maxHeads is the most heads with every length >= 2.
func maxHeads(c int) int {
	h := 0
	for p := 1; p < c; p *= 2 {
		h++
	}
	return max(h, 1)
}

// GroupLengths is the authors' grouping rule: n requested groups give a
// group size g = ⌈C/n⌉ and ⌈C/g⌉ groups (n is lowered while the last group
// would be empty). C = 670,091 with n = 8,400 gives 8,377 groups of 80.
// The lengths are [groups, g].
func GroupLengths(c, n int) ([]int, error) {
	if n < 1 || n > c {
		return nil, fmt.Errorf("%w: %d groups for %d labels; want 1..%d", ErrPlan, n, c, c)
	}
	g := (c + n - 1) / n
	groups := (c + g - 1) / g
	return []int{groups, g}, nil
}

// CascadeLengths plans an H-level MHC layout in descending order. It
// balances the per-example cost of the levels: level 1 costs L_1·d, each
// further level K·L_h·d_h, so equal costs give L_2 = … = L_H = g and
// L_1 ≈ g·K·d_h/d with L_1·g^(H−1) >= C, rounded so that the lengths
// stay descending (which minimises the confusion degree for a cascade).
func CascadeLengths(c, h, dim, dh, beam int) ([]int, error) {
	if h < 2 {
		return []int{c}, nil
	}
	target := float64(c) * float64(dim) / (float64(beam) * float64(dh))
	g := max(int(math.Round(detmath.Pow(target, 1/float64(h)))), 2)
	for {
		inner := int64(1)
		for range h - 1 {
			inner *= int64(g)
		}
		l1 := (int64(c) + inner - 1) / inner
		if l1 >= int64(g) || g <= 2 {
			if l1 < 2 {
				return nil, fmt.Errorf("%w: %d levels are too many for %d labels; use fewer heads", ErrPlan, h, c)
			}
			lengths := []int{int(l1)}
			for range h - 1 {
				lengths = append(lengths, g)
			}
			return lengths, nil
		}
		g-- // keep the cascade descending
	}
}

// queryWidth is the width MHC's deeper levels score in: d_h, or d without
// a bottleneck.
func (r Request) queryWidth() int {
	if r.NoBottleneck {
		return r.Dim
	}
	return r.BottleneckDim
}

// autoHeads picks the smallest H >= 2 whose classifier fits the budget.
func autoHeads(r Request) (*Plan, error) {
	if r.Method == Vanilla || r.Method == MHS {
		return nil, fmt.Errorf("%w: %s keeps the full C×d classifier, so a parameter budget cannot choose its heads; give --heads", ErrPlan, r.Method)
	}
	var best *Plan
	for h := 2; h <= maxHeads(r.Labels); h++ {
		rr := r
		rr.Heads = h
		lengths, err := chooseLengths(rr)
		if err != nil {
			break
		}
		p, err := evaluate(rr, lengths)
		if err != nil {
			return nil, err
		}
		if p.Params <= r.Budget {
			return p, nil
		}
		if best == nil || p.Params < best.Params {
			best = p
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%w: no layout for %d labels", ErrPlan, r.Labels)
	}
	return nil, fmt.Errorf("%w: no number of heads fits %d parameters; the smallest %s classifier has %d (%d heads); raise --budget or lower --dim",
		ErrPlan, r.Budget, r.Method, best.Params, best.Heads)
}

// RowwiseApplies says whether train.rowwise_tables changes a model with
// this head method trained with this optimizer: MHC's label tables, under
// Adam or AdamW (the state nn keeps by rows is a second moment, which SGD
// does not keep).
func RowwiseApplies(m Method, optimizer string) bool {
	copies, err := optimizerCopies(optimizer)
	return m == MHC && err == nil && copies == 2
}

func optimizerCopies(opt string) (int64, error) {
	switch strings.ToLower(opt) {
	case "plain":
		return 0, nil
	case "sgd":
		return 1, nil
	case "adam", "adamw":
		return 2, nil
	}
	return 0, fmt.Errorf("%w: unknown optimizer %q (want sgd, adam, adamw or plain)", ErrPlan, opt)
}

// evaluate fills in the cost of a layout.
func evaluate(r Request, lengths []int) (*Plan, error) {
	codec, err := NewCodec(r.Labels, lengths)
	if err != nil {
		return nil, err
	}
	copies, _ := optimizerCopies(r.Optimizer)
	d, c := int64(r.Dim), int64(r.Labels)
	p := &Plan{
		Method: r.Method, Labels: r.Labels, Heads: len(lengths), Lengths: lengths,
		Padding: codec.Padding(), Dim: r.Dim, Optimizer: strings.ToLower(r.Optimizer),
	}
	p.Vanilla = Cost{Params: c*d + c, FlopsTrain: 3 * c * d, FlopsPredict: c * d}
	var tableParams, tableRows int64 // MHC's label tables (levels >= 2)
	switch r.Method {
	case Vanilla:
		p.Cost = p.Vanilla
		p.ConfusionDegree = 0
	case MHP:
		var sum int64
		for _, l := range lengths {
			sum += int64(l)
		}
		p.Params = sum*d + sum
		p.FlopsPredict = sum * d
		p.FlopsTrain = 3 * sum * d
		p.ConfusionDegree = MaxConfusionDegree(lengths)
	case MHC:
		if len(lengths) < 2 {
			return nil, fmt.Errorf("%w: a cascade needs at least two heads", ErrPlan)
		}
		dh, k := int64(r.queryWidth()), int64(r.Beam)
		l1 := int64(lengths[0])
		p.BottleneckDim, p.Beam = r.BottleneckDim, r.Beam
		if r.NoBottleneck {
			p.BottleneckDim = 0
		}
		p.Params = l1*d + l1
		p.FlopsPredict = l1 * d
		for h := 1; h < len(lengths); h++ {
			nodes := codec.LevelSize(h)
			p.Params += nodes*dh + nodes
			tableParams += nodes*dh + nodes
			tableRows += 2 * nodes // the embedding's rows and the bias's
			if !r.NoBottleneck {
				// The projection P_h: d -> d_h.
				p.Params += d*dh + dh
				p.FlopsPredict += d * dh
			}
			// Candidates: the children of the K nodes kept at the level above.
			cand := min(k, codec.LevelSize(h-1)) * int64(lengths[h])
			p.FlopsPredict += cand * dh
		}
		p.FlopsTrain = 3 * p.FlopsPredict
		p.ConfusionDegree = ConfusionDegree(lengths)
	case MHS:
		if len(lengths) != 2 {
			return nil, fmt.Errorf("%w: mhs lengths are [groups, group size]", ErrPlan)
		}
		g := int64(lengths[1])
		p.GroupSize = lengths[1]
		p.Heads = lengths[0] // MHS's heads are the groups
		p.Samples = min(r.Samples, lengths[0])
		p.Params = p.Vanilla.Params
		p.FlopsPredict = p.Vanilla.FlopsPredict
		p.FlopsTrain = 3 * int64(p.Samples) * g * d
		p.ConfusionDegree = ConfusionDegree(lengths)
	}
	p.WeightBytes = 4 * p.Params
	p.OptimizerBytes = copies * p.WeightBytes
	if r.RowwiseTables && RowwiseApplies(r.Method, r.Optimizer) {
		// nn.Optimizer's row-wise state: one value a row of each table.
		p.RowwiseTables = true
		p.OptimizerBytes -= 4 * (copies*tableParams - tableRows)
	}
	p.Vanilla.WeightBytes = 4 * p.Vanilla.Params
	p.Vanilla.OptimizerBytes = copies * p.Vanilla.WeightBytes
	p.ParamRatio = float64(p.Params) / float64(p.Vanilla.Params)
	p.VanillaParams, p.VanillaFlopsTrain, p.VanillaFlopsPredict = p.Vanilla.Params, p.Vanilla.FlopsTrain, p.Vanilla.FlopsPredict
	return p, nil
}
