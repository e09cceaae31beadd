// Command mhe trains and evaluates Multi-Head Encoding classifiers for
// extreme label classification. See README.md.
package main

import (
	"os"
	"runtime/debug"

	"golang.org/x/term"

	"github.com/mhe-xlc/mhe/internal/memlimit"
)

func main() {
	s := &streams{
		in: os.Stdin, out: os.Stdout, errOut: os.Stderr,
		errTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
	gcLimit = setGCLimit(os.Getenv("GOMEMLIMIT"), memoryLimit)
	os.Exit(Main(os.Args[1:], s))
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
// memory limit (a cgroup's, as SLURM's --mem sets, or the machine's RAM,
// narrowed by MHE_MEMORY_LIMIT),
// unless the user set GOMEMLIMIT (env: its value; "off" included), which
// the Go runtime has applied already.
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
