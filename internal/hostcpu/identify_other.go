//go:build !amd64 && !(darwin && arm64)

package hostcpu

// identify has no source here beyond /proc/cpuinfo.
func identify() (name, id string) { return "", "" }
