package main

import (
	"runtime"
	"testing"
	"time"
)

// resourceUsage reports the CPU time spent and a peak resident set that
// covers memory the process has touched, where the OS tells (Unix,
// Windows); run records carry both.
func TestResourceUsage(t *testing.T) {
	switch runtime.GOOS {
	case "js", "wasip1", "plan9": // rusage_other.go
		t.Skipf("%s reports no resource usage", runtime.GOOS)
	}
	before := resourceUsage()
	buf := make([]byte, 96<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	x := 1.0
	for end := time.Now().Add(100 * time.Millisecond); time.Now().Before(end); {
		for range 1000 {
			x = x*1.0000001 + 1e-9
		}
	}
	u := resourceUsage()
	if u.CPUSeconds <= before.CPUSeconds || u.CPUSeconds < 0.05 {
		t.Errorf("CPU time %.3f s after %.3f s and 0.1 s of work", u.CPUSeconds, before.CPUSeconds)
	}
	if u.PeakRSSMiB < 96 {
		t.Errorf("peak RSS %.1f MiB with 96 MiB touched", u.PeakRSSMiB)
	}
	runtime.KeepAlive(buf)
	runtime.KeepAlive(x)
}
