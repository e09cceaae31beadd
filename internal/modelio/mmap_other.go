//go:build !unix && !windows

package modelio

import (
	"io"
	"os"
)

// mapFile reads a file whole (no memory mapping here); src is nil.
func mapFile(path string) (data []byte, src io.ReaderAt, release func() error, err error) {
	b, err := os.ReadFile(path)
	return b, nil, func() error { return nil }, err
}
