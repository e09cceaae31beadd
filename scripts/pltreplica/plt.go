package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/mhe-xlc/mhe/internal/data"
)

// Settings of the replica: napkinXC's PLT defaults.
type Settings struct {
	Arity     int     // children of an inner node of the k-means tree (napkinXC --arity 2)
	MaxLeaves int     // most labels under a pre-leaf node (napkinXC --maxLeaves 100)
	C         float64 // LIBLINEAR cost (napkinXC --liblinearC 10)
	Eps       float64 // LIBLINEAR stopping tolerance; 0 = LIBLINEAR's default
	TreeSeed  uint64  // seed of the k-means initialisation
	Train     string  // the liblinear-train program
	Workers   int     // liblinear-train processes at a time
}

// node is a node of the label tree. A leaf is one label.
type node struct {
	parent   int   // -1 for the root
	label    int   // >= 0 for a leaf
	labels   []int // the labels below the node
	children []int
}

// Tree is a probabilistic label tree over C labels: node 0 is the root.
type Tree struct {
	nodes []node
	leaf  []int // leaf node of each label
}

// BuildTree clusters the labels by hierarchical balanced k-means (k =
// s.Arity) over their centroids, the l2-normalised sums of the rows
// carrying them (napkinXC's hierarchicalKmeans tree), until a node holds at
// most s.MaxLeaves labels; those become its leaves.
func BuildTree(x, y *data.CSR, s Settings) *Tree {
	numLabels := y.Cols
	cent := labelCentroids(x, y)
	t := &Tree{leaf: make([]int, numLabels)}
	all := make([]int, numLabels)
	for l := range all {
		all[l] = l
	}
	rng := rand.New(rand.NewPCG(s.TreeSeed, 0x9a1e))
	var grow func(parent int, labels []int) int
	grow = func(parent int, labels []int) int {
		id := len(t.nodes)
		t.nodes = append(t.nodes, node{parent: parent, label: -1, labels: labels})
		var kids []int
		if len(labels) <= s.MaxLeaves || len(labels) < s.Arity {
			for _, l := range labels {
				k := len(t.nodes)
				t.nodes = append(t.nodes, node{parent: id, label: l, labels: []int{l}})
				t.leaf[l] = k
				kids = append(kids, k)
			}
		} else {
			for _, part := range balancedKMeans(cent, labels, s.Arity, x.Cols, rng) {
				kids = append(kids, grow(id, part))
			}
		}
		t.nodes[id].children = kids
		return id
	}
	grow(-1, all)
	return t
}

// sparseVec is a sparse vector with sorted ids.
type sparseVec struct {
	ids  []int32
	vals []float64
}

// labelCentroids returns each label's centroid (data.LabelCentroids: the
// l2-normalised sum of the unit rows carrying it; empty for a label no row
// carries) as a sparseVec.
func labelCentroids(x, y *data.CSR) []sparseVec {
	c := data.LabelCentroids(x, y)
	out := make([]sparseVec, c.Rows)
	for l := range out {
		ids, vals := c.Row(l)
		v := sparseVec{ids: slices.Clone(ids), vals: make([]float64, len(vals))}
		for k, x := range vals {
			v.vals[k] = float64(x)
		}
		out[l] = v
	}
	return out
}

// balancedKMeans splits labels into k groups of equal size (±1) by
// spherical k-means with a balanced assignment, as napkinXC does: each
// round, labels are assigned greedily by their best similarity margin
// with no group exceeding its share.
func balancedKMeans(cent []sparseVec, labels []int, k, dim int, rng *rand.Rand) [][]int {
	means := make([][]float64, k)
	for i, p := range rng.Perm(len(labels))[:k] {
		means[i] = make([]float64, dim)
		c := cent[labels[p]]
		for n, j := range c.ids {
			means[i][j] = c.vals[n]
		}
	}
	assign := make([]int, len(labels))
	for i := range assign {
		assign[i] = -1
	}
	sim := make([][]float64, len(labels))
	for iter := 0; iter < 100; iter++ {
		for n, l := range labels {
			sim[n] = make([]float64, k)
			c := cent[l]
			for i := range k {
				s := 0.0
				for m, j := range c.ids {
					s += c.vals[m] * means[i][j]
				}
				sim[n][i] = s
			}
		}
		next := balancedAssign(sim, k)
		if slices.Equal(next, assign) {
			break
		}
		assign = next
		for i := range k {
			clear(means[i])
		}
		for n, l := range labels {
			c := cent[l]
			for m, j := range c.ids {
				means[assign[n]][j] += c.vals[m]
			}
		}
		for i := range k {
			norm := 0.0
			for _, v := range means[i] {
				norm += v * v
			}
			if norm > 0 {
				norm = math.Sqrt(norm)
				for j := range means[i] {
					means[i][j] /= norm
				}
			}
		}
	}
	parts := make([][]int, k)
	for n, l := range labels {
		parts[assign[n]] = append(parts[assign[n]], l)
	}
	return parts
}

// balancedAssign gives every item a group, the first groups holding
// ceil(n/k) items and the rest floor(n/k): for k = 2, items sorted by
// sim[0] − sim[1], the first half to group 0. For k > 2, items in order of
// their best margin take their most similar group with room left.
func balancedAssign(sim [][]float64, k int) []int {
	n := len(sim)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	size := make([]int, k)
	for i := range k {
		size[i] = n / k
		if i < n%k {
			size[i]++
		}
	}
	out := make([]int, n)
	if k == 2 {
		slices.SortStableFunc(order, func(a, b int) int {
			return cmpDesc(sim[a][0]-sim[a][1], sim[b][0]-sim[b][1])
		})
		for r, i := range order {
			out[i] = 0
			if r >= size[0] {
				out[i] = 1
			}
		}
		return out
	}
	margin := func(i int) float64 {
		s := slices.Clone(sim[i])
		slices.Sort(s)
		return s[k-1] - s[0]
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmpDesc(margin(a), margin(b)) })
	for _, i := range order {
		best := -1
		for g := range k {
			if size[g] > 0 && (best < 0 || sim[i][g] > sim[i][best]) {
				best = g
			}
		}
		out[i] = best
		size[best]--
	}
	return out
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// Model is a trained tree: one logistic regression per node.
type Model struct {
	Tree *Tree
	// w[v] holds node v's weights (features, then the bias term), nil
	// when the node's probability is the constant p[v] (its training rows
	// were all positive or all negative).
	w [][]float64
	p []float64
}

// Train fits every node's classifier with liblinear-train (L2-regularised
// logistic regression, solver 0, bias 1): a node is trained on the rows
// whose parent node is positive (the root on every row), positive where
// one of its labels is a true label of the row.
func Train(ctx context.Context, t *Tree, x, y *data.CSR, s Settings, dir string) (*Model, error) {
	m := &Model{Tree: t, w: make([][]float64, len(t.nodes)), p: make([]float64, len(t.nodes))}
	// pos[v] lists the rows where node v is positive.
	pos := make([][]int32, len(t.nodes))
	for r := 0; r < y.Rows; r++ {
		labels, _ := y.Row(r)
		seen := map[int]bool{}
		for _, l := range labels {
			for v := t.leaf[l]; v >= 0 && !seen[v]; v = t.nodes[v].parent {
				seen[v] = true
				pos[v] = append(pos[v], int32(r))
			}
		}
	}
	for v := range pos {
		slices.Sort(pos[v])
	}
	jobs := make(chan int)
	errs := make([]error, len(t.nodes))
	var wg sync.WaitGroup
	for range max(s.Workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range jobs {
				errs[v] = m.trainNode(ctx, v, pos, x, s, dir)
			}
		}()
	}
	for v := range t.nodes {
		jobs <- v
	}
	close(jobs)
	wg.Wait()
	return m, errors.Join(errs...)
}

// trainNode fits node v.
func (m *Model) trainNode(ctx context.Context, v int, pos [][]int32, x *data.CSR, s Settings, dir string) error {
	var rows []int32
	if par := m.Tree.nodes[v].parent; par < 0 {
		rows = make([]int32, x.Rows)
		for r := range rows {
			rows[r] = int32(r)
		}
	} else {
		rows = pos[par]
	}
	switch {
	case len(pos[v]) == 0:
		m.p[v] = 0
		return nil
	case len(pos[v]) == len(rows):
		m.p[v] = 1
		return nil
	}
	prob := filepath.Join(dir, fmt.Sprintf("node%d.txt", v))
	if err := writeProblem(prob, x, rows, pos[v]); err != nil {
		return err
	}
	model := prob + ".model"
	args := []string{"-q", "-s", "0", "-c", strconv.FormatFloat(s.C, 'g', -1, 64), "-B", "1"}
	if s.Eps > 0 {
		args = append(args, "-e", strconv.FormatFloat(s.Eps, 'g', -1, 64))
	}
	cmd := exec.CommandContext(ctx, s.Train, append(args, prob, model)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s (node %d): %w: %s", s.Train, v, err, strings.TrimSpace(string(out)))
	}
	w, err := readModel(model, x.Cols)
	if err != nil {
		return fmt.Errorf("node %d: %w", v, err)
	}
	m.w[v] = w
	os.Remove(prob)
	os.Remove(model)
	return nil
}

// writeProblem writes rows of x in LIBSVM format (1-based feature ids),
// labelled +1 when the row is in positive (sorted) and -1 otherwise.
func writeProblem(path string, x *data.CSR, rows, positive []int32) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	var buf []byte
	for _, r := range rows {
		buf = buf[:0]
		if _, ok := slices.BinarySearch(positive, r); ok {
			buf = append(buf, "+1"...)
		} else {
			buf = append(buf, "-1"...)
		}
		ids, vals := x.Row(int(r))
		for k, j := range ids {
			if vals[k] == 0 {
				continue
			}
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(j)+1, 10)
			buf = append(buf, ':')
			buf = strconv.AppendFloat(buf, float64(vals[k]), 'g', -1, 32)
		}
		buf = append(buf, '\n')
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readModel parses a two-class LIBLINEAR model file trained with bias 1 on
// features 1..numFeatures. It returns the weights of the positive class
// (+1): numFeatures feature weights then the bias weight, so that
// P(+1 | x) = σ(w·x + w_bias).
func readModel(path string, numFeatures int) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	line := 0
	sign := 0.0
	nf, bias := -1, -1.0
	for sc.Scan() {
		line++
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "nr_class":
			if len(fields) != 2 || fields[1] != "2" {
				return nil, fmt.Errorf("%s:%d: want a two-class model, got %q", path, line, sc.Text())
			}
		case "label":
			if len(fields) != 3 {
				return nil, fmt.Errorf("%s:%d: want two labels, got %q", path, line, sc.Text())
			}
			switch fields[1] {
			case "1", "+1":
				sign = 1
			case "-1":
				sign = -1
			default:
				return nil, fmt.Errorf("%s:%d: labels must be +1 and -1, got %q", path, line, sc.Text())
			}
		case "nr_feature":
			if len(fields) == 2 {
				nf, err = strconv.Atoi(fields[1])
			}
			if len(fields) != 2 || err != nil || nf < 0 || nf > numFeatures {
				return nil, fmt.Errorf("%s:%d: bad feature count %q (the data has %d features)", path, line, sc.Text(), numFeatures)
			}
		case "bias":
			if len(fields) == 2 {
				bias, err = strconv.ParseFloat(fields[1], 64)
			}
			if len(fields) != 2 || err != nil || bias != 1 {
				return nil, fmt.Errorf("%s:%d: want bias 1, got %q", path, line, sc.Text())
			}
		case "w":
			if sign == 0 || nf < 0 || bias != 1 {
				return nil, fmt.Errorf("%s:%d: weights before the label, nr_feature and bias lines", path, line)
			}
			w := make([]float64, numFeatures+1)
			for i := 0; i <= nf; i++ {
				if !sc.Scan() {
					return nil, fmt.Errorf("%s: %d weights, want %d (truncated model)", path, i, nf+1)
				}
				line++
				v, err := strconv.ParseFloat(strings.TrimSpace(sc.Text()), 64)
				if err != nil {
					return nil, fmt.Errorf("%s:%d: bad weight %q", path, line, sc.Text())
				}
				if i == nf {
					w[numFeatures] = sign * v
				} else {
					w[i] = sign * v
				}
			}
			return w, sc.Err()
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%s: no weights (not a LIBLINEAR model?)", path)
}

// Params counts the classifier weights (features and bias of every node
// with a trained classifier).
func (m *Model) Params() int64 {
	var n int64
	for _, w := range m.w {
		n += int64(len(w))
	}
	return n
}

// nodeProb is P(node v positive | parent positive, x) for row ids/vals.
func (m *Model) nodeProb(v int, ids []int32, vals []float32) float64 {
	w := m.w[v]
	if w == nil {
		return m.p[v]
	}
	z := w[len(w)-1]
	for k, j := range ids {
		z += w[j] * float64(vals[k])
	}
	return 1 / (1 + math.Exp(-z))
}

// Scores returns every label's probability for one row: the product of the
// node probabilities on the path from the root to its leaf (exact, every
// label scored: the replica is for data with up to some thousands of
// labels).
func (m *Model) Scores(ids []int32, vals []float32, out []float64) {
	nodes := m.Tree.nodes
	path := make([]float64, len(nodes))
	for v := range nodes { // parents come before children
		p := m.nodeProb(v, ids, vals)
		if par := nodes[v].parent; par >= 0 {
			p *= path[par]
		}
		path[v] = p
	}
	for l, v := range m.Tree.leaf {
		out[l] = path[v]
	}
}

// TopK returns the k best labels of scores, ties broken by the smaller id.
func TopK(scores []float64, k int) []int32 {
	order := make([]int32, len(scores))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmpDesc(scores[a], scores[b]) })
	return order[:min(k, len(order))]
}
