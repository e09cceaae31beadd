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
