package hostcpu

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// identify asks macOS: the brand string ("Apple M2 Pro") and the CPU family
// code that tells Apple's generations apart.
func identify() (name, id string) {
	name, _ = unix.Sysctl("machdep.cpu.brand_string")
	if f, err := unix.SysctlUint32("hw.cpufamily"); err == nil {
		id = fmt.Sprintf("cpufamily 0x%08x", f)
	}
	return name, id
}
