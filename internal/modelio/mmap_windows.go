package modelio

import (
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

// mapView maps size bytes of f read-only (CreateFileMapping,
// MapViewOfFile), with the function that unmaps them.
func mapView(f *os.File, size int) ([]byte, func() error, error) {
	m, err := windows.CreateFileMapping(windows.Handle(f.Fd()), nil, windows.PAGE_READONLY, uint32(uint64(size)>>32), uint32(size), nil)
	if err != nil {
		return nil, nil, err
	}
	addr, err := windows.MapViewOfFile(m, windows.FILE_MAP_READ, 0, 0, uintptr(size))
	if err != nil {
		windows.CloseHandle(m)
		return nil, nil, err
	}
	// The view lies outside Go's heap until UnmapViewOfFile: reading the
	// address as a pointer (not converting the integer, which vet
	// rightly distrusts for heap memory) is safe.
	data := unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&addr))), size)
	return data, func() error {
		err := windows.UnmapViewOfFile(addr)
		if cerr := windows.CloseHandle(m); err == nil {
			err = cerr
		}
		return err
	}, nil
}
