package modelio

import (
	"io"
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

// mapFile maps a file read-only, as on Unix; empty files are read
// normally. src reads the mapped file's bytes through the file itself, so
// that a checksum need not fault in every page of the mapping; release
// unmaps the file and closes it. Windows replaces or removes no file while
// it is mapped, so callers release a mapping before writing its file again.
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
	size := st.Size()
	if size == 0 {
		f.Close()
		return []byte{}, nil, func() error { return nil }, nil
	}
	readWhole := func() ([]byte, io.ReaderAt, func() error, error) {
		f.Close()
		b, rerr := os.ReadFile(path)
		return b, nil, func() error { return nil }, rerr
	}
	if uint64(size) > uint64(^uintptr(0)) {
		return readWhole()
	}
	m, err := windows.CreateFileMapping(windows.Handle(f.Fd()), nil, windows.PAGE_READONLY, uint32(uint64(size)>>32), uint32(size), nil)
	if err != nil {
		return readWhole() // file systems that cannot map
	}
	addr, err := windows.MapViewOfFile(m, windows.FILE_MAP_READ, 0, 0, uintptr(size))
	if err != nil {
		windows.CloseHandle(m)
		return readWhole()
	}
	// The view lies outside Go's heap until UnmapViewOfFile: reading the
	// address as a pointer (not converting the integer, which vet
	// rightly distrusts for heap memory) is safe.
	data = unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&addr))), int(size))
	return data, f, func() error {
		err := windows.UnmapViewOfFile(addr)
		if cerr := windows.CloseHandle(m); err == nil {
			err = cerr
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}, nil
}
