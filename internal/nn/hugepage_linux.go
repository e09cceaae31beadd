package nn

import (
	"syscall"
	"unsafe"
)

// hugePage is the size of a transparent huge page on the CPUs Linux runs
// mhe on (x86-64 and arm64 with 4 KiB base pages).
const hugePage = 2 << 20

// adviseHuge asks the kernel to back the whole 2 MiB pages inside b with
// transparent huge pages when they are first touched (madvise
// MADV_HUGEPAGE, honoured where THP is "always" or "madvise"). A large
// tensor then costs one page fault per 2 MiB instead of 512, and its random
// rows miss the TLB far less. A hint only: errors are ignored.
func adviseHuge(b []float32) {
	if len(b)*4 < 2*hugePage {
		return
	}
	p := unsafe.Pointer(&b[0])
	start := uintptr(p)
	lo := (start + hugePage - 1) &^ (hugePage - 1)
	hi := (start + uintptr(len(b))*4) &^ (hugePage - 1)
	if hi <= lo {
		return
	}
	syscall.Madvise(unsafe.Slice((*byte)(unsafe.Add(p, lo-start)), hi-lo), syscall.MADV_HUGEPAGE)
}
