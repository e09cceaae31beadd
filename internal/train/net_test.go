package train

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/nn"
)

// dropoutRun runs a training forward pass of rows (feature ids) with the
// given row keys and stream through a net with hidden widths 33 and 7
// (odd, so a row's last unit has no partner in the pairs the hash draws)
// and dropout 0.25, and returns the masks of both layers, row by row.
func dropoutRun(t *testing.T, threads int, rows [][]int32, keys []int, stream uint64) [][][]float32 {
	t.Helper()
	n, err := NewNet(10, []int{33, 7}, nn.ReLU, 0.25, 5, 0, 3, true, nn.NewPool(threads))
	if err != nil {
		t.Fatal(err)
	}
	var x nn.Batch
	x.Reset()
	for _, r := range rows {
		vals := make([]float32, len(r))
		for i := range vals {
			vals[i] = 1
		}
		x.Add(r, vals)
	}
	w := n.newWorkspace(len(rows), true)
	for _, m := range w.mask {
		for i := range m {
			m[i] = 7 // stale: every unit must be written
		}
	}
	n.forward(nn.NewPool(threads), &x, w, true, keys, stream, nil)
	out := make([][][]float32, len(w.mask))
	for l, width := range n.widths() {
		for r := range rows {
			out[l] = append(out[l], w.mask[l][r*width:(r+1)*width])
		}
	}
	return out
}

// The dropout mask: each unit is dropped (0) or kept and scaled by
// 1/(1 − p), about p of them dropped; a unit's fate depends on the seed,
// the stream, the row's key, the layer and the unit only, not on the
// thread count or the row's place in the batch; and the stream of a given
// seed is pinned, so that a seed trains the same model under a later mhe.
func TestDropoutMask(t *testing.T) {
	const rows = 64
	var batch [][]int32
	keys := make([]int, rows)
	for r := range rows {
		batch = append(batch, []int32{int32(r % 10), int32((r * 7) % 10)})
		keys[r] = 1000 + r
	}
	masks := dropoutRun(t, 2, batch, keys, 1)
	scale := float32(1) / float32(0.75)
	for l, layer := range masks {
		dropped, total := 0, 0
		for r, m := range layer {
			for u, v := range m {
				switch v {
				case 0:
					dropped++
				case scale:
				default:
					t.Fatalf("layer %d row %d unit %d: mask %v, want 0 or %v", l, r, u, v, scale)
				}
				total++
			}
		}
		if frac := float64(dropped) / float64(total); !(math.Abs(frac-0.25) <= 0.06) {
			t.Errorf("layer %d: %d of %d units dropped (%.3f), want about 0.25", l, dropped, total, frac)
		}
	}

	// Row 5 alone, with its key, one thread: the same masks.
	alone := dropoutRun(t, 1, batch[5:6], keys[5:6], 1)
	for l := range masks {
		if !slices.Equal(alone[l][0], masks[l][5]) {
			t.Errorf("layer %d: row 5's mask alone %v, in the batch %v", l, alone[l][0], masks[l][5])
		}
	}
	// Another stream (the next step), another row key, another layer: other masks.
	other := dropoutRun(t, 1, batch[5:6], keys[5:6], 2)
	if slices.Equal(other[0][0], masks[0][5]) {
		t.Error("the next stream draws the same mask")
	}
	if slices.Equal(masks[0][5], masks[0][6]) {
		t.Error("two row keys draw the same mask")
	}
	if slices.Equal(masks[0][5][:7], masks[1][5]) {
		t.Error("two layers draw the same mask")
	}

	// Pinned: which of row 5's first 33 units layer 0 keeps, for seed 3, stream 1.
	var kept strings.Builder
	for _, v := range masks[0][5] {
		kept.WriteByte("01"[min(int(v), 1)])
	}
	if got, want := kept.String(), "111111110101110001111111011111111"; got != want {
		t.Errorf("row 5's layer-0 mask %s, want %s", got, want)
	}
}

// forward returns exactly rows × outputs logits (rows × the blocks' width
// when blocked), whichever layout makes them: linear, MLP, MLP with copies
// of the encoder output.
func TestForwardShapes(t *testing.T) {
	pool := nn.NewPool(2)
	var x nn.Batch
	x.Reset()
	for r := range 3 {
		x.Add([]int32{int32(r), 4}, []float32{1, 0.5})
	}
	keys := []int{0, 1, 2}
	blk := &nn.Blocks{IDs: []int32{1, 3}, Size: 4, Total: 16}
	for _, c := range []struct {
		name   string
		hidden []int
		pass   int
	}{{"linear", nil, 0}, {"mlp", []int{8}, 0}, {"mlp, 2 copies of f", []int{8}, 2}} {
		outputs := 16 + c.pass*8
		n, err := NewNet(6, c.hidden, nn.ReLU, 0, outputs, c.pass, 1, true, pool)
		if err != nil {
			t.Fatal(err)
		}
		n.BlockWidth = blk.Width()
		w := n.newWorkspace(4, true)
		if got := len(n.forward(pool, &x, w, false, keys, 0, nil)); got != 3*outputs {
			t.Errorf("%s: %d logits, want 3 × %d", c.name, got, outputs)
		}
		if c.pass > 0 {
			// Each row: the head layer's outputs (those of the same net
			// without copies), then the copies of f.
			plain, _ := NewNet(6, c.hidden, nn.ReLU, 0, 16, 0, 1, true, pool)
			want := plain.forward(pool, &x, plain.newWorkspace(4, false), false, keys, 0, nil)
			got := n.forward(pool, &x, w, false, keys, 0, nil)
			f := w.a[0]
			for r := range 3 {
				row := got[r*outputs : (r+1)*outputs]
				if !slices.Equal(row[:16], want[r*16:(r+1)*16]) ||
					!slices.Equal(row[16:24], f[r*8:(r+1)*8]) || !slices.Equal(row[24:], f[r*8:(r+1)*8]) {
					t.Errorf("%s: row %d = %v, want %v then f = %v twice", c.name, r, row, want[r*16:(r+1)*16], f[r*8:(r+1)*8])
				}
			}
			continue // blocks are MHS's; it scores no copies of f
		}
		if got := len(n.forward(pool, &x, w, false, keys, 0, blk)); got != 3*blk.Width() {
			t.Errorf("%s, blocked: %d logits, want 3 × %d", c.name, got, blk.Width())
		}
	}
}

// backward is the gradient of forward: with plain SGD at lr 1 each weight
// moves by minus its gradient, which must match the numerical derivative
// of L = Σ_j c_j·½·logit_j², c_j = 1 + (j mod 5)/2 by the logit's place in
// its row (dropout's mask held fixed by its keys and stream).
// Nets: linear; two tanh layers with dropout; an MLP whose logits end with
// two copies of its output (MHC without a bottleneck).
func TestNetGradients(t *testing.T) {
	pool := nn.NewPool(1)
	var x nn.Batch
	x.Reset()
	x.Add([]int32{0, 3}, []float32{1, -0.5})
	x.Add([]int32{1, 2, 5}, []float32{0.5, 1, 2})
	x.Add([]int32{4}, []float32{-1})
	keys := []int{3, 1, 4}
	for _, c := range []struct {
		name    string
		hidden  []int
		act     nn.Activation
		dropout float64
		outputs int
		pass    int
	}{
		{"linear", nil, nn.ReLU, 0, 7, 0},
		{"tanh, dropout", []int{5, 4}, nn.Tanh, 0.3, 7, 0},
		{"sigmoid, 2 copies of f", []int{4}, nn.Sigmoid, 0, 7 + 2*4, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			n, err := NewNet(6, c.hidden, c.act, c.dropout, c.outputs, c.pass, 2, true, pool)
			if err != nil {
				t.Fatal(err)
			}
			if n.Linear() { // zero-initialised: give it weights
				for i := range n.First.W.W {
					n.First.W.W[i] = float32(i%5)*0.1 - 0.2
				}
			}
			coef := func(j int) float64 { return 1 + 0.5*float64(j%c.outputs%5) }
			loss := func() float64 {
				w := n.newWorkspace(3, true)
				s := 0.0
				for j, v := range n.forward(pool, &x, w, true, keys, 1, nil) {
					s += coef(j) * 0.5 * float64(v) * float64(v)
				}
				return s
			}
			params := n.Params()
			before := make([][]float32, len(params))
			for i, p := range params {
				before[i] = append([]float32(nil), p.W...)
			}
			opt, _ := nn.NewOptimizer(nn.SGD, 0, 0)
			for _, p := range params {
				opt.Init(p)
			}
			w := n.newWorkspace(3, true)
			for j, v := range n.forward(pool, &x, w, true, keys, 1, nil) {
				w.dlogits[j] = float32(coef(j)) * v
			}
			opt.Begin()
			n.backward(pool, opt, &x, w, 1, nil)
			grads := make([][]float32, len(params))
			for i, p := range params {
				grads[i] = make([]float32, len(p.W))
				for k := range p.W {
					grads[i][k] = before[i][k] - p.W[k]
				}
				copy(p.W, before[i])
			}
			const eps = 1e-2
			for i, p := range params {
				for k := range p.W {
					old := p.W[k]
					p.W[k] = old + eps
					up := loss()
					p.W[k] = old - eps
					down := loss()
					p.W[k] = old
					num := (up - down) / (2 * eps)
					if !(math.Abs(num-float64(grads[i][k])) <= 2e-3+2e-2*math.Abs(num)) {
						t.Fatalf("%s[%d]: gradient %v, numerical %v", p.Name, k, grads[i][k], num)
					}
				}
			}
		})
	}
}
