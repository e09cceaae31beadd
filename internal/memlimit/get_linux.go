package memlimit

import "syscall"

// Get returns this process's memory limit.
func Get() Limit { return FromRoot("/") }

// ramSourceHere is unused on Linux (RAMSource names the RAM); IsRAM
// compares with it.
const ramSourceHere = ""

// AllocCeiling returns the largest single allocation this process may make
// (AllocCeilingFromRoot for this machine and its address-space limit).
func AllocCeiling() Limit {
	var as int64
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_AS, &rl) == nil && rl.Cur != ^uint64(0) && rl.Cur < 1<<62 {
		as = int64(rl.Cur)
	}
	return AllocCeilingFromRoot("/", as)
}
