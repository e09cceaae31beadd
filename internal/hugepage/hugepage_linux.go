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
	if disabled.Load() || byteLen(s) < 2*Size {
		return
	}
	if b := wholePages(s, Size); b != nil {
		madvise(b, syscall.MADV_HUGEPAGE)
	}
}

// madvise is syscall.Madvise (tests count the calls).
var madvise = syscall.Madvise

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14): fault the pages
// in, writable, without changing what they hold.
const madvPopulateWrite = 23

// Populate makes the pages inside s resident now (madvise
// MADV_POPULATE_WRITE), as writing them would, but without changing a
// byte: a goroutine may call it on the part of an array another goroutine
// is about to fill, so that the filling does not wait for page faults.
// Only whole 4 KiB pages inside s are touched. A hint: it reports nothing,
// and does nothing on kernels before 5.14.
func Populate[E any](s []E) {
	if b := wholePages(s, 4096); b != nil {
		madvise(b, madvPopulateWrite)
	}
}

// byteLen is the size of s's elements in bytes.
func byteLen[E any](s []E) uintptr {
	var e E
	return uintptr(len(s)) * unsafe.Sizeof(e)
}

// wholePages returns the whole pages of size page (a power of two) inside
// s's elements as bytes, nil when there are none.
func wholePages[E any](s []E, page uintptr) []byte {
	size := byteLen(s)
	if size == 0 {
		return nil
	}
	p := unsafe.Pointer(unsafe.SliceData(s))
	start := uintptr(p)
	lo := (start + page - 1) &^ (page - 1)
	hi := (start + size) &^ (page - 1)
	if hi <= lo {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Add(p, lo-start)), hi-lo)
}
