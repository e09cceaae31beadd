//go:build darwin || freebsd

package memlimit

import "testing"

// TestGetSysctl: macOS and FreeBSD report their RAM, at least 64 MiB, as
// the limit, and it counts as RAM.
func TestGetSysctl(t *testing.T) {
	l := Get()
	if l.Bytes < 64<<20 || l.Source != "sysctl "+ramSysctl || !l.IsRAM() {
		t.Errorf("Get() = %+v (IsRAM %v); want the RAM from sysctl %s", l, l.IsRAM(), ramSysctl)
	}
}
