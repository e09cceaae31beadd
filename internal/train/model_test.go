package train

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/heads"
)

// InitBias starts every output at its prior, (count + 0.1) / (rows + 0.2):
// as log-odds for a sigmoid output, as a log for a softmax one. The cascade
// and MHP's soft margin cap the prior at 0.999 (a level-1 node of a
// multi-label set can hold more label occurrences than there are rows);
// MHC's and MHP's outputs are nodes and digits, whose counts are the sums
// over their labels.
func TestInitBias(t *testing.T) {
	const rows = 100
	counts := []int64{0, 3, 60, 1, 99, 100, 7, 20, 0, 55, 2, 90} // 12 labels
	prior := func(c float64) float64 { return (c + 0.1) / (rows + 0.2) }
	logOdds := func(p float64) float64 { return math.Log(p / (1 - p)) }
	perLabel := func(f func(float64) float64) []float64 {
		out := make([]float64, len(counts))
		for l, c := range counts {
			out[l] = f(prior(float64(c)))
		}
		return out
	}
	// byNode sums the counts of the labels sharing a node (lengths
	// [3, 2, 2]: label l's MHC nodes are l / 4, l / 2 and l, its MHP
	// digits l / 4, l / 2 % 2 and l % 2).
	byNode := func(nodes int, node func(l int) int, f func(float64) float64) []float64 {
		sums := make([]float64, nodes)
		for l, c := range counts {
			sums[node(l)] += float64(c)
		}
		for i, s := range sums {
			sums[i] = f(prior(s))
		}
		return sums
	}
	capped := func(p float64) float64 { return logOdds(min(p, 0.999)) }
	// MHP's outputs: the digits of heads [3, 2, 2], one head after the other.
	digits := func(f func(float64) float64) []float64 {
		return slices.Concat(byNode(3, func(l int) int { return l / 4 }, f),
			byNode(2, func(l int) int { return l / 2 % 2 }, f),
			byNode(2, func(l int) int { return l % 2 }, f))
	}
	for _, tc := range []struct {
		name, method, loss string
		single             bool
		want               [][]float64 // the net's head bias, then the head's own
	}{
		{"vanilla-bce", "vanilla", "auto", false, [][]float64{perLabel(logOdds)}},
		{"vanilla-softmax", "vanilla", "auto", true, [][]float64{perLabel(math.Log)}},
		{"mhs", "mhs", "auto", false, [][]float64{perLabel(logOdds)}},
		{"mhc", "mhc", "auto", false, [][]float64{
			byNode(3, func(l int) int { return l / 4 }, capped),
			byNode(6, func(l int) int { return l / 2 }, capped),
			perLabel(capped),
		}},
		{"mhp-softmax", "mhp", "auto", true, [][]float64{digits(math.Log)}},
		{"mhp-softmargin", "mhp", "softmargin", false, [][]float64{digits(capped)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Head.Method, cfg.Head.Loss = tc.method, tc.loss
			switch tc.method {
			case "mhs":
				cfg.Head.Lengths = []int{4, 3}
			case "mhc", "mhp":
				cfg.Head.Lengths = []int{3, 2, 2}
			}
			cfg.Head.BottleneckDim, cfg.Head.Beam = 4, 2
			m, err := Build(Spec{Config: &cfg, Labels: len(counts), Features: 20, SingleLabel: tc.single})
			if err != nil {
				t.Fatal(err)
			}
			got := [][]float32{m.Net.HeadBias()}
			if h, ok := m.Head.(*heads.MHCHead); ok {
				for _, b := range h.B {
					got = append(got, b.W)
				}
			}
			before := make([][]float32, len(got))
			for v := range got {
				before[v] = slices.Clone(got[v])
			}
			m.InitBias(counts, rows)
			if len(got) != len(tc.want) {
				t.Fatalf("%d bias vectors, want %d", len(got), len(tc.want))
			}
			for v := range got {
				// MHC's net also outputs the bottleneck projection,
				// whose bias InitBias leaves alone.
				if len(got[v]) < len(tc.want[v]) || len(got[v]) > len(tc.want[v]) && tc.method != "mhc" {
					t.Fatalf("bias %d: %d values, want %d", v, len(got[v]), len(tc.want[v]))
				}
				if rest := got[v][len(tc.want[v]):]; !slices.Equal(rest, before[v][len(tc.want[v]):]) {
					t.Errorf("bias %d: the values after the head's outputs changed: %v, were %v", v, rest, before[v][len(tc.want[v]):])
				}
				for i, w := range tc.want[v] {
					if g := float64(got[v][i]); !(math.Abs(g-w) <= 1e-5*max(1, math.Abs(w))) {
						t.Errorf("bias %d[%d] = %.6f, want %.6f", v, i, g, w)
					}
				}
			}
		})
	}
}

// Build wires the config into the head: MHC's path score and bottleneck
// (0: the levels score the encoder output), MHS's block width, and a
// vanilla head that ignores head lengths left in the config.
func TestBuildWiresHead(t *testing.T) {
	build := func(set func(*config.Config)) *Model {
		t.Helper()
		cfg := synthConfig("mhc", "index")
		cfg.Head.Beam = 4
		set(&cfg)
		m, err := Build(Spec{Config: &cfg, Labels: 60, Features: 500})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, ps := range []string{"last", "product"} {
		m := build(func(c *config.Config) { c.Head.PathScore, c.Head.BottleneckDim = ps, 8 })
		if h := m.Head.(*heads.MHCHead); h.LastOnly != (ps == "last") {
			t.Errorf("path_score %s: LastOnly %v", ps, h.LastOnly)
		}
		if m.Plan.BottleneckDim != 8 || m.passthrough() != 0 {
			t.Errorf("bottleneck 8: plan %d, %d copies of the encoder output", m.Plan.BottleneckDim, m.passthrough())
		}
	}
	// No bottleneck: the net passes the encoder output (64 wide) to the
	// deeper levels beside level 1's scores.
	m := build(func(c *config.Config) { c.Head.BottleneckDim = 0 })
	if m.Plan.BottleneckDim != 0 || m.passthrough() < 1 || m.Net.Outputs != m.Plan.Lengths[0]+m.passthrough()*64 {
		t.Errorf("no bottleneck: plan %d, %d copies of the encoder output, %d net outputs (level 1 has %d)",
			m.Plan.BottleneckDim, m.passthrough(), m.Net.Outputs, m.Plan.Lengths[0])
	}
	m = build(func(c *config.Config) { c.Head.Method, c.Head.Heads, c.Head.Samples = "mhs", 6, 1 })
	g, size := m.Head.(*heads.MHSHead).Groups()
	if m.Net.BlockWidth != g*size || g*size < 60 {
		t.Errorf("mhs: block width %d, want %d groups × %d", m.Net.BlockWidth, g, size)
	}
	m = build(func(c *config.Config) { c.Head.Method, c.Head.Lengths = "vanilla", []int{6, 10} })
	if m.Net.Outputs != 60 || !slices.Equal(m.Plan.Lengths, []int{60}) {
		t.Errorf("vanilla with lengths left in the config: %d outputs, plan lengths %v", m.Net.Outputs, m.Plan.Lengths)
	}
}

// checkPermutation accepts exactly the permutations of 0..n-1.
func TestCheckPermutation(t *testing.T) {
	for _, c := range []struct {
		p  []int32
		ok bool
	}{
		{nil, true}, {[]int32{0}, true}, {[]int32{2, 0, 1}, true},
		{[]int32{0, 2}, false}, {[]int32{-1, 0}, false}, {[]int32{1, 1}, false}, {[]int32{3, 0, 1}, false},
	} {
		if err := checkPermutation(c.p); (err == nil) != c.ok {
			t.Errorf("%v: %v, want ok %v", c.p, err, c.ok)
		}
	}
}

// Build refuses an mlp encoder without hidden sizes (config.Validate does
// too; mhe plan prices configs it refuses) instead of indexing hidden[-1].
func TestBuildRefusesEmptyHidden(t *testing.T) {
	cfg := synthConfig("mhc", "index")
	cfg.Encoder.Type, cfg.Encoder.Hidden = "mlp", nil
	for _, shapes := range []bool{false, true} {
		if _, err := Build(Spec{Config: &cfg, Labels: 60, Features: 500, ShapesOnly: shapes}); err == nil || !strings.Contains(err.Error(), "encoder.hidden") {
			t.Errorf("ShapesOnly %v: %v, want an error naming encoder.hidden", shapes, err)
		}
	}
	if _, err := TrainingMemory(&cfg, 500, 60); err == nil {
		t.Error("TrainingMemory of an mlp without hidden sizes: no error")
	}
}
