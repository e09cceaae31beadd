package hostcpu

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// cpuid executes the CPUID instruction for leaf eax, subleaf ecx.
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

// identify asks the processor: the brand string (leaves 0x80000002-4) is
// /proc/cpuinfo's model name, and the vendor (leaf 0) with the family,
// model and stepping of leaf 1, extended fields added as Linux adds them,
// is its identity.
func identify() (name, id string) {
	return fromCPUID(cpuid)
}

func fromCPUID(cpuid func(eax, ecx uint32) (uint32, uint32, uint32, uint32)) (name, id string) {
	maxLeaf, b, c, d := cpuid(0, 0)
	vendor := string(le(b, d, c))
	if maxLeaf >= 1 {
		sig, _, _, _ := cpuid(1, 0)
		family := sig >> 8 & 0xf
		if family == 0xf {
			family += sig >> 20 & 0xff
		}
		model := sig >> 4 & 0xf
		if family >= 6 {
			model += (sig >> 16 & 0xf) << 4
		}
		id = fmt.Sprintf("%s family %d model %d stepping %d", vendor, family, model, sig&0xf)
	}
	if maxExt, _, _, _ := cpuid(0x80000000, 0); maxExt >= 0x80000004 {
		var brand []byte
		for leaf := uint32(0x80000002); leaf <= 0x80000004; leaf++ {
			a, b, c, d := cpuid(leaf, 0)
			brand = append(brand, le(a, b, c, d)...)
		}
		name = strings.TrimSpace(strings.TrimRight(string(brand), "\x00"))
	}
	return name, id
}

// le is the registers' bytes in the order CPUID spells text in them.
func le(regs ...uint32) []byte {
	out := make([]byte, 0, 4*len(regs))
	for _, r := range regs {
		out = binary.LittleEndian.AppendUint32(out, r)
	}
	return out
}
