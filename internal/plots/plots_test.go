package plots

import (
	"bytes"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
