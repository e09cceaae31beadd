package memlimit

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"
)

// TestGetWindows: Windows reports its RAM, at least 64 MiB, as the limit
// of a process in no job, and it counts as RAM; the largest allocation is
// the commit limit, at least the RAM less what the kernel keeps.
func TestGetWindows(t *testing.T) {
	l := Get()
	if l.Bytes < 64<<20 || !l.IsRAM() && l.Source == ramSourceHere {
		t.Errorf("Get() = %+v (IsRAM %v); want the RAM from GlobalMemoryStatusEx or a job's limit", l, l.IsRAM())
	}
	if c := AllocCeiling(); c.Bytes < 64<<20 {
		t.Errorf("AllocCeiling() = %+v; want the commit limit or a job's limit", c)
	}
}

// A job object's memory limits lower the limit, the smaller one winning.
func TestLowerToJob(t *testing.T) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		t.Skipf("no job object here: %v", err)
	}
	defer windows.CloseHandle(job)
	set := func(flags uint32, process, all uintptr) {
		t.Helper()
		var info windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION
		info.BasicLimitInformation.LimitFlags = flags
		info.ProcessMemoryLimit = process
		info.JobMemoryLimit = all
		if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
			uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
			t.Fatal(err)
		}
	}
	// Wine accepts a job's limits and reports none back: nothing to test.
	set(windows.JOB_OBJECT_LIMIT_PROCESS_MEMORY, 1<<30, 0)
	var back windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION
	if err := windows.QueryInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&back)), uint32(unsafe.Sizeof(back)), nil); err != nil || back.ProcessMemoryLimit != 1<<30 {
		t.Skipf("this system does not keep a job object's memory limit (set 1 GiB, read %d back: %v)", back.ProcessMemoryLimit, err)
	}
	ram := Limit{Bytes: 16 << 30, Source: ramSourceHere}
	for _, c := range []struct {
		flags        uint32
		process, all uintptr
		want         Limit
	}{
		{0, 0, 0, ram},
		{windows.JOB_OBJECT_LIMIT_PROCESS_MEMORY, 2 << 30, 0, Limit{2 << 30, "the job object's process memory limit"}},
		{windows.JOB_OBJECT_LIMIT_JOB_MEMORY, 0, 3 << 30, Limit{3 << 30, "the job object's job memory limit"}},
		{windows.JOB_OBJECT_LIMIT_PROCESS_MEMORY | windows.JOB_OBJECT_LIMIT_JOB_MEMORY, 4 << 30, 3 << 30, Limit{3 << 30, "the job object's job memory limit"}},
		{windows.JOB_OBJECT_LIMIT_PROCESS_MEMORY, 32 << 30, 0, ram}, // more than the RAM
	} {
		set(c.flags, c.process, c.all)
		got := ram
		lowerToJob(&got, job)
		if got != c.want {
			t.Errorf("flags %#x, process %d, job %d: %+v, want %+v", c.flags, c.process, c.all, got, c.want)
		}
	}
}
