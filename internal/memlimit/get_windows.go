package memlimit

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// ramSourceHere is the Source of the limit Get reports when the RAM is
// the smallest.
const ramSourceHere = "GlobalMemoryStatusEx ullTotalPhys"

// Get returns this process's memory limit: the smallest of the machine's
// RAM and the memory limits of the job object the process runs in (a job
// object is Windows' cgroup: schedulers and containers limit a job's
// processes through it).
func Get() Limit {
	var best Limit
	if s, ok := memoryStatus(); ok {
		best.lower(int64(s.TotalPhys), ramSourceHere)
	}
	lowerToJob(&best, 0)
	return best
}

// AllocCeiling returns the largest single allocation this process may
// make. Windows does not overcommit: it refuses to commit memory beyond
// the commit limit (RAM plus page files), and a job object's limits
// bound the process's committed memory too.
func AllocCeiling() Limit {
	var best Limit
	if s, ok := memoryStatus(); ok {
		best.lower(int64(s.TotalPageFile), "the commit limit (RAM plus page files, GlobalMemoryStatusEx ullTotalPageFile)")
	}
	lowerToJob(&best, 0)
	return best
}

// memoryStatusEx is Windows' MEMORYSTATUSEX.
type memoryStatusEx struct {
	Length               uint32
	MemoryLoad           uint32
	TotalPhys            uint64
	AvailPhys            uint64
	TotalPageFile        uint64
	AvailPageFile        uint64
	TotalVirtual         uint64
	AvailVirtual         uint64
	AvailExtendedVirtual uint64
}

// golang.org/x/sys/windows has no wrapper for GlobalMemoryStatusEx.
var procGlobalMemoryStatusEx = windows.NewLazySystemDLL("kernel32.dll").NewProc("GlobalMemoryStatusEx")

// memoryStatus calls GlobalMemoryStatusEx.
func memoryStatus() (memoryStatusEx, bool) {
	s := memoryStatusEx{Length: uint32(unsafe.Sizeof(memoryStatusEx{}))}
	if procGlobalMemoryStatusEx.Find() != nil {
		return s, false
	}
	r, _, _ := procGlobalMemoryStatusEx.Call(uintptr(unsafe.Pointer(&s)))
	return s, r != 0
}

// lowerToJob lowers l to the memory limits set on job object job (0: the
// job this process runs in, if any): the limit on each of its processes'
// committed memory, and on all of theirs together.
func lowerToJob(l *Limit, job windows.Handle) {
	var info windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION
	if windows.QueryInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info)), nil) != nil {
		return // not in a job
	}
	flags := info.BasicLimitInformation.LimitFlags
	if flags&windows.JOB_OBJECT_LIMIT_PROCESS_MEMORY != 0 {
		l.lower(int64(info.ProcessMemoryLimit), "the job object's process memory limit")
	}
	if flags&windows.JOB_OBJECT_LIMIT_JOB_MEMORY != 0 {
		l.lower(int64(info.JobMemoryLimit), "the job object's job memory limit")
	}
}
