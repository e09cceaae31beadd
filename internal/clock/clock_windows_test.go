package clock

import (
	"testing"
	"time"
)

// The tick conversion neither overflows nor loses whole seconds.
func TestTicksToDuration(t *testing.T) {
	if ticksNow() == 0 {
		t.Skip("the performance counter cannot be read here")
	}
	f := frequency()
	for _, c := range []struct {
		ticks int64
		want  time.Duration
	}{{f, time.Second}, {f / 2, 500 * time.Millisecond}, {f * 86400 * 365, 365 * 24 * time.Hour}} {
		if got := ticksToDuration(c.ticks); got != c.want {
			t.Errorf("%d ticks at %d/s: %v, want %v", c.ticks, f, got, c.want)
		}
	}
}
