// Package clock measures the durations that run records and logs report
// (training and prediction seconds, epoch times). Go's time.Since is
// precise on Linux, macOS and the BSDs; on Windows, Go's clock advances in
// steps of the timer interrupt (0.5 to 15.6 ms; golang/go#67066), so a
// prediction of a few milliseconds measured 0 s and a 0.2 s epoch was off
// by up to 8%. There a Stopwatch reads QueryPerformanceCounter instead, as
// Go's own benchmarks do.
package clock

import "time"

// Stopwatch measures the time since it was started.
type Stopwatch struct {
	start time.Time
	ticks int64 // the performance counter at the start, where ticksNow reads one
}

// Start starts a stopwatch.
func Start() Stopwatch {
	return Stopwatch{start: time.Now(), ticks: ticksNow()}
}

// Elapsed returns the time since s started.
func (s Stopwatch) Elapsed() time.Duration {
	if s.ticks != 0 {
		if now := ticksNow(); now != 0 {
			return ticksToDuration(now - s.ticks)
		}
	}
	return time.Since(s.start)
}

// Seconds returns Elapsed in seconds.
func (s Stopwatch) Seconds() float64 { return s.Elapsed().Seconds() }
