package main

import (
	"math"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/memlimit"
)

// TestSetGCLimit: main holds the heap under a soft limit drawn from the
// process's memory limit, unless GOMEMLIMIT is set (the runtime applied
// that already) or the limit is unknown.
func TestSetGCLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	job := memlimit.Limit{Bytes: 8 << 30, Source: "/sys/fs/cgroup/slurm/uid_1/job_7/memory.max"}
	cases := []struct {
		name    string
		env     string
		limit   memlimit.Limit
		want    softLimit
		runtime int64 // the collector's limit afterwards
	}{
		{"cgroup limit", "", job, softLimit{Heap: memlimit.SoftLimit(job), From: job}, memlimit.SoftLimit(job)},
		{"GOMEMLIMIT set", "2GiB", job, softLimit{}, math.MaxInt64},
		{"GOMEMLIMIT=off", "off", job, softLimit{}, math.MaxInt64},
		{"limit unknown", "", memlimit.Limit{}, softLimit{}, math.MaxInt64},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			debug.SetMemoryLimit(math.MaxInt64)
			got := setGCLimit(c.env, func() memlimit.Limit { return c.limit })
			if got != c.want {
				t.Errorf("setGCLimit = %+v, want %+v", got, c.want)
			}
			if n := debug.SetMemoryLimit(-1); n != c.runtime {
				t.Errorf("the collector's limit is %d, want %d", n, c.runtime)
			}
		})
	}
}

// TestMemoryLimitEnv: MHE_MEMORY_LIMIT narrows the detected limit that the
// collector's soft limit and train's memory checks use; a bad value stops
// every command with a usage error naming the variable.
func TestMemoryLimitEnv(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	defer func(f func() memlimit.Limit) { detectLimit = f }(detectLimit)
	job := memlimit.Limit{Bytes: 8 << 30, Source: "/sys/fs/cgroup/slurm/uid_1/job_7/memory.max"}
	detectLimit = func() memlimit.Limit { return job }
	for _, c := range []struct {
		env  string
		want memlimit.Limit
	}{
		{"", job},
		{"25%", memlimit.Limit{Bytes: 2 << 30, Source: "MHE_MEMORY_LIMIT=25% of " + job.Source}},
		{"3GiB", memlimit.Limit{Bytes: 3 << 30, Source: "MHE_MEMORY_LIMIT=3GiB"}},
		{"9GiB", job},
	} {
		t.Setenv(memoryLimitEnv, c.env)
		if got := memoryLimit(); got != c.want {
			t.Errorf("MHE_MEMORY_LIMIT=%q: memoryLimit() = %+v, want %+v", c.env, got, c.want)
		}
		debug.SetMemoryLimit(math.MaxInt64)
		if got := setGCLimit("", memoryLimit); got.From != c.want || got.Heap != memlimit.SoftLimit(c.want) {
			t.Errorf("MHE_MEMORY_LIMIT=%q: setGCLimit = %+v, want the soft limit of %+v", c.env, got, c.want)
		}
	}
	t.Setenv(memoryLimitEnv, "lots")
	code, out, errOut := runMain(t, "", "plan", "--labels", "1000", "--method", "mhc")
	if code != ExitUsage || out != "" || !strings.Contains(errOut, `MHE_MEMORY_LIMIT="lots": not a size`) {
		t.Errorf("MHE_MEMORY_LIMIT=lots: exit %d, stdout %q, stderr %q; want a usage error naming it", code, out, errOut)
	}
}

// TestMemoryLimitWarning: train warns when MHE_MEMORY_LIMIT is set and sets
// nothing (a size not below the detected limit, or a percentage of a limit
// the system does not report), and says nothing otherwise.
func TestMemoryLimitWarning(t *testing.T) {
	defer func(f func() memlimit.Limit) { detectLimit = f }(detectLimit)
	job := memlimit.Limit{Bytes: 8 << 30, Source: "/sys/fs/cgroup/memory.max"}
	for _, c := range []struct {
		limit memlimit.Limit
		env   string
		want  string // a substring of the warning; "" for none
	}{
		{job, "", ""},
		{job, "25%", ""},
		{job, "3GiB", ""},
		{job, "9GiB", "MHE_MEMORY_LIMIT=9GiB is not below this process's memory limit, 8.00 GiB (/sys/fs/cgroup/memory.max), which applies"},
		{memlimit.Limit{}, "", ""},
		{memlimit.Limit{}, "3GiB", ""},
		{memlimit.Limit{}, " 50% ", "MHE_MEMORY_LIMIT=50% sets nothing: this system reports no memory limit"},
	} {
		detectLimit = func() memlimit.Limit { return c.limit }
		t.Setenv(memoryLimitEnv, c.env)
		got := memoryLimitWarning()
		if c.want == "" && got != "" || !strings.Contains(got, c.want) {
			t.Errorf("limit %+v, MHE_MEMORY_LIMIT=%q: warning %q, want %q", c.limit, c.env, got, c.want)
		}
	}
}
