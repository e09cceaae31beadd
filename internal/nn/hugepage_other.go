//go:build !linux

package nn

// adviseHuge is a no-op off Linux.
func adviseHuge([]float32) {}
