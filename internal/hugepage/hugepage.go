// Package hugepage asks the kernel to back large arrays with transparent
// huge pages. A large array then costs one page fault per 2 MiB when it is
// first touched instead of 512, and its random accesses miss the TLB far
// less. On the VM mhe is measured on a 4 KiB page fault costs about 20 µs,
// so filling a 1 GB array page by page spends seconds in the kernel.
// Populate takes those faults on another goroutine, ahead of the writer.
// Linux only; elsewhere Advise and Populate do nothing.
package hugepage

import "sync/atomic"

// Size is the size of a transparent huge page on the CPUs Linux runs mhe
// on (x86-64 and arm64 with 4 KiB base pages).
const Size = 2 << 20

// disabled turns Advise off (SetEnabled).
var disabled atomic.Bool

// SetEnabled says whether Advise asks for huge pages from now on (it does
// by default): train.huge_pages: false turns it off for a node where the
// kernel's compaction for huge pages stalls other work. It is
// process-wide, like the memory it governs, and changes no value.
func SetEnabled(on bool) { disabled.Store(!on) }
