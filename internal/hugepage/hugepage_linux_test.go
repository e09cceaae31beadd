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

// wholePages gives exactly the whole pages inside a slice: aligned at both
// ends, inside it, and less than a page short of it at either end.
func TestWholePages(t *testing.T) {
	buf := make([]byte, 5*Size)
	addr := func(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
	for _, page := range []uintptr{4096, Size} {
		for _, c := range []struct{ lo, n int }{
			{0, 5 * Size}, {1, 4 * Size}, {4095, 2*Size + 4097}, {4096, 8192}, {3, 4096}, {100, 5000}, {0, 1},
		} {
			s := buf[c.lo : c.lo+c.n]
			sLo, sHi := addr(s), addr(s)+uintptr(len(s))
			got := wholePages(s, page)
			if got != nil && len(got) == 0 {
				t.Errorf("page %d, [%d, +%d): an empty slice, want nil (no madvise call)", page, c.lo, c.n)
			}
			if got == nil {
				// None: no aligned page fits between the ends.
				if first := (sLo + page - 1) &^ (page - 1); first+page <= sHi {
					t.Errorf("page %d, [%d, +%d): none, but [%#x, %#x) fits", page, c.lo, c.n, first, first+page)
				}
				continue
			}
			lo, hi := addr(got), addr(got)+uintptr(len(got))
			if lo%page != 0 || hi%page != 0 || lo < sLo || hi > sHi || lo-sLo >= page || sHi-hi >= page {
				t.Errorf("page %d, [%d, +%d) at %#x: pages [%#x, %#x)", page, c.lo, c.n, sLo, lo, hi)
			}
		}
	}
	// Elements wider than a byte count by their size.
	w := make([]float64, Size/8+1)
	if got := wholePages(w, 4096); len(got) < int(Size)-4096 {
		t.Errorf("float64 array of %d bytes: %d bytes of whole pages", len(w)*8, len(got))
	}
}

// Advise asks only for arrays of at least two huge pages.
func TestAdviseThreshold(t *testing.T) {
	calls := 0
	defer func(f func([]byte, int) error) { madvise = f }(madvise)
	madvise = func([]byte, int) error { calls++; return nil }
	buf := make([]byte, 4*Size)
	lo := int(((uintptr(unsafe.Pointer(&buf[0])) + Size - 1) &^ (Size - 1)) - uintptr(unsafe.Pointer(&buf[0])))
	Advise(buf[lo : lo+2*Size-1])
	if calls != 0 {
		t.Errorf("an array a byte short of two huge pages was advised")
	}
	Advise(buf[lo : lo+2*Size])
	if calls != 1 {
		t.Errorf("an array of two aligned huge pages was advised %d times, want 1", calls)
	}
}
