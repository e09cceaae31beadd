package hugepage

import (
	"syscall"
	"unsafe"
)

// Advise marks the whole 2 MiB pages inside s for transparent huge pages
// when they are first touched (madvise MADV_HUGEPAGE, honoured where THP
// is "always" or "madvise"). Call it on memory not yet touched, such as a
// large make fresh from the runtime, and pass the capacity that will be
// filled (s[:cap(s)]). A hint only: errors are ignored, and arrays under
// two huge pages are left alone, and so is everything after SetEnabled(false).
func Advise[E any](s []E) {
	if disabled.Load() {
		return
	}
	var e E
	size := uintptr(len(s)) * unsafe.Sizeof(e)
	if size < 2*Size {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(s))
	start := uintptr(p)
	lo := (start + Size - 1) &^ (Size - 1)
	hi := (start + size) &^ (Size - 1)
	if hi <= lo {
		return
	}
	madvise(unsafe.Slice((*byte)(unsafe.Add(p, lo-start)), hi-lo), syscall.MADV_HUGEPAGE)
}

// madvise is syscall.Madvise (tests count the calls).
var madvise = syscall.Madvise
