package main

import (
	"math"
	"runtime/debug"
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
