// Package hostcpu names the processor a process runs on: its model name
// ("AMD EPYC 7B13") and an identity that tells apart generations a virtual
// machine names alike ("AuthenticAMD family 25 model 1 stepping 1"). Run
// records keep both, so times from different kinds of machine are not
// averaged together.
package hostcpu

import (
	"bufio"
	"cmp"
	"io"
	"os"
	"strings"
)

// Identify returns the model name and identity of this machine's first
// processor, empty where the platform does not say. On Linux they come from
// /proc/cpuinfo; elsewhere, and for a field /proc/cpuinfo lacks, from the
// processor itself (the CPUID instruction on amd64, sysctl on Apple silicon), in
// /proc/cpuinfo's words, so a record names one CPU alike on every OS.
func Identify() (name, id string) {
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		name, id = parseCPUInfo(f)
		f.Close()
	}
	if name == "" || id == "" {
		n, i := identify()
		name, id = cmp.Or(name, n), cmp.Or(id, i)
	}
	return name, id
}

// parseCPUInfo reads the first processor's entry of /proc/cpuinfo: its
// model name, and an identity that names the CPU's generation, "GenuineIntel
// family 6 model 143 stepping 8" on x86, "implementer 0x41 part 0xd0c
// variant 0x3" on arm64 (empty when neither is there).
func parseCPUInfo(r io.Reader) (name, id string) {
	fields := map[string]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" && len(fields) > 0 {
			break // the end of the first processor's entry
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			k = strings.TrimSpace(k)
			if _, seen := fields[k]; !seen {
				fields[k] = strings.TrimSpace(v)
			}
		}
	}
	name = fields["model name"]
	var parts []string
	add := func(label, key string) {
		if v := fields[key]; v != "" {
			parts = append(parts, strings.TrimSpace(label+" "+v))
		}
	}
	if fields["cpu family"] != "" {
		add("", "vendor_id")
		add("family", "cpu family")
		add("model", "model")
		add("stepping", "stepping")
	} else if fields["CPU implementer"] != "" {
		add("implementer", "CPU implementer")
		add("part", "CPU part")
		add("variant", "CPU variant")
	}
	return name, strings.Join(parts, " ")
}
