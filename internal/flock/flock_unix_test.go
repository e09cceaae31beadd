//go:build unix

package flock

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The errors of file systems that do not lock are ErrUnsupported (and
// still the system's error); a held lock is ErrLocked; EINTR is retried.
func TestLockErrors(t *testing.T) {
	defer func(f func(int, int) error) { flockCall = f }(flockCall)
	f, err := os.Create(filepath.Join(t.TempDir(), "lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct {
		errno       syscall.Errno
		unsupported bool
	}{
		{syscall.ENOSYS, true}, {syscall.EOPNOTSUPP, true}, {syscall.ENOTSUP, true}, {syscall.ENOLCK, true},
		{syscall.EBADF, false}, {syscall.EIO, false},
	} {
		flockCall = func(int, int) error { return c.errno }
		err := TryLock(f)
		if errors.Is(err, ErrUnsupported) != c.unsupported || !errors.Is(err, c.errno) {
			t.Errorf("%v: TryLock = %v, want ErrUnsupported %v and the errno", c.errno, err, c.unsupported)
		}
	}
	flockCall = func(int, int) error { return syscall.EWOULDBLOCK }
	if err := TryLock(f); !errors.Is(err, ErrLocked) {
		t.Errorf("EWOULDBLOCK: %v, want ErrLocked", err)
	}
	calls := 0
	flockCall = func(int, int) error {
		if calls++; calls < 3 {
			return syscall.EINTR
		}
		return nil
	}
	if err := Lock(f); err != nil || calls != 3 {
		t.Errorf("EINTR twice: %v after %d calls, want success after 3", err, calls)
	}
}
