// Package plots draws the figures of mhe's reports with gonum.org/v1/plot:
// training curves (loss and validation metrics per epoch, several runs on
// one figure) and a cost/accuracy plot (one point per method and plan).
// Every figure is written as PNG and SVG.
package plots

import (
	"errors"
	"image/color"
	"io"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/mhe-xlc/mhe/internal/atomicfile"
)

// Curve is one run's per-epoch history.
type Curve struct {
	Label  string
	Epochs []float64
	Loss   []float64
	// Val holds validation metrics per epoch (fractions), e.g. "p@1"; a
	// missing epoch is NaN.
	Val map[string][]float64
}

// Point is one method/plan on the cost/accuracy plot.
type Point struct {
	Label string
	Cost  float64 // e.g. classifier parameters, or µs per training example
	Score float64 // e.g. P@1 in percent
}

// Formats are the file types every figure is written in.
var Formats = []string{"png", "svg"}

const width, height = 16 * vg.Centimeter, 10 * vg.Centimeter

// save writes p as base.png and base.svg, atomically.
func save(p *plot.Plot, base string) ([]string, error) {
	var out []string
	for _, ext := range Formats {
		path := base + "." + ext
		wt, err := p.WriterTo(width, height, ext)
		if err != nil {
			return nil, err
		}
		if err := atomicfile.WriteFile(path, 0o644, func(w io.Writer) error { _, err := wt.WriteTo(w); return err }); err != nil {
			return nil, err
		}
		out = append(out, path)
	}
	return out, nil
}

// ErrNoData is returned when there is nothing to draw.
var ErrNoData = errors.New("plots: nothing to draw")

// Curves draws one figure per series — "loss" or a validation metric such
// as "p@1" — with one line per run, as base-loss.png, base-p1.png, … (and
// .svg); a series no run has is skipped. It returns the files written.
func Curves(curves []Curve, series []string, base string) ([]string, error) {
	var files []string
	for _, s := range series {
		p := plot.New()
		p.X.Label.Text = "epoch"
		if s == "loss" {
			p.Title.Text = "training loss"
			p.Y.Label.Text = "mean loss per example"
		} else {
			p.Title.Text = "validation " + s
			p.Y.Label.Text = s + " (%)"
		}
		lines := 0
		for i, c := range curves {
			ys := c.Loss
			scale := 1.0
			if s != "loss" {
				ys, scale = c.Val[s], 100
			}
			pts := make(plotter.XYs, 0, len(ys))
			for e, y := range ys {
				if e < len(c.Epochs) && !math.IsNaN(y) && !math.IsInf(y, 0) {
					pts = append(pts, plotter.XY{X: c.Epochs[e], Y: y * scale})
				}
			}
			if len(pts) == 0 {
				continue
			}
			l, sc, err := plotter.NewLinePoints(pts)
			if err != nil {
				return nil, err
			}
			l.Color, sc.Color = plotutil.Color(i), plotutil.Color(i)
			sc.Shape = plotutil.Shape(i)
			p.Add(l, sc)
			p.Legend.Add(c.Label, l, sc)
			lines++
		}
		if lines == 0 {
			continue
		}
		p.Legend.Top = s != "loss"
		p.Add(plotter.NewGrid())
		f, err := save(p, base+"-"+FileName(s))
		if err != nil {
			return nil, err
		}
		files = append(files, f...)
	}
	if len(files) == 0 {
		return nil, ErrNoData
	}
	return files, nil
}

// CostAccuracy draws score against cost (log x axis when logX), one
// labelled point per method/plan, as base.png and base.svg.
func CostAccuracy(points []Point, title, xLabel, yLabel string, logX bool, base string) ([]string, error) {
	var pts plotter.XYs
	var labels []string
	for _, q := range points {
		if q.Cost <= 0 && logX || math.IsNaN(q.Score) {
			continue
		}
		pts = append(pts, plotter.XY{X: q.Cost, Y: q.Score})
		labels = append(labels, q.Label)
	}
	if len(pts) == 0 {
		return nil, ErrNoData
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	if logX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return nil, err
	}
	sc.Color = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	sc.Radius = vg.Points(3)
	lb, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: labels})
	if err != nil {
		return nil, err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font.Size = vg.Points(7)
		lb.TextStyle[i].XAlign = -0.1
	}
	p.Add(plotter.NewGrid(), sc, lb)
	pad(&p.X, &p.Y, logX)
	return save(p, base)
}

// pad widens the axes around the points: on x room for the labels right of
// the rightmost points (a log axis from min/1.5 to 3·max, a linear one 5%
// of the range more on the left and 30% on the right), on y 5% below and 8%
// above, of a range of at least 1 (one point, or points of one score).
func pad(x, y *plot.Axis, logX bool) {
	if logX {
		x.Min /= 1.5
		x.Max *= 3
	} else {
		r := x.Max - x.Min
		x.Min -= float64(r * 0.05)
		x.Max += float64(r * 0.3)
	}
	r := max(y.Max-y.Min, 1)
	y.Min -= float64(r * 0.05)
	y.Max += float64(r * 0.08)
}

// FileName makes a dataset or metric name safe as part of a file name:
// "p@1" → "p1", "RCV1 Sub/1" → "RCV1_Sub_1".
func FileName(s string) string {
	return strings.NewReplacer("@", "", "/", "_", `\`, "_", " ", "_", ":", "_").Replace(s)
}
