package nn

import "syscall"

// osYield lets the kernel run another thread on this CPU, if one is waiting
// (another process's, when there are more threads than CPUs): a spinning
// helper then costs the machine little.
func osYield() { syscall.RawSyscall(syscall.SYS_SCHED_YIELD, 0, 0, 0) }
