package clock

import (
	"slices"
	"testing"
	"time"
)

// A stopwatch advances in steps of microseconds at most: the median of
// nine successive changes in its reading is under 20 µs. Under wine, Go's
// time.Since advances by 40 µs to 2 ms at a time (by 0.5 to 15.6 ms on
// Windows), and a stopwatch on it fails here; Linux's steps are about
// 0.1 µs.
func TestStopwatchResolution(t *testing.T) {
	s := Start()
	var steps []time.Duration
	prev := s.Elapsed()
	for len(steps) < 9 && s.Elapsed() < 5*time.Second {
		if e := s.Elapsed(); e != prev {
			steps = append(steps, e-prev)
			prev = e
		}
	}
	if len(steps) < 9 {
		t.Fatalf("the stopwatch changed %d times in 5 s", len(steps))
	}
	slices.Sort(steps)
	if steps[4] >= 20*time.Microsecond {
		t.Errorf("the stopwatch advances in steps of %v (median; all: %v), want under 20 µs", steps[4], steps)
	}
}

// Over a longer stretch a stopwatch agrees with time.Since.
func TestStopwatchAgrees(t *testing.T) {
	s, t0 := Start(), time.Now()
	time.Sleep(100 * time.Millisecond)
	e, want := s.Elapsed(), time.Since(t0)
	if d := e - want; d < -20*time.Millisecond || d > 20*time.Millisecond {
		t.Errorf("a 100 ms sleep measured %v, time.Since %v", e, want)
	}
	if s.Seconds() < 0.09 {
		t.Errorf("Seconds() = %v after a 100 ms sleep", s.Seconds())
	}
}
