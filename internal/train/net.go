package train

import (
	"fmt"
	"math"

	"github.com/mhe-xlc/mhe/internal/nn"
)

// Net is the encoder F followed by the head's linear layer. With the linear
// encoder (f = x) the first layer is the head's layer itself, over the sparse
// input; with an MLP it is the first hidden layer, and the head's layer is a
// dense layer at the end.
type Net struct {
	First   *nn.SparseLinear
	Hidden  []*nn.DenseLinear // hidden → hidden layers (MLP with 2+ hidden sizes)
	Out     *nn.DenseLinear   // the head's layer after an MLP (nil: linear)
	Act     nn.Activation
	Dropout float32
	Outputs int
	Seed    uint64
	// Pass copies of the encoder output f end every row of logits, after
	// the head layer's outputs (MHC without a bottleneck scores f itself).
	Pass int
	// BlockWidth is the widest blocked row (MHS: groups × group size, which
	// exceeds Outputs when the last group is short); 0 when unused.
	BlockWidth int
}

// NewNet builds a net over d input features with the given hidden sizes
// (none: linear encoder) and head outputs, initialised from seed; pass of
// the outputs are copies of the encoder output (MLP only). With alloc
// false it only has shapes, for weights bound to a loaded file.
func NewNet(d int, hidden []int, act nn.Activation, dropout float64, outputs, pass int, seed uint64, alloc bool, pool *nn.Pool) (*Net, error) {
	n := &Net{Act: act, Dropout: float32(dropout), Outputs: outputs, Seed: seed, Pass: pass}
	if pass > 0 && len(hidden) == 0 {
		return nil, fmt.Errorf("scoring the encoder output itself (no bottleneck) needs an mlp encoder; the linear encoder's output is the sparse input")
	}
	if len(hidden) == 0 {
		// A linear model on sparse input: zero initialisation (the problem is
		// convex per output; biases get the label prior).
		n.First = nn.NewSparseLinear("head", d, outputs, alloc)
		return n, nil
	}
	n.First = nn.NewSparseLinear("enc.0", d, hidden[0], alloc)
	for i := 1; i < len(hidden); i++ {
		n.Hidden = append(n.Hidden, nn.NewDenseLinear(fmt.Sprintf("enc.%d", i), hidden[i-1], hidden[i], alloc))
	}
	last := hidden[len(hidden)-1]
	own := outputs - pass*last
	if own < 1 {
		return nil, fmt.Errorf("net: %d outputs cannot hold %d copies of width %d", outputs, pass, last)
	}
	n.Out = nn.NewDenseLinear("head", last, own, alloc)
	if alloc {
		n.First.W.InitUniform(pool, seed, d, hidden[0], 1)
		for i, l := range n.Hidden {
			l.W.InitUniform(pool, seed, hidden[i], hidden[i+1], 1)
		}
		n.Out.W.InitUniform(pool, seed, last, own, 1)
	}
	return n, nil
}

// Linear reports whether the encoder is linear (f = x).
func (n *Net) Linear() bool { return n.Out == nil }

// HeadBias is the bias of the head's layer.
func (n *Net) HeadBias() []float32 {
	if n.Out == nil {
		return n.First.B.W
	}
	return n.Out.B.W
}

// Params lists every tensor in a fixed order.
func (n *Net) Params() []*nn.Param {
	ps := n.First.Params()
	for _, l := range n.Hidden {
		ps = append(ps, l.Params()...)
	}
	if n.Out != nil {
		ps = append(ps, n.Out.Params()...)
	}
	return ps
}

// widths are the activation widths after the first layer and each hidden
// layer (empty for the linear encoder).
func (n *Net) widths() []int {
	if n.Linear() {
		return nil
	}
	w := []int{n.First.Out}
	for _, l := range n.Hidden {
		w = append(w, l.Out)
	}
	return w
}

// workspace holds the buffers of one mini-batch.
type workspace struct {
	cap     int
	z, a    [][]float32 // pre-activations and activations per hidden layer
	mask    [][]float32 // dropout scale per unit (nil when off)
	da      [][]float32 // gradients w.r.t. activations
	logits  []float32
	dlogits []float32
	own     []float32 // head layer outputs / their gradient, with Pass > 0
	down    []float32
}

// floats is how many float32s the workspace's buffers hold.
func (w *workspace) floats() int64 {
	var n int64
	for _, bufs := range [][][]float32{w.z, w.a, w.mask, w.da, {w.logits, w.dlogits, w.own, w.down}} {
		for _, b := range bufs {
			n += int64(len(b))
		}
	}
	return n
}

func (n *Net) newWorkspace(batch int, train bool) *workspace {
	return n.buildWorkspace(batch, train, func(k int) []float32 { return make([]float32, k) })
}

// workspaceFloats is how many float32s newWorkspace(batch, train)
// allocates, without allocating them (a net of shapes only will do).
func (n *Net) workspaceFloats(batch int, train bool) int64 {
	var total int64
	n.buildWorkspace(batch, train, func(k int) []float32 { total += int64(k); return nil })
	return total
}

// buildWorkspace lays out a workspace, each buffer from alloc.
func (n *Net) buildWorkspace(batch int, train bool, alloc func(int) []float32) *workspace {
	w := &workspace{cap: batch}
	for _, width := range n.widths() {
		w.z = append(w.z, alloc(batch*width))
		w.a = append(w.a, alloc(batch*width))
		if train {
			w.da = append(w.da, alloc(batch*width))
			if n.Dropout > 0 {
				w.mask = append(w.mask, alloc(batch*width))
			}
		}
	}
	width := max(n.Outputs, n.BlockWidth)
	w.logits = alloc(batch * width)
	if train {
		w.dlogits = alloc(batch * width)
	}
	if n.Pass > 0 {
		w.own = alloc(batch * n.Out.Out)
		if train {
			w.down = alloc(batch * n.Out.Out)
		}
	}
	return w
}

// rowChunk is the number of rows one worker takes at a time.
const rowChunk = 8

// forward computes the logits of the batch. keys[r] identifies row r for
// dropout (its position in the dataset) and step the dropout stream; with
// train false there is no dropout. blk, when not nil, restricts the head
// layer to the selected output blocks (MHS training); the logits then have
// blk.Width() columns.
func (n *Net) forward(pool *nn.Pool, x *nn.Batch, w *workspace, train bool, keys []int, stream uint64, blk *nn.Blocks) []float32 {
	rows := x.N
	if n.Linear() {
		if blk != nil {
			pool.For(rows, rowChunk, func(_, lo, hi int) { n.First.ForwardBlocks(x, w.logits, lo, hi, blk) })
			return w.logits[:rows*blk.Width()]
		}
		pool.For(rows, rowChunk, func(_, lo, hi int) { n.First.Forward(x, w.logits, lo, hi) })
		return w.logits[:rows*n.Outputs]
	}
	f := n.encode(pool, x, w, train, keys, stream)
	if blk != nil {
		n.Out.ForwardBlocks(pool, f, rows, blk, w.logits)
		return w.logits[:rows*blk.Width()]
	}
	if n.Pass == 0 {
		n.Out.Forward(pool, f, rows, w.logits)
		return w.logits[:rows*n.Outputs]
	}
	// Head layer outputs, then Pass copies of f, per row.
	n.Out.Forward(pool, f, rows, w.own)
	own, width := n.Out.Out, n.Out.In
	pool.For(rows, rowChunk, func(_, lo, hi int) {
		for r := lo; r < hi; r++ {
			dst := w.logits[r*n.Outputs : (r+1)*n.Outputs]
			copy(dst, w.own[r*own:(r+1)*own])
			for c := range n.Pass {
				copy(dst[own+c*width:own+(c+1)*width], f[r*width:(r+1)*width])
			}
		}
	})
	return w.logits[:rows*n.Outputs]
}

// encode computes the MLP encoder's output f (rows × the last hidden width)
// of the batch; train, keys and stream as in forward.
func (n *Net) encode(pool *nn.Pool, x *nn.Batch, w *workspace, train bool, keys []int, stream uint64) []float32 {
	rows := x.N
	widths := n.widths()
	pool.For(rows, rowChunk, func(_, lo, hi int) {
		n.First.Forward(x, w.z[0], lo, hi)
		n.activate(0, widths[0], w, lo, hi, train, keys, stream)
	})
	for i, l := range n.Hidden {
		l.Forward(pool, w.a[i], rows, w.z[i+1])
		pool.For(rows, rowChunk, func(_, lo, hi int) { n.activate(i+1, widths[i+1], w, lo, hi, train, keys, stream) })
	}
	last := widths[len(widths)-1]
	return w.a[len(w.a)-1][:rows*last]
}

// activate applies the activation and dropout to rows [lo, hi) of layer i.
func (n *Net) activate(i, width int, w *workspace, lo, hi int, train bool, keys []int, stream uint64) {
	z, a := w.z[i][lo*width:hi*width], w.a[i][lo*width:hi*width]
	n.Act.Forward(z, a)
	if !train || n.Dropout <= 0 {
		return
	}
	keep := 1 - n.Dropout
	scale := 1 / keep
	// keep a unit iff its 32 random bits < thr. The product is rounded
	// explicitly although it is exact: ppc64le converts to uint64 by
	// subtracting 2^63 and would fuse that with the product
	// (scripts/same-bits.sh).
	thr := uint64(float64(float64(keep) * (1 << 32)))
	m := w.mask[i][lo*width : hi*width]
	for r := lo; r < hi; r++ {
		base := splitmix(n.Seed ^ stream*0x9e3779b97f4a7c15 ^ uint64(keys[r])<<20 ^ uint64(i)<<56)
		row := m[(r-lo)*width : (r-lo+1)*width]
		// A counter-based hash, 32 bits per unit: the mask depends on (seed,
		// stream, row, layer, unit) only, not on the thread that draws it.
		for u := 0; u < len(row); u += 2 {
			h := splitmix(base + uint64(u>>1))
			row[u] = dropScale(h&0xffffffff, thr, scale)
			if u+1 < len(row) {
				row[u+1] = dropScale(h>>32, thr, scale)
			}
		}
	}
	for k := range a {
		a[k] *= m[k]
	}
}

// dropInputs removes each nonzero of the batch with probability p and scales
// the survivors by 1/(1-p) (input dropout). Whether feature j of row r
// survives depends on (seed, stream, keys[r], j) only: the same whatever
// the threads or the batch the row lands in.
func dropInputs(x *nn.Batch, p float64, seed, stream uint64, keys []int) {
	if p <= 0 {
		return
	}
	keep := 1 - p
	scale := float32(1 / keep)
	thr := uint64(float64(keep * (1 << 32))) // rounded, as in activate
	out, lo := 0, 0
	for r := range x.N {
		hi := x.Indptr[r+1]
		base := splitmix(seed ^ stream*0x9e3779b97f4a7c15 ^ uint64(keys[r])<<20 ^ 0xd1b54a32d192ed03)
		for k := lo; k < hi; k++ {
			if splitmix(base+uint64(x.Indices[k]))&0xffffffff < thr {
				x.Indices[out] = x.Indices[k]
				x.Values[out] = x.Values[k] * scale
				out++
			}
		}
		lo = hi
		x.Indptr[r+1] = out
	}
	x.Indices, x.Values = x.Indices[:out], x.Values[:out]
}

func dropScale(bits, thr uint64, scale float32) float32 {
	// Without a branch: half the units drop, in no order a predictor learns.
	keep := uint32(0)
	if bits < thr {
		keep = ^uint32(0)
	}
	return math.Float32frombits(math.Float32bits(scale) & keep)
}

// backward propagates dlogits (already in w.dlogits) and applies the
// optimiser step (begun by the caller) to every parameter of the net; blk
// as in forward (only the selected rows of the head layer are updated).
func (n *Net) backward(pool *nn.Pool, opt *nn.Optimizer, x *nn.Batch, w *workspace, lr float32, blk *nn.Blocks) {
	rows := x.N
	if n.Linear() {
		if blk != nil {
			n.First.UpdateBlocks(pool, opt, x, w.dlogits[:rows*blk.Width()], blk, lr)
			return
		}
		n.First.Update(pool, opt, x, w.dlogits[:rows*n.Outputs], lr)
		return
	}
	widths := n.widths()
	last := len(widths) - 1
	if blk != nil {
		n.Out.BackwardBlocks(pool, opt, w.a[last], w.dlogits, rows, blk, w.da[last], lr)
	} else if n.Pass == 0 {
		n.Out.Backward(pool, w.a[last], w.dlogits, rows, w.da[last])
	} else {
		own, width := n.Out.Out, n.Out.In
		pool.For(rows, rowChunk, func(_, lo, hi int) {
			for r := lo; r < hi; r++ {
				copy(w.down[r*own:(r+1)*own], w.dlogits[r*n.Outputs:r*n.Outputs+own])
			}
		})
		n.Out.Backward(pool, w.a[last], w.down, rows, w.da[last])
		pool.For(rows, rowChunk, func(_, lo, hi int) {
			for r := lo; r < hi; r++ {
				da := w.da[last][r*width : (r+1)*width]
				for c := range n.Pass {
					g := w.dlogits[r*n.Outputs+own+c*width : r*n.Outputs+own+(c+1)*width]
					for k, v := range g {
						da[k] += v
					}
				}
			}
		})
	}
	for i := last; i >= 0; i-- {
		width := widths[i]
		pool.For(rows, rowChunk, func(_, lo, hi int) {
			da := w.da[i][lo*width : hi*width]
			if w.mask != nil {
				m := w.mask[i][lo*width : hi*width]
				for k := range da {
					da[k] *= m[k]
				}
			}
			// The activation derivative needs the pre-dropout output.
			z := w.z[i][lo*width : hi*width]
			a := w.a[i][lo*width : hi*width]
			if w.mask != nil && (n.Act == nn.Tanh || n.Act == nn.Sigmoid) {
				n.Act.Forward(z, a)
			}
			n.Act.Backward(z, a, da)
		})
		if i > 0 {
			n.Hidden[i-1].Backward(pool, w.a[i-1], w.da[i], rows, w.da[i-1])
		}
	}
	for _, l := range n.Hidden {
		opt.UpdateDense(pool, l.W, lr)
		opt.UpdateDense(pool, l.B, lr)
	}
	if blk == nil {
		opt.UpdateDense(pool, n.Out.W, lr)
		opt.UpdateDense(pool, n.Out.B, lr)
	}
	n.First.Update(pool, opt, x, w.da[0][:rows*widths[0]], lr)
}
