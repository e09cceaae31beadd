//go:build !linux && !darwin && !freebsd && !windows

package memlimit

// ramSourceHere is unused here; IsRAM compares with it.
const ramSourceHere = ""

// Get returns this process's memory limit: unknown here (the other BSDs,
// illumos, Plan 9, …).
func Get() Limit { return Limit{} }

// AllocCeiling returns the largest single allocation this process may
// make: unknown here.
func AllocCeiling() Limit { return Limit{} }
