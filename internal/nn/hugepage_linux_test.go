package nn

import (
	"bufio"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// vmFlags returns the VmFlags of the mapping in /proc/self/smaps that
// holds addr.
func vmFlags(t *testing.T, addr uintptr) []string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	inside := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(fields[0], "-"); ok { // a mapping's header: lo-hi perms ...
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 == nil && err2 == nil {
				inside = uint64(addr) >= a && uint64(addr) < b
				continue
			}
		}
		if inside && fields[0] == "VmFlags:" {
			return fields[1:]
		}
	}
	t.Fatalf("no mapping in /proc/self/smaps holds %#x", addr)
	return nil
}

// A large tensor's whole 2 MiB pages are marked for transparent huge pages
// ("hg" in the mapping's VmFlags); its values are zero and writable.
func TestFloatsAdviseHugePages(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skipf("this kernel has no transparent huge pages: %v", err)
	}
	b := Floats(3 * hugePage / 4) // 6 MiB: at least one whole aligned 2 MiB page
	start := uintptr(unsafe.Pointer(&b[0]))
	inner := (start + hugePage - 1) &^ (hugePage - 1)
	if flags := vmFlags(t, inner); !slices.Contains(flags, "hg") {
		t.Fatalf("VmFlags of a 6 MiB tensor's page at %#x: %v, want hg (MADV_HUGEPAGE)", inner, flags)
	}
	for i := range b {
		if b[i] != 0 {
			t.Fatalf("value %d = %v, want 0", i, b[i])
		}
		b[i] = float32(i)
	}
	adviseHuge(b[1 : len(b)-1]) // unaligned ends: only whole pages inside are advised
	adviseHuge(b[:10])          // too small: nothing to do
	adviseHuge(nil)
}
