package main

import (
	"cmp"
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

	// reading reports the data file being read (read), nil between files.
	reading *rowProgress
	now     func() time.Time // the clock of the lines' cadence (tests set it)
}

func newProgress(w io.Writer, tty, quiet bool) *progress {
	return &progress{w: w, tty: tty, quiet: quiet, every: 5 * time.Second, now: time.Now}
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
		if now := p.now(); now.Sub(p.last) >= p.every {
			p.last = now
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
		p.last = p.now()
	}
}

// read reports a data file's loading as rowProgress reports a pass over
// rows, in bytes: nothing for a file read in a few seconds, then a bar on
// a terminal, or else a plain line every few seconds with the share read,
// the rate and the time left. Loading a training file of several GB takes
// minutes, which a batch job's log would otherwise pass in silence.
func (p *progress) read(ev train.Event) {
	if p.reading == nil || p.reading.what != "reading "+ev.File {
		p.finishBar()
		p.reading = newRowProgress(p.w, p.tty, false, "reading "+ev.File, ev.Size)
		p.reading.bytes, p.reading.label = true, "reading "+filepath.Base(ev.File)
		p.reading.now, p.reading.start = p.now, p.now()
	}
	if ev.Bytes >= ev.Size { // the end of the file
		p.finishBar()
		return
	}
	p.reading.set(ev.Bytes)
}

// newBar is the progress bar of a pass over total items (-1: unknown, a
// spinner) on a terminal, counted in unit ("bytes": shown as sizes), with
// the rate and, when the total is known, the time left.
func newBar(w io.Writer, total int64, desc, unit string) *progressbar.ProgressBar {
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetPredictTime(total >= 0),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	}
	if unit == "bytes" {
		opts = append(opts, progressbar.OptionShowBytes(true))
	} else {
		opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString(unit))
	}
	return progressbar.NewOptions64(total, opts...)
}

func (p *progress) finishBar() {
	if p.reading != nil {
		p.reading.finish()
		p.reading = nil
	}
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
	total int64  // rows (or bytes), -1: unknown
	// bytes counts bytes instead of rows (a file being read); label, when
	// set, names the pass on a terminal's bar instead of what.
	bytes bool
	label string
	after time.Duration
	every time.Duration
	now   func() time.Time

	start, last time.Time
	done        int64
	bar         *progressbar.ProgressBar
}

// newRowProgress returns nil (which reports nothing) when quiet.
func newRowProgress(w io.Writer, tty, quiet bool, what string, total int64) *rowProgress {
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
	if p != nil {
		p.set(p.done + int64(n))
	}
}

// set says how many rows (or bytes) are done.
func (p *rowProgress) set(done int64) {
	p.done = done
	now := p.now()
	elapsed := now.Sub(p.start)
	if elapsed < p.after {
		return
	}
	if p.tty {
		if p.bar == nil {
			unit := "rows"
			if p.bytes {
				unit = "bytes"
			}
			p.bar = newBar(p.w, max(p.total, -1), cmp.Or(p.label, p.what), unit) // -1: a spinner
		}
		p.bar.Set64(p.done)
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
	if p.bytes {
		fmt.Fprintf(p.w, "%s: %s of %s (%.0f%%)  %s/s  ETA %s\n", p.what, train.FormatBytes(p.done), train.FormatBytes(p.total),
			100*float64(p.done)/float64(p.total), train.FormatBytes(int64(rate)), eta.Round(time.Second))
		return
	}
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
func (p *rowProgress) Add(_, _ []int32, _ []float32) { p.add(1) }

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
