//go:build !windows

package clock

import "time"

// ticksNow reads no counter here (0): time.Since is precise.
func ticksNow() int64 { return 0 }

// ticksToDuration is not called here.
func ticksToDuration(int64) time.Duration { return 0 }

// frequency: no counter here.
func frequency() int64 { return 0 }
