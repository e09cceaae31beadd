//go:build !unix && !windows

package atomicfile

// processGone cannot tell here, so no temporary file is taken for an
// orphan.
func processGone(pid int) bool { return false }
