package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/mhe-xlc/mhe/internal/train"
)

// progress renders training events on stderr: a progress bar when stderr is
// a terminal, a plain line every few seconds otherwise, nothing with --quiet.
// Epoch summaries are printed in both modes.
type progress struct {
	w     io.Writer
	tty   bool
	quiet bool
	every time.Duration
	bar   *progressbar.ProgressBar
	epoch int
	last  time.Time
}

func newProgress(w io.Writer, tty, quiet bool) *progress {
	return &progress{w: w, tty: tty, quiet: quiet, every: 5 * time.Second}
}

func (p *progress) handle(ev train.Event) {
	if p.quiet {
		return
	}
	switch ev.Phase {
	case "train":
		if p.tty {
			if p.bar == nil || p.epoch != ev.Epoch {
				p.finishBar()
				p.epoch = ev.Epoch
				p.bar = progressbar.NewOptions(ev.Total,
					progressbar.OptionSetWriter(p.w),
					progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", ev.Epoch, ev.Epochs)),
					progressbar.OptionShowCount(),
					progressbar.OptionShowIts(),
					progressbar.OptionSetItsString("ex"),
					progressbar.OptionSetPredictTime(true),
					progressbar.OptionThrottle(100*time.Millisecond),
					progressbar.OptionClearOnFinish(),
					progressbar.OptionSetWidth(30),
				)
			}
			p.bar.Describe(fmt.Sprintf("epoch %d/%d loss %.4f", ev.Epoch, ev.Epochs, ev.Loss))
			p.bar.Set(ev.Done)
			return
		}
		if time.Since(p.last) >= p.every {
			p.last = time.Now()
			rate := float64(ev.Done) / ev.Elapsed.Seconds()
			eta := time.Duration(float64(ev.Total-ev.Done)/rate) * time.Second
			fmt.Fprintf(p.w, "epoch %d/%d  %d/%d ex  loss %.4f  %.0f ex/s  ETA %s\n", ev.Epoch, ev.Epochs, ev.Done, ev.Total, ev.Loss, rate, eta.Round(time.Second))
		}
	case "epoch":
		p.finishBar()
		r := ev.Record
		line := fmt.Sprintf("epoch %d/%d  loss %.4f  %.1fs (%.0f ex/s)", r.Epoch, ev.Epochs, r.Loss, r.Seconds, r.ExamplesPerSec)
		if len(r.Validation) > 0 {
			line += "  validation " + formatMetrics(r.Validation)
			if r.Best {
				line += "  *best"
			}
		}
		fmt.Fprintln(p.w, line)
		p.last = time.Now()
	}
}

func (p *progress) finishBar() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
}

// formatMetrics prints the usual metrics compactly (percent).
func formatMetrics(m map[string]float64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if strings.HasPrefix(k, "p@") || strings.HasPrefix(k, "acc@1") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %.2f", k, 100*m[k]))
	}
	return strings.Join(parts, " ")
}

// usage is the process's resource use so far.
type usage struct {
	CPUSeconds float64
	PeakRSSMiB float64
}
