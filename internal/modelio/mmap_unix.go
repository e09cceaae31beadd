//go:build unix

package modelio

import (
	"io"
	"os"
	"syscall"
)

// mapFile maps a file read-only; empty files are read normally. src reads
// the mapped file's bytes through the file itself (nil when data was read
// whole), so that a checksum need not fault in every page of the mapping;
// release unmaps the file and closes it.
func mapFile(path string) (data []byte, src io.ReaderAt, release func() error, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, nil, err
	}
	if st.Size() == 0 {
		f.Close()
		return []byte{}, nil, func() error { return nil }, nil
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		f.Close()
		// Fall back to reading (file systems without mmap).
		b, rerr := os.ReadFile(path)
		return b, nil, func() error { return nil }, rerr
	}
	return data, f, func() error {
		err := syscall.Munmap(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}, nil
}
