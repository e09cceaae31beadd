package train

import (
	"math"
	"slices"
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
