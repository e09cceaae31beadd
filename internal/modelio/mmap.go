package modelio

import (
	"errors"
	"io"
	"math"
	"os"
)

// mapFile maps a file read-only where the system can (mapView); empty
// files, and files it cannot map, are read whole. src reads the mapped
// file's bytes through the file itself (nil when data was read whole), so
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
	var unmap func() error
	err = errNoMapping
	if size <= math.MaxInt {
		data, unmap, err = mapView(f, int(size))
	}
	if err != nil {
		f.Close()
		b, rerr := os.ReadFile(path)
		return b, nil, func() error { return nil }, rerr
	}
	return data, f, func() error {
		err := unmap()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}, nil
}

// errNoMapping: this file cannot be mapped here.
var errNoMapping = errors.New("modelio: no memory mapping")
