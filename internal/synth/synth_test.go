package synth

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/mhe-xlc/mhe/internal/data"
)

func render(t *testing.T, p Params, n int, stream uint64) []byte {
	t.Helper()
	m, err := NewModel(p)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	rw := data.NewRowWriter(bw, data.WriteOptions{Format: data.FormatXC})
	rw.Header(n, p.Features, p.Labels)
	if err := m.Write(rw, n, stream); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	return buf.Bytes()
}

func TestDeterministicAndReadable(t *testing.T) {
	p := Params{Examples: 2000, Features: 500, Labels: 300, Seed: 3, Exponent: DefaultExponent, Noise: DefaultNoise}
	a := render(t, p, 2000, StreamTrain)
	b := render(t, p, 2000, StreamTrain)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed, different bytes")
	}
	if bytes.Equal(a, render(t, p, 2000, StreamTest)) {
		t.Fatal("train and test streams are identical")
	}
	p2 := p
	p2.Seed = 4
	if sha256.Sum256(a) == sha256.Sum256(render(t, p2, 2000, StreamTrain)) {
		t.Fatal("different seeds, same bytes")
	}
	ds, err := data.Read(bytes.NewReader(a), "synth", data.ReadOptions{Format: data.FormatXC})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := NewModel(p)
	mem := m.Rows(2000, StreamTrain)
	if !slices.Equal(ds.X.Indices, mem.X.Indices) || !slices.Equal(ds.Y.Indices, mem.Y.Indices) || !slices.Equal(ds.X.Values, mem.X.Values) {
		t.Fatal("Rows and Write disagree")
	}
	st := data.Describe(ds)
	if st.AvgLabels < 2.5 || st.AvgLabels > 3.5 {
		t.Errorf("avg labels %.2f, want about 3", st.AvgLabels)
	}
}

// The label frequency is a power law: a few head labels, a long tail.
func TestPowerLaw(t *testing.T) {
	m, _ := NewModel(Params{Features: 1000, Labels: 1000, Seed: 1, Exponent: DefaultExponent, Noise: DefaultNoise})
	ds := m.Rows(20000, StreamTrain)
	counts := ds.Y.ColumnCounts()
	slices.Sort(counts)
	slices.Reverse(counts)
	head := counts[0] + counts[1] + counts[2] + counts[3] + counts[4] + counts[5] + counts[6] + counts[7] + counts[8] + counts[9]
	var total int64
	for _, c := range counts {
		total += c
	}
	if float64(head)/float64(total) < 0.15 {
		t.Errorf("top 1%% of labels hold %.1f%% of assignments, want a heavy head", 100*float64(head)/float64(total))
	}
	if counts[len(counts)/2] > counts[0]/20 {
		t.Errorf("median label count %d vs max %d: no long tail", counts[len(counts)/2], counts[0])
	}
}

// Labels carry feature signal: a label's signature features are much more
// frequent in its rows than elsewhere.
func TestLearnable(t *testing.T) {
	m, _ := NewModel(Params{Features: 5000, Labels: 200, Seed: 2, SingleLabel: true, Exponent: DefaultExponent, Noise: DefaultNoise})
	ds := m.Rows(5000, StreamTrain)
	g := m.newGen(99)
	hits, total := 0, 0
	for i := 0; i < ds.Rows(); i++ {
		labels, _ := ds.Y.Row(i)
		ids, _ := ds.X.Row(i)
		sig := map[int32]bool{}
		for j := 0; j < m.p.Signature; j++ {
			sig[g.signature(labels[0], j)] = true
		}
		for _, id := range ids {
			total++
			if sig[id] {
				hits++
			}
		}
	}
	if frac := float64(hits) / float64(total); frac < 0.4 { // chance: 8/5000
		t.Errorf("only %.2f of features come from the label's signature", frac)
	}
	for i := 0; i < ds.Rows(); i++ {
		if ds.Y.RowLen(i) != 1 {
			t.Fatal("single-label data with a multi-label row")
		}
	}
}

// A zero Exponent is a uniform label law and a zero Noise draws every
// feature from the row's labels' signatures: both are the values given,
// not the defaults (which a zero used to mean, so that neither could be
// asked for).
func TestZeroExponentAndNoise(t *testing.T) {
	m, err := NewModel(Params{Features: 5000, Labels: 100, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	if p := m.Params(); p.Exponent != 0 || p.Noise != 0 {
		t.Fatalf("params %+v: zeros replaced", p)
	}
	ds := m.Rows(20000, StreamTrain)
	counts := ds.Y.ColumnCounts()
	// 600 draws a label on average: a uniform law keeps every count within
	// a few standard deviations (about 25); the power law of exponent 1
	// gives its head label some 20 times its median.
	lo, hi := slices.Min(counts), slices.Max(counts)
	if float64(hi) > 1.5*float64(lo) {
		t.Errorf("label counts %d to %d under a uniform law", lo, hi)
	}
	g := m.newGen(99)
	for i := range ds.Rows() {
		labels, _ := ds.Y.Row(i)
		ids, _ := ds.X.Row(i)
		sig := map[int32]bool{}
		for _, l := range labels {
			for j := range m.p.Signature {
				sig[g.signature(l, j)] = true
			}
		}
		for _, id := range ids {
			if !sig[id] {
				t.Fatalf("row %d: feature %d is in none of its labels' signatures, with no noise", i, id)
			}
		}
	}
}

func TestParamsErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, p := range []Params{
		{Features: 10, Labels: 1}, {Features: 0, Labels: 10}, {Features: 10, Labels: 10, Noise: 1}, {Features: 10, Labels: 10, AvgLabels: 0.5},
		// NaN passes a plain "x < lo" test; +Inf labels per row never stop drawing.
		{Features: 10, Labels: 10, AvgLabels: nan}, {Features: 10, Labels: 10, AvgLabels: inf},
		{Features: 10, Labels: 10, Exponent: nan}, {Features: 10, Labels: 10, Exponent: inf}, {Features: 10, Labels: 10, Noise: nan},
		// A label model of 2e9 labels (24 GB, built up front) or 2e9 feature
		// draws a row never finished.
		{Features: 10, Labels: MaxLabels + 1}, {Features: 10, Labels: 10, AvgFeatures: MaxAvgFeatures + 1},
	} {
		if _, err := NewModel(p); !errors.Is(err, ErrParams) {
			t.Errorf("%+v: want ErrParams, got %v", p, err)
		}
	}
}

// More labels or feature draws per row than the dataset has are allowed
// (rows are capped at Labels distinct labels; repeated features become
// counts) and do not hang.
func TestOversizedRowMeans(t *testing.T) {
	m, err := NewModel(Params{Examples: 50, Features: 6, Labels: 4, AvgLabels: 1e9, AvgFeatures: 5000, Seed: 3, Exponent: DefaultExponent, Noise: DefaultNoise})
	if err != nil {
		t.Fatal(err)
	}
	ds := m.Rows(50, StreamTrain)
	for i := range 50 {
		if n := ds.Y.RowLen(i); n < 1 || n > 4 {
			t.Fatalf("row %d has %d labels of 4", i, n)
		}
		if n := ds.X.RowLen(i); n < 1 || n > 6 {
			t.Fatalf("row %d has %d features of 6", i, n)
		}
	}
}

// The built-in data is part of what a result means: a synthetic run in a
// paper or a CI log must be the same data under a later mhe. These
// digests pin the generator's bytes for a multi-label and a single-label
// model, both streams; a change that alters them changes every synthetic
// dataset (and the quickstart's model), so it must be deliberate: update
// the digests and say so in the README.
func TestStreamsArePinned(t *testing.T) {
	multi := Params{Examples: 3000, Features: 700, Labels: 400, Seed: 11, Exponent: DefaultExponent, Noise: DefaultNoise}
	single := Params{Examples: 3000, Features: 300, Labels: 50, Seed: 5, SingleLabel: true, Exponent: DefaultExponent, Noise: DefaultNoise}
	// Means above 30 draw counts from the normal approximation.
	dense := Params{Examples: 3000, Features: 2000, Labels: 400, Seed: 2, AvgFeatures: 45, AvgLabels: 40, Exponent: DefaultExponent, Noise: DefaultNoise}
	// One label a row on average (a Poisson draw of mean 0, which takes
	// no random number), and exactly 30 feature draws (the largest mean
	// drawn by Knuth's method).
	oneLabel := Params{Examples: 3000, Features: 500, Labels: 200, Seed: 7, AvgFeatures: 30, AvgLabels: 1, Exponent: DefaultExponent, Noise: DefaultNoise}
	// Rows that want every one of 5 steeply skewed labels: the draws of
	// distinct labels stop at 20 tries per label wanted.
	fewLabels := Params{Examples: 3000, Features: 100, Labels: 5, Seed: 9, AvgLabels: 6, Exponent: 3, Noise: DefaultNoise}
	for _, c := range []struct {
		name   string
		p      Params
		stream uint64
		want   string
	}{
		{"multi-label train", multi, StreamTrain, "b98c86d719a639c0afd88a18ac8b89860094003f6a10468528e40df5294379e0"},
		{"multi-label test", multi, StreamTest, "dd33f24edc7341a90041ce1d4cdbca4d4f93878f2612d43ecf2e72b75560a526"},
		{"single-label train", single, StreamTrain, "095a6eed1cb4404b4c06d38f0e9b678ca633b96273620ba31f0730ab3ee19a27"},
		{"single-label test", single, StreamTest, "759955ad4f29e3c64ea5aeed02fc301c4ea349fdb39c225eda50dccc451b91c0"},
		{"dense train", dense, StreamTrain, "dfc99b7b0e9021aaa438b36b67319dc0ae54c8f201561b4b023e5dd9bc972cbe"},
		{"one label train", oneLabel, StreamTrain, "5e1421625b782f868d0ae5317e5c0fcfb00cdb76ddc7a358fbf88b4bf292d3e9"},
		{"few labels train", fewLabels, StreamTrain, "075230bc85dba64d4ac30978525cbccd70dd830f6af4700b8ae50613e0a56794"},
	} {
		if got := fmt.Sprintf("%x", sha256.Sum256(render(t, c.p, 1500, c.stream))); got != c.want {
			t.Errorf("%s: sha256 %s, want %s", c.name, got, c.want)
		}
	}
}
