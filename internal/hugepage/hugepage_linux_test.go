package hugepage

import (
	"bufio"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
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

// An array's whole 2 MiB pages are marked for transparent huge pages
// ("hg" in the mapping's VmFlags), whatever its element type; its values
// stay zero and writable. Unaligned ends, small arrays and nil are left
// alone without a fault.
func TestAdvise(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skipf("this kernel has no transparent huge pages: %v", err)
	}
	check := func(name string, start uintptr) {
		t.Helper()
		inner := (start + Size - 1) &^ (Size - 1)
		if flags := vmFlags(t, inner); !slices.Contains(flags, "hg") {
			t.Errorf("VmFlags of a 6 MiB %s array's page at %#x: %v, want hg (MADV_HUGEPAGE)", name, inner, flags)
		}
	}
	f := make([]float32, 0, 3*Size/4) // 6 MiB: at least one whole aligned 2 MiB page
	Advise(f[:cap(f)])
	check("float32", uintptr(unsafe.Pointer(unsafe.SliceData(f))))
	ids := make([]int32, 3*Size/4)
	Advise(ids)
	check("int32", uintptr(unsafe.Pointer(&ids[0])))
	for i := range ids {
		if ids[i] != 0 {
			t.Fatalf("value %d = %v, want 0", i, ids[i])
		}
		ids[i] = int32(i)
	}
	Advise(ids[1 : len(ids)-1]) // unaligned ends: only whole pages inside are advised
	Advise(ids[:10])            // too small: nothing to do
	Advise([]int64(nil))
}

// SetEnabled(false) keeps Advise from asking; true (the default) asks
// again.
func TestSetEnabled(t *testing.T) {
	calls := 0
	defer func(f func([]byte, int) error) { madvise = f; SetEnabled(true) }(madvise)
	madvise = func([]byte, int) error { calls++; return nil }
	b := make([]int32, 3*Size/4)
	Advise(b)
	SetEnabled(false)
	Advise(b)
	SetEnabled(true)
	Advise(b)
	if calls != 2 {
		t.Fatalf("advised %d of 3 times, want 2 (the one with huge pages off skipped)", calls)
	}
}

// resident counts the pages of b that are in memory (mincore).
func resident(t *testing.T, b []byte) int {
	t.Helper()
	vec := make([]byte, (len(b)+4095)/4096)
	if _, _, e := syscall.Syscall(syscall.SYS_MINCORE, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
		t.Skipf("mincore: %v", e)
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n
}

// Populate makes the pages of the part of a fresh array it is given
// resident, leaves the rest alone, and changes no value: one written
// before stays, the others stay zero.
func TestPopulate(t *testing.T) {
	const n = 16 << 20 // 64 MiB of int32, fresh from the OS
	a := make([]int32, n)
	bytesOf := func(s []int32) []byte { return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*4) }
	base := (uintptr(unsafe.Pointer(&a[0])) + 4095) &^ 4095
	a = a[(base-uintptr(unsafe.Pointer(&a[0])))/4:] // start on a page
	first, second := a[:4<<20], a[4<<20:8<<20]      // 16 MiB each
	if r := resident(t, bytesOf(first)); r > 64 {
		t.Skipf("the array is not fresh from the OS (%d of 4096 pages resident already)", r)
	}
	first[5] = 7
	Populate(first)
	if r := resident(t, bytesOf(first)); r != 4096 {
		t.Errorf("%d of the 4096 pages given resident, want all", r)
	}
	if r := resident(t, bytesOf(second)); r > 600 { // a huge page (THP "always") may reach 512 pages in
		t.Errorf("%d pages beyond those given resident, want none", r)
	}
	for i, v := range first {
		if (i == 5 && v != 7) || (i != 5 && v != 0) {
			t.Fatalf("value %d = %d after Populate", i, v)
		}
	}
	Populate(first[:0])
	Populate([]float64(nil))
}
