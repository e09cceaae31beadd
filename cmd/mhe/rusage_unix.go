//go:build unix

package main

import (
	"runtime"
	"syscall"
)

// resourceUsage reads the process's CPU time and peak resident set size.
func resourceUsage() usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return usage{}
	}
	cpu := float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
	// ru_maxrss is in kilobytes, except on Apple systems (bytes).
	rss := float64(ru.Maxrss) / 1024
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		rss /= 1024
	}
	return usage{CPUSeconds: cpu, PeakRSSMiB: rss}
}
