package clock

import (
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// golang.org/x/sys/windows has no wrapper for the performance counter.
var (
	kernel32      = windows.NewLazySystemDLL("kernel32.dll")
	procCounter   = kernel32.NewProc("QueryPerformanceCounter")
	procFrequency = kernel32.NewProc("QueryPerformanceFrequency")
)

// frequency returns the counter's ticks per second, read once (0 when it
// cannot be read: the stopwatch then falls back to time.Since).
var frequency = sync.OnceValue(func() int64 {
	if procFrequency.Find() != nil {
		return 0
	}
	var f int64
	if r, _, _ := procFrequency.Call(uintptr(unsafe.Pointer(&f))); r == 0 || f <= 0 {
		return 0
	}
	return f
})

// Elapsed returns the time since s started: by the performance counter,
// or by Go's clock when the counter could not be read.
func (s Stopwatch) Elapsed() time.Duration {
	if s.ticks != 0 {
		if now := ticksNow(); now != 0 {
			return ticksToDuration(now - s.ticks)
		}
	}
	return time.Since(s.start)
}

// ticksNow reads QueryPerformanceCounter, 0 when it cannot.
func ticksNow() int64 {
	if frequency() == 0 || procCounter.Find() != nil {
		return 0
	}
	var c int64
	if r, _, _ := procCounter.Call(uintptr(unsafe.Pointer(&c))); r == 0 || c == 0 {
		return 0
	}
	return c
}

// ticksToDuration converts counter ticks to a duration without overflow
// (whole seconds, then the rest).
func ticksToDuration(t int64) time.Duration {
	f := frequency()
	return time.Duration(t/f)*time.Second + time.Duration(t%f)*time.Second/time.Duration(f)
}
