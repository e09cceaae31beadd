//go:build darwin || freebsd

package memlimit

import "golang.org/x/sys/unix"

// Get returns this process's memory limit: the machine's RAM, which the
// kernel reports as sysctl ramSysctl. These systems have no cgroups; a
// job's own limit, if any, comes from its scheduler as a ulimit.
func Get() Limit {
	n, err := unix.SysctlUint64(ramSysctl)
	if err != nil || n == 0 || n >= uint64(unlimited) {
		return Limit{}
	}
	return Limit{Bytes: int64(n), Source: ramSourceHere}
}

// ramSourceHere is the Source of the limit Get reports.
const ramSourceHere = "sysctl " + ramSysctl

// AllocCeiling returns the largest single allocation this process may
// make: unknown here (macOS and FreeBSD page out rather than refuse).
func AllocCeiling() Limit { return Limit{} }
