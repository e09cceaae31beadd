//go:build unix

package atomicfile

import (
	"errors"
	"syscall"
)

// processGone reports whether no process with this pid exists (on this
// host): signal 0 checks without signalling. A pid in use again by another
// process counts as alive, which only keeps a file.
func processGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
