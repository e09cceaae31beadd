//go:build unix

package modelio

import (
	"os"
	"syscall"
)

// mapFile maps a file read-only; empty files are read normally.
func mapFile(path string) ([]byte, func() error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if st.Size() == 0 {
		return []byte{}, func() error { return nil }, nil
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		// Fall back to reading (file systems without mmap).
		b, rerr := os.ReadFile(path)
		return b, func() error { return nil }, rerr
	}
	return data, func() error { return syscall.Munmap(data) }, nil
}
