// Package clock measures the durations that run records and logs report
// (training and prediction seconds, epoch times). Go's time.Since is
// precise on Linux, macOS and the BSDs; on Windows, Go's clock advances in
// steps of the timer interrupt (0.5 to 15.6 ms; golang/go#67066), so a
// prediction of a few milliseconds measured 0 s and a 0.2 s epoch was off
// by up to 8%. There a Stopwatch reads QueryPerformanceCounter instead, as
// Go's own benchmarks do.
package clock

import "time"

// Stopwatch measures the time since it was started (Elapsed).
type Stopwatch struct {
	start time.Time
	ticks int64 // Windows: the performance counter at the start (0: none)
}

// Start starts a stopwatch.
func Start() Stopwatch {
	return Stopwatch{start: time.Now(), ticks: ticksNow()}
}

// Seconds returns Elapsed in seconds.
func (s Stopwatch) Seconds() float64 { return s.Elapsed().Seconds() }
