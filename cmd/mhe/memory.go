package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/mhe-xlc/mhe/internal/memlimit"
	"github.com/mhe-xlc/mhe/internal/record"
	"github.com/mhe-xlc/mhe/internal/train"
)

// What this process may use: the limit it finds (its cgroup's or the RAM),
// the share MHE_MEMORY_LIMIT gives it, and the soft limit main sets on Go's
// garbage collector from them.

// memoryLimitEnv narrows the memory this process may use below its
// cgroup's limit or the RAM (memlimit.Share): a size or a percentage, for
// several mhe processes in one job (scripts/sweep-local.sh sets it).
const memoryLimitEnv = "MHE_MEMORY_LIMIT"

// detectLimit finds this process's memory limit, reading the cgroup's
// files once (a variable: tests lower it).
var detectLimit = sync.OnceValue(memlimit.Get)

// memoryLimit is what this process may use: its detected limit narrowed by
// MHE_MEMORY_LIMIT. The root command refuses a bad value before any
// command runs (checkMemoryLimitEnv); here one leaves the limit as found.
func memoryLimit() memlimit.Limit {
	l, _ := memlimit.Share(detectLimit(), memoryLimitEnv, os.Getenv(memoryLimitEnv))
	return l
}

// memoryRecord is the run record's memory_limit: memoryLimit and the
// collector's soft limit main set (nil when the limit is unknown).
func memoryRecord() *record.MemoryLimit {
	l := memoryLimit()
	if l.Bytes <= 0 {
		return nil
	}
	return &record.MemoryLimit{Bytes: l.Bytes, Source: l.Source, GCHeapBytes: gcLimit.Heap}
}

// memoryLimitWarning says why MHE_MEMORY_LIMIT does not set this
// process's limit, when it is set and does not: a size not below the
// detected limit (which applies), or a percentage of a limit this system
// does not report. Empty otherwise.
func memoryLimitWarning() string {
	spec, l := strings.TrimSpace(os.Getenv(memoryLimitEnv)), detectLimit()
	switch {
	case spec == "" || strings.HasPrefix(memoryLimit().Source, memoryLimitEnv):
		return ""
	case l.Bytes > 0:
		return fmt.Sprintf("%s=%s is not below this process's memory limit, %s (%s), which applies",
			memoryLimitEnv, spec, train.FormatBytes(l.Bytes), l.Source)
	}
	return fmt.Sprintf("%s=%s sets nothing: this system reports no memory limit to take a share of "+
		"(mhe reads cgroups and the RAM on Linux, the RAM on macOS and FreeBSD); give a size instead, e.g. %s=6GiB",
		memoryLimitEnv, spec, memoryLimitEnv)
}

// checkMemoryLimitEnv reports a bad MHE_MEMORY_LIMIT as a usage error.
func checkMemoryLimitEnv() error {
	if _, err := memlimit.Share(memlimit.Limit{}, memoryLimitEnv, os.Getenv(memoryLimitEnv)); err != nil {
		return usageError{err}
	}
	return nil
}

// softLimit is a soft limit set on the garbage collector: the heap size
// (bytes) and the memory limit it came from; zero when none was set.
type softLimit struct {
	Heap int64
	From memlimit.Limit
}

// gcLimit is the soft limit main set.
var gcLimit softLimit

// setGCLimit holds the process's heap under memlimit.SoftLimit of its
// memory limit (get: a cgroup's, as SLURM's --mem sets, or the machine's
// RAM, narrowed by MHE_MEMORY_LIMIT), unless the user set GOMEMLIMIT (env:
// its value; "off" included), which the Go runtime has applied already.
func setGCLimit(env string, get func() memlimit.Limit) softLimit {
	if env != "" {
		return softLimit{}
	}
	l := get()
	soft := memlimit.SoftLimit(l)
	if soft == 0 {
		return softLimit{}
	}
	debug.SetMemoryLimit(soft)
	return softLimit{Heap: soft, From: l}
}
