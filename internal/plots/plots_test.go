package plots

import (
	"bytes"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"
)

func checkFiles(t *testing.T, files []string, want int) {
	t.Helper()
	if len(files) != want {
		t.Fatalf("wrote %v, want %d files", files, want)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Ext(f) {
		case ".png":
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil || img.Bounds().Dx() < 100 {
				t.Errorf("%s: not a usable PNG: %v", f, err)
			}
		case ".svg":
			if !bytes.Contains(b, []byte("<svg")) {
				t.Errorf("%s: not an SVG", f)
			}
		}
	}
}

func TestCurves(t *testing.T) {
	dir := t.TempDir()
	nan := math.NaN()
	files, err := Curves([]Curve{
		{Label: "vanilla", Epochs: []float64{1, 2, 3}, Loss: []float64{3, 2, 1.5}, Val: map[string][]float64{"p@1": {0.5, 0.6, 0.62}}},
		{Label: "mhc 32×5", Epochs: []float64{1, 2, 3}, Loss: []float64{2.5, 1.8, 1.6}, Val: map[string][]float64{"p@1": {nan, 0.58, 0.61}}},
	}, []string{"loss", "p@1", "ndcg@3"}, filepath.Join(dir, "curves"))
	if err != nil {
		t.Fatal(err)
	}
	checkFiles(t, files, 4) // loss and p@1, PNG and SVG
	if !strings.HasSuffix(files[2], "curves-p1.png") {
		t.Errorf("files %v", files)
	}
	if _, err := Curves([]Curve{{Label: "empty"}}, []string{"loss"}, filepath.Join(dir, "none")); !errors.Is(err, ErrNoData) {
		t.Errorf("no data: %v", err)
	}
}

func TestCostAccuracy(t *testing.T) {
	dir := t.TempDir()
	files, err := CostAccuracy([]Point{{"vanilla", 81567, 64.06}, {"mhc 32×5", 20000, 62.7}, {"mhp 13×13", 3000, 38.5}},
		"Bibtex", "classifier parameters", "P@1 (%)", true, filepath.Join(dir, "cost"))
	if err != nil {
		t.Fatal(err)
	}
	checkFiles(t, files, 2)
}

// svgText lists the text of an SVG figure in document order: title, axis
// labels, tick labels, legend.
func svgText(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`>([^<>]+)</text>`).FindAllSubmatch(b, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

// What the figures say: each series' title and axis labels, validation
// metrics in percent (fractions × 100), one legend entry per run that has
// the series, and epochs beyond a run's epoch list left out.
func TestCurvesText(t *testing.T) {
	dir := t.TempDir()
	files, err := Curves([]Curve{
		{Label: "vanilla", Epochs: []float64{1, 2, 3}, Loss: []float64{3, 2, 1.5}, Val: map[string][]float64{"p@1": {0.5, 0.6, 0.62, 0.99}}},
		{Label: "mhc", Epochs: []float64{1, 2, 3}, Loss: []float64{2.5, 1.8, 1.6}},
	}, []string{"loss", "p@1"}, filepath.Join(dir, "c"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"c-loss.svg": {"training loss", "epoch", "1", "2", "3", "mean loss per example", "1.5", "2.0", "2.5", "3.0", "vanilla", "mhc"},
		"c-p1.svg":   {"validation p@1", "epoch", "1", "2", "3", "p@1 (%)", "50", "55", "60", "vanilla"},
	}
	for _, f := range files {
		if filepath.Ext(f) != ".svg" {
			continue
		}
		w, ok := want[filepath.Base(f)]
		if !ok {
			t.Errorf("unexpected file %s", f)
			continue
		}
		if got := svgText(t, f); !slices.Equal(got, w) {
			t.Errorf("%s says %q, want %q", filepath.Base(f), got, w)
		}
	}
}

// Points that cannot be drawn are left out: a cost of 0 or less on a log
// axis, a NaN score; with none left there is nothing to draw.
func TestCostAccuracyText(t *testing.T) {
	dir := t.TempDir()
	files, err := CostAccuracy([]Point{{"vanilla", 81567, 64.06}, {"free", 0, 50}, {"failed", 300, math.NaN()}, {"mhp", 3000, 38.5}},
		"Bibtex", "classifier parameters", "P@1 (%)", true, filepath.Join(dir, "cost"))
	if err != nil {
		t.Fatal(err)
	}
	got := svgText(t, files[1])
	for _, w := range []string{"Bibtex", "classifier parameters", "P@1 (%)", "vanilla", "mhp"} {
		if !slices.Contains(got, w) {
			t.Errorf("figure lacks %q: %q", w, got)
		}
	}
	for _, w := range []string{"free", "failed"} {
		if slices.Contains(got, w) {
			t.Errorf("figure shows the point %q, which it cannot place: %q", w, got)
		}
	}
	// On a linear axis a cost of 0 is a point like any other.
	files, err = CostAccuracy([]Point{{"free", 0, 50}, {"mhp", 3000, 38.5}}, "t", "x", "y", false, filepath.Join(dir, "lin"))
	if err != nil {
		t.Fatal(err)
	}
	if got := svgText(t, files[1]); !slices.Contains(got, "free") {
		t.Errorf("linear axis: the point at 0 is missing: %q", got)
	}
	if _, err := CostAccuracy([]Point{{"free", 0, 50}, {"failed", 3, math.NaN()}}, "t", "x", "y", true, filepath.Join(dir, "none")); !errors.Is(err, ErrNoData) {
		t.Errorf("no point to draw: %v", err)
	}
}

func TestPad(t *testing.T) {
	for _, c := range []struct {
		name               string
		logX               bool
		x0, x1, y0, y1     float64
		wx0, wx1, wy0, wy1 float64
	}{
		{"log x", true, 300, 90000, 40, 60, 200, 270000, 39, 61.6},
		{"linear x", false, 100, 300, 40, 60, 90, 360, 39, 61.6},
		{"one score", false, 0, 10, 50, 50, -0.5, 13, 49.95, 50.08},
	} {
		p := plot.New()
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = c.x0, c.x1, c.y0, c.y1
		pad(&p.X, &p.Y, c.logX)
		got := []float64{p.X.Min, p.X.Max, p.Y.Min, p.Y.Max}
		for i, w := range []float64{c.wx0, c.wx1, c.wy0, c.wy1} {
			if !(math.Abs(got[i]-w) <= 1e-9*math.Max(1, math.Abs(w))) {
				t.Errorf("%s: axes %v, want %v", c.name, got, []float64{c.wx0, c.wx1, c.wy0, c.wy1})
				break
			}
		}
	}
}
