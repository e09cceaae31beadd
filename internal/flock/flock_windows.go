//go:build windows

package flock

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

var (
	kernel32         = syscall.NewLazyDLL("kernel32.dll")
	procLockFileEx   = kernel32.NewProc("LockFileEx")
	procUnlockFileEx = kernel32.NewProc("UnlockFileEx")
)

const (
	lockfileFailImmediately = 0x1
	lockfileExclusiveLock   = 0x2
	errorLockViolation      = syscall.Errno(33)
	errorNotSupported       = syscall.Errno(50) // ERROR_NOT_SUPPORTED
	errorInvalidFunction    = syscall.Errno(1)  // ERROR_INVALID_FUNCTION, some network redirectors
)

// The lock covers the first byte of the file, which is enough for a lock
// file that every process locks the same way.
func lock(f *os.File, wait bool) error {
	flags := uintptr(lockfileExclusiveLock)
	if !wait {
		flags |= lockfileFailImmediately
	}
	var ol syscall.Overlapped
	r, _, err := procLockFileEx.Call(f.Fd(), flags, 0, 1, 0, uintptr(unsafe.Pointer(&ol)))
	if r != 0 {
		return nil
	}
	if errors.Is(err, errorLockViolation) {
		return ErrLocked
	}
	if errors.Is(err, errorNotSupported) || errors.Is(err, errorInvalidFunction) {
		return fmt.Errorf("%w (%w)", ErrUnsupported, err)
	}
	return err
}

func unlock(f *os.File) error {
	var ol syscall.Overlapped
	r, _, err := procUnlockFileEx.Call(f.Fd(), 0, 1, 0, uintptr(unsafe.Pointer(&ol)))
	if r != 0 {
		return nil
	}
	return err
}
