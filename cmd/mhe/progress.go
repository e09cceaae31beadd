package main

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/mhe-xlc/mhe/internal/data"
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

	// A data file being read: its name, when its reading began, and how
	// long before the first report (shorter on a terminal).
	readFile  string
	readStart time.Time
	readAfter time.Duration
	now       func() time.Time
}

func newProgress(w io.Writer, tty, quiet bool) *progress {
	p := &progress{w: w, tty: tty, quiet: quiet, every: 5 * time.Second, readAfter: 5 * time.Second, now: time.Now}
	if tty {
		p.readAfter = time.Second
	}
	return p
}

func (p *progress) handle(ev train.Event) {
	if p.quiet {
		return
	}
	switch ev.Phase {
	case "read":
		p.read(ev)
	case "train":
		if p.tty {
			if p.bar == nil || p.epoch != ev.Epoch {
				p.finishBar()
				p.epoch = ev.Epoch
				p.bar = newBar(p.w, int64(ev.Total), fmt.Sprintf("epoch %d/%d", ev.Epoch, ev.Epochs), "ex")
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

// read reports a data file's loading, as rowProgress reports a pass over
// rows: nothing for a file read in a few seconds; then a bar in bytes on a
// terminal, or else a plain line every few seconds with the share read,
// the rate and the time left. Loading a training file of several GB takes
// minutes, which a batch job's log would otherwise pass in silence.
func (p *progress) read(ev train.Event) {
	now := p.now()
	if ev.File != p.readFile {
		p.finishBar()
		p.readFile, p.readStart, p.last = ev.File, now, time.Time{}
	}
	if ev.Bytes >= ev.Size { // the end of the file
		p.finishBar()
		return
	}
	elapsed := now.Sub(p.readStart)
	if elapsed < p.readAfter || ev.Size <= 0 {
		return
	}
	if p.tty {
		if p.bar == nil {
			p.bar = progressbar.NewOptions64(ev.Size, progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription("reading "+filepath.Base(ev.File)), progressbar.OptionShowBytes(true),
				progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish(), progressbar.OptionSetWidth(30))
		}
		p.bar.Set64(ev.Bytes)
		return
	}
	if !p.last.IsZero() && now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	rate := float64(ev.Bytes) / elapsed.Seconds()
	eta := time.Duration(float64(ev.Size-ev.Bytes)/rate) * time.Second
	fmt.Fprintf(p.w, "reading %s: %s of %s (%.0f%%)  %s/s  ETA %s\n", ev.File, train.FormatBytes(ev.Bytes), train.FormatBytes(ev.Size),
		100*float64(ev.Bytes)/float64(ev.Size), train.FormatBytes(int64(rate)), eta.Round(time.Second))
}

// newBar is the progress bar of a pass over total items (-1: unknown, a
// spinner) on a terminal, counted in unit, with the rate and, when the
// total is known, the time left.
func newBar(w io.Writer, total int64, desc, unit string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionSetPredictTime(total >= 0),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
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

// rowProgress reports a long pass over rows (mhe predict, mhe eval
// --model) on stderr, as training reports its epochs: once the pass has
// run for a while, a bar on a terminal, or else a plain line every few
// seconds, with the rate and, when the row count is known, the time left.
// A short pass prints nothing, and --quiet nothing at all. A prediction of
// 10^6 rows with a vanilla model over 10^6 labels runs for hours; without
// it nothing said whether the job was alive.
type rowProgress struct {
	w     io.Writer
	tty   bool
	what  string // "predict"
	total int    // rows, -1: unknown
	after time.Duration
	every time.Duration
	now   func() time.Time

	start, last time.Time
	done        int
	bar         *progressbar.ProgressBar
}

// newRowProgress returns nil (which reports nothing) when quiet.
func newRowProgress(w io.Writer, tty, quiet bool, what string, total int) *rowProgress {
	if quiet {
		return nil
	}
	p := &rowProgress{w: w, tty: tty, what: what, total: total, after: 5 * time.Second, every: 5 * time.Second, now: time.Now}
	if tty {
		p.after = time.Second
	}
	p.start = p.now()
	return p
}

// add counts n more rows done.
func (p *rowProgress) add(n int) {
	if p == nil {
		return
	}
	p.done += n
	now := p.now()
	elapsed := now.Sub(p.start)
	if elapsed < p.after {
		return
	}
	if p.tty {
		if p.bar == nil {
			p.bar = newBar(p.w, int64(max(p.total, -1)), p.what, "rows") // -1: a spinner
		}
		p.bar.Set(p.done)
		return
	}
	if !p.last.IsZero() && now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	rate := float64(p.done) / elapsed.Seconds()
	if p.total < 0 {
		fmt.Fprintf(p.w, "%s: %d rows  %.0f rows/s\n", p.what, p.done, rate)
		return
	}
	eta := time.Duration(float64(max(p.total-p.done, 0))/rate) * time.Second
	fmt.Fprintf(p.w, "%s: %d/%d rows  %.0f rows/s  ETA %s\n", p.what, p.done, p.total, rate, eta.Round(time.Second))
}

// finish clears the bar; the command's summary follows.
func (p *rowProgress) finish() {
	if p != nil && p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
}

// Add makes rowProgress a train.RowScorer: mhe eval --model counts the
// rows it scores.
func (p *rowProgress) Add(_, _ []int32) { p.add(1) }

// countedRows counts the rows a rowSource yields.
type countedRows struct {
	rowSource
	p *rowProgress
}

func (c countedRows) Next(row *data.Row) error {
	err := c.rowSource.Next(row)
	if err == nil {
		c.p.add(1)
	}
	return err
}
