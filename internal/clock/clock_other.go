//go:build !windows

package clock

import "time"

// ticksNow reads no counter here: time.Since is precise.
func ticksNow() int64 { return 0 }

// Elapsed returns the time since s started.
func (s Stopwatch) Elapsed() time.Duration { return time.Since(s.start) }
