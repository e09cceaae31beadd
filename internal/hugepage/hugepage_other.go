//go:build !linux

package hugepage

// Advise does nothing off Linux.
func Advise[E any](s []E) {}

// Populate does nothing off Linux.
func Populate[E any](s []E) {}
