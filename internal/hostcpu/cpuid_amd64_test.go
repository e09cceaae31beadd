package hostcpu

import (
	"encoding/binary"
	"os"
	"testing"
)

// fakeCPUID answers CPUID from a table of registers, as a processor with
// the given vendor, signature (leaf 1 EAX) and brand string would.
func fakeCPUID(vendor string, sig uint32, brand string) func(eax, ecx uint32) (uint32, uint32, uint32, uint32) {
	word := func(s string, i int) uint32 {
		var b [4]byte
		copy(b[:], s[min(i, len(s)):])
		return binary.LittleEndian.Uint32(b[:])
	}
	b48 := brand + string(make([]byte, 48-len(brand)))
	return func(eax, _ uint32) (uint32, uint32, uint32, uint32) {
		switch {
		case eax == 0:
			return 0x10, word(vendor, 0), word(vendor, 8), word(vendor, 4)
		case eax == 1:
			return sig, 0, 0, 0
		case eax == 0x80000000:
			if brand == "" {
				return 0x80000001, 0, 0, 0
			}
			return 0x80000008, 0, 0, 0
		case eax >= 0x80000002 && eax <= 0x80000004:
			o := int(eax-0x80000002) * 16
			return word(b48, o), word(b48, o+4), word(b48, o+8), word(b48, o+12)
		}
		return 0, 0, 0, 0
	}
}

// fromCPUID spells a processor as /proc/cpuinfo does: the extended family
// counts only for base family 15, the extended model from family 6 up, and
// the brand string loses its padding.
func TestFromCPUID(t *testing.T) {
	for _, c := range []struct {
		vendor string
		sig    uint32
		brand  string
		name   string
		id     string
	}{
		// This machine: Zen 3 EPYC under KVM (base family 15 + 10).
		{"AuthenticAMD", 0x00A00F11, "AMD EPYC", "AMD EPYC", "AuthenticAMD family 25 model 1 stepping 1"},
		// Zen 4 EPYC 9004: family 25 model 17 (extended model 1).
		{"AuthenticAMD", 0x00A10F11, "AMD EPYC 9654 96-Core Processor                ", "AMD EPYC 9654 96-Core Processor", "AuthenticAMD family 25 model 17 stepping 1"},
		// Sapphire Rapids: family 6 model 143 (0x8F) stepping 8.
		{"GenuineIntel", 0x000806F8, "  Intel(R) Xeon(R) Platinum 8480+", "Intel(R) Xeon(R) Platinum 8480+", "GenuineIntel family 6 model 143 stepping 8"},
		// A family-5 part: the extended model is not added.
		{"GenuineIntel", 0x00010521, "", "", "GenuineIntel family 5 model 2 stepping 1"},
	} {
		name, id := fromCPUID(fakeCPUID(c.vendor, c.sig, c.brand))
		if name != c.name || id != c.id {
			t.Errorf("%s %#x: %q, %q; want %q, %q", c.vendor, c.sig, name, id, c.name, c.id)
		}
	}
}

// On Linux the processor, asked directly, names itself as /proc/cpuinfo
// does, so records of one machine agree whichever source they read.
func TestCPUIDMatchesCPUInfo(t *testing.T) {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		t.Skipf("no /proc/cpuinfo here (%v)", err)
	}
	defer f.Close()
	wantName, wantID := parseCPUInfo(f)
	name, id := identify()
	if name != wantName || id != wantID {
		t.Errorf("CPUID says %q, %q; /proc/cpuinfo %q, %q", name, id, wantName, wantID)
	}
}

// The leaves a processor reports: identity only with leaf 1 (the highest
// standard leaf at least 1), a brand only with leaves up to 0x80000004.
func TestFromCPUIDLeaves(t *testing.T) {
	base := fakeCPUID("GenuineIntel", 0x000806F8, "Xeon")
	limit := func(maxLeaf, maxExt uint32) func(eax, ecx uint32) (uint32, uint32, uint32, uint32) {
		return func(eax, ecx uint32) (uint32, uint32, uint32, uint32) {
			a, b, c, d := base(eax, ecx)
			switch eax {
			case 0:
				a = maxLeaf
			case 0x80000000:
				a = maxExt
			}
			return a, b, c, d
		}
	}
	const id = "GenuineIntel family 6 model 143 stepping 8"
	for _, c := range []struct {
		maxLeaf, maxExt uint32
		name, id        string
	}{
		{1, 0x80000004, "Xeon", id},
		{0, 0x80000004, "Xeon", ""},
		{1, 0x80000003, "", id},
		{0, 0, "", ""},
	} {
		name, got := fromCPUID(limit(c.maxLeaf, c.maxExt))
		if name != c.name || got != c.id {
			t.Errorf("leaves %#x, %#x: %q, %q; want %q, %q", c.maxLeaf, c.maxExt, name, got, c.name, c.id)
		}
	}
}
