package data

import (
	"fmt"
	"io"
	"strings"
)

// ReadNames reads a label or feature name file: line i (0-based) is the name
// of id i. Trailing "\r" is removed; names are otherwise kept verbatim.
func ReadNames(path string) ([]string, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	lr := newLineReader(f, displayName(path), 0)
	var names []string
	for {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		names = append(names, string(line))
	}
	// A trailing empty line is an artefact of the writer, not a name.
	for len(names) > 0 && strings.TrimSpace(names[len(names)-1]) == "" {
		names = names[:len(names)-1]
	}
	return names, nil
}

// CheckNames verifies that a name file covers n ids.
func CheckNames(path string, names []string, n int) error {
	if len(names) < n {
		return inputErr(fmt.Errorf("%w: %s has %d names but the data has %d ids; the name file belongs to another dataset or is truncated",
			ErrMismatch, path, len(names), n))
	}
	return nil
}

// ReadNamesFor reads a name file that must cover n ids (ReadNames, then
// CheckNames). An empty path means no name file: nil, nil.
func ReadNamesFor(path string, n int) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	names, err := ReadNames(path)
	if err != nil {
		return nil, err
	}
	if err := CheckNames(path, names, n); err != nil {
		return nil, err
	}
	return names, nil
}
