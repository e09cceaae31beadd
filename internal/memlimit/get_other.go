//go:build !linux && !darwin && !freebsd

package memlimit

// sysctlSource is unused here; IsRAM compares with it.
const sysctlSource = ""

// Get returns this process's memory limit: unknown here (Windows, the
// other BSDs, …).
func Get() Limit { return Limit{} }

// AllocCeiling returns the largest single allocation this process may
// make: unknown here.
func AllocCeiling() Limit { return Limit{} }
