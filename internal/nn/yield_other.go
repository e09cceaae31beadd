//go:build !linux

package nn

import "runtime"

// osYield yields the processor to other goroutines (the kernel's
// sched_yield is Linux's).
func osYield() { runtime.Gosched() }
