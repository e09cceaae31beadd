//go:build !linux

package memlimit

// Get returns this process's memory limit: unknown off Linux.
func Get() Limit { return Limit{} }

// AllocCeiling returns the largest single allocation this process may
// make: unknown off Linux.
func AllocCeiling() Limit { return Limit{} }
