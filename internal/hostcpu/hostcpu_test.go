package hostcpu

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// parseCPUInfo takes the first processor's model name and the fields that
// name its generation, on x86 and arm64.
func TestParseCPUInfo(t *testing.T) {
	for _, c := range []struct {
		file, name, id string
	}{
		{"cpuinfo-amd64.txt", "AMD EPYC", "AuthenticAMD family 25 model 1 stepping 1"},
		{"cpuinfo-arm64.txt", "", "implementer 0x41 part 0xd40 variant 0x1"},
	} {
		f, err := os.Open(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		name, id := parseCPUInfo(f)
		f.Close()
		if name != c.name || id != c.id {
			t.Errorf("%s: %q, %q; want %q, %q", c.file, name, id, c.name, c.id)
		}
	}
	if name, id := parseCPUInfo(strings.NewReader("")); name != "" || id != "" {
		t.Errorf("empty cpuinfo: %q, %q", name, id)
	}
	// Blank lines before the first entry do not end it; the first blank
	// line after it does.
	two := "\n\nprocessor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 143\nmodel name\t: Xeon A\nstepping\t: 8\n\n" +
		"processor\t: 1\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: EPYC B\nstepping\t: 1\n"
	if name, id := parseCPUInfo(strings.NewReader(two)); name != "Xeon A" || id != "GenuineIntel family 6 model 143 stepping 8" {
		t.Errorf("two entries after blank lines: %q, %q", name, id)
	}
}

// Identify names this machine's CPU wherever the suite runs on amd64 (any
// OS: CPUID needs no /proc) or on Linux.
func TestIdentify(t *testing.T) {
	name, id := Identify()
	t.Logf("cpu %q, id %q", name, id)
	if runtime.GOARCH == "amd64" && (name == "" || !strings.Contains(id, " family ")) {
		t.Errorf("amd64: Identify() = %q, %q; want a name and a family", name, id)
	}
}
