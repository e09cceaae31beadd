//go:build unix

package flock

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// flockCall is flock(2) (tests replace it).
var flockCall = syscall.Flock

func lock(f *os.File, wait bool) error {
	how := syscall.LOCK_EX
	if !wait {
		how |= syscall.LOCK_NB
	}
	for {
		err := flockCall(int(f.Fd()), how)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return ErrLocked
		case unsupported(err):
			return fmt.Errorf("%w (%w)", ErrUnsupported, err)
		default:
			return err
		}
	}
}

// unsupported reports the errors of a file system that does not lock:
// ENOSYS (Lustre without flock), EOPNOTSUPP or ENOTSUP (FUSE, some network
// file systems), ENOLCK (NFS without its lock manager).
func unsupported(err error) bool {
	return errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EOPNOTSUPP) ||
		errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.ENOLCK)
}

func unlock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
