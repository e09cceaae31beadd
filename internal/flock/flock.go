// Package flock takes advisory whole-file locks that the operating system
// releases when the process ends, however it ends: flock(2) on Unix,
// LockFileEx on Windows. Elsewhere locking is a no-op.
package flock

import (
	"errors"
	"os"
)

// ErrLocked reports that another process holds the lock (TryLock).
var ErrLocked = errors.New("flock: the file is locked by another process")

// ErrUnsupported reports that the file system does not lock files: a
// Lustre client mounted without flock or localflock, an NFS mount without
// its lock manager (nolock, or lockd unreachable), some FUSE file systems.
// The error wraps the system's own.
var ErrUnsupported = errors.New("flock: this file system does not support file locks")

// TryLock takes an exclusive lock on f without waiting: ErrLocked when
// another process holds it.
func TryLock(f *os.File) error { return lock(f, false) }

// Lock takes an exclusive lock on f, waiting for it.
func Lock(f *os.File) error { return lock(f, true) }

// Unlock releases a lock taken on f (closing f releases it too).
func Unlock(f *os.File) error { return unlock(f) }
