package main

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// resourceUsage reads the process's CPU time (GetProcessTimes) and peak
// working set (K32GetProcessMemoryInfo), Windows' peak resident set size.
func resourceUsage() usage {
	var u usage
	self := windows.CurrentProcess()
	var creation, exit, kernel, user windows.Filetime
	if windows.GetProcessTimes(self, &creation, &exit, &kernel, &user) == nil {
		u.CPUSeconds = float64(filetime100ns(kernel)+filetime100ns(user)) / 1e7
	}
	var c processMemoryCounters
	c.CB = uint32(unsafe.Sizeof(c))
	if procGetProcessMemoryInfo.Find() == nil {
		if r, _, _ := procGetProcessMemoryInfo.Call(uintptr(self), uintptr(unsafe.Pointer(&c)), uintptr(c.CB)); r != 0 {
			u.PeakRSSMiB = float64(c.PeakWorkingSetSize) / (1 << 20)
		}
	}
	return u
}

// filetime100ns is a FILETIME duration in its 100 ns units.
func filetime100ns(f windows.Filetime) uint64 {
	return uint64(f.HighDateTime)<<32 | uint64(f.LowDateTime)
}

// processMemoryCounters is Windows' PROCESS_MEMORY_COUNTERS.
type processMemoryCounters struct {
	CB                         uint32
	PageFaultCount             uint32
	PeakWorkingSetSize         uintptr
	WorkingSetSize             uintptr
	QuotaPeakPagedPoolUsage    uintptr
	QuotaPagedPoolUsage        uintptr
	QuotaPeakNonPagedPoolUsage uintptr
	QuotaNonPagedPoolUsage     uintptr
	PagefileUsage              uintptr
	PeakPagefileUsage          uintptr
}

// golang.org/x/sys/windows has no wrapper for it (psapi's
// GetProcessMemoryInfo, in kernel32 since Windows 7).
var procGetProcessMemoryInfo = windows.NewLazySystemDLL("kernel32.dll").NewProc("K32GetProcessMemoryInfo")
