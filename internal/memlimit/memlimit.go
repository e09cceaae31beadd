// Package memlimit finds how much memory this process may use: the limit
// of its control group (what SLURM's --mem, a Kubernetes pod or systemd
// set) or, without one, the machine's RAM. Cgroups are Linux's; macOS and
// FreeBSD report their RAM (sysctl); elsewhere the limit is unknown (zero).
package memlimit

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// Limit is a memory limit in bytes (0: unknown) and where it came from (a
// file name).
type Limit struct {
	Bytes  int64
	Source string
}

// RAMSource is a Limit's Source when the limit is the machine's RAM (no
// smaller cgroup limit applies).
const RAMSource = "/proc/meminfo MemTotal"

// IsRAM says whether l is the machine's RAM (no smaller limit was found).
func (l Limit) IsRAM() bool {
	return l.Bytes > 0 && (l.Source == RAMSource || ramSourceHere != "" && l.Source == ramSourceHere)
}

// lower makes l the limit of n bytes from source when that is smaller (or
// l is unknown); n <= 0 or beyond unlimited is no limit.
func (l *Limit) lower(n int64, source string) {
	if n > 0 && n < unlimited && (l.Bytes == 0 || n < l.Bytes) {
		*l = Limit{Bytes: n, Source: source}
	}
}

// unlimited: cgroup v1 writes "no limit" as a huge number (2^63 rounded
// down to a page); any limit beyond 2^60 bytes means none.
const unlimited = int64(1) << 60

// FromRoot reads the limit from a file system rooted at root ("/" for this
// machine): /proc/self/cgroup names the process's groups, whose limit and
// every ancestor's apply (cgroup v2 memory.max, v1
// memory.limit_in_bytes); /proc/meminfo's MemTotal caps them. The smallest
// wins. Unreadable files count as no limit.
func FromRoot(root string) Limit {
	var best Limit
	consider := best.lower
	if n, ok := meminfo(filepath.Join(root, "proc", "meminfo"), "MemTotal"); ok {
		consider(n, RAMSource)
	}
	raw, err := os.ReadFile(filepath.Join(root, "proc", "self", "cgroup"))
	if err != nil {
		return best
	}
	for _, line := range strings.Split(string(raw), "\n") {
		// "hierarchy-ID:controller-list:cgroup-path"
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 || !strings.HasPrefix(parts[2], "/") {
			continue
		}
		var dir, file string
		switch {
		case parts[0] == "0" && parts[1] == "":
			dir, file = "/sys/fs/cgroup", "memory.max"
		case hasController(parts[1], "memory"):
			dir, file = "/sys/fs/cgroup/memory", "memory.limit_in_bytes"
		default:
			continue
		}
		// The group and its ancestors up to the hierarchy's root.
		for p := path.Clean(parts[2]); ; p = path.Dir(p) {
			name := path.Join(dir, p, file)
			if n, ok := readLimit(filepath.Join(root, filepath.FromSlash(name))); ok {
				consider(n, name)
			}
			if p == "/" {
				break
			}
		}
	}
	return best
}

func hasController(list, c string) bool {
	for _, x := range strings.Split(list, ",") {
		if x == c {
			return true
		}
	}
	return false
}

// readLimit parses a cgroup limit file: a byte count, or "max" (none).
func readLimit(name string) (int64, bool) {
	raw, err := os.ReadFile(name)
	if err != nil {
		return 0, false
	}
	s := string(bytes.TrimSpace(raw))
	if s == "max" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// meminfo reads one field (kB) of a meminfo file, in bytes.
func meminfo(name, field string) (int64, bool) {
	f, err := os.Open(name)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == field+":" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil || kb < 0 {
				return 0, false
			}
			return kb << 10, true
		}
	}
	return 0, false
}

// AllocCeilingFromRoot is the largest single allocation the kernel of a
// file system rooted at root grants (Bytes 0: none known), given the
// process's address-space limit asLimit (0: none). With Linux's default
// heuristic overcommit (vm.overcommit_memory 0) a mapping larger than RAM
// plus swap is refused, whatever is free; with strict accounting (2) the
// commit limit bounds all mappings together, so one as well; with 1 any
// mapping is granted. An address-space limit (ulimit -v) bounds it too.
// The Go runtime cannot survive a refused allocation: it dies with
// "fatal error: out of memory", so callers check large ones first.
func AllocCeilingFromRoot(root string, asLimit int64) Limit {
	var best Limit
	consider := best.lower
	consider(asLimit, "the address-space limit (ulimit -v)")
	proc := filepath.Join(root, "proc")
	raw, err := os.ReadFile(filepath.Join(proc, "sys", "vm", "overcommit_memory"))
	if err != nil {
		return best
	}
	meminfoFile := filepath.Join(proc, "meminfo")
	switch strings.TrimSpace(string(raw)) {
	case "0":
		ram, ok1 := meminfo(meminfoFile, "MemTotal")
		swap, ok2 := meminfo(meminfoFile, "SwapTotal")
		if ok1 && ok2 {
			consider(ram+swap, "RAM plus swap (/proc/meminfo), the most one allocation may take under vm.overcommit_memory 0")
		}
	case "2":
		if n, ok := meminfo(meminfoFile, "CommitLimit"); ok {
			consider(n, "/proc/meminfo CommitLimit (vm.overcommit_memory 2)")
		}
	}
	return best
}

// SoftLimit is the heap size to which Go's garbage collector should hold
// a process whose memory limit is l (0: none known, leave the collector
// alone). Go collects when the heap has doubled since the last
// collection, whatever the limit: a job whose live data is 60% of a
// cluster's --mem then grows past the limit between two collections and
// is OOM-killed, though it would fit. A soft limit makes the collector
// run sooner as the heap nears it (runtime/debug.SetMemoryLimit). It
// leaves a tenth of the limit, at least 64 MiB, for what the collector
// does not count: mapped weights files, thread stacks outside Go, and the
// data files' page cache, which the kernel charges to the same group.
func SoftLimit(l Limit) int64 {
	if l.Bytes <= 0 {
		return 0
	}
	soft := l.Bytes - max(l.Bytes/10, 64<<20)
	if soft < 64<<20 {
		return 0 // too small a limit to be worth a collector running non-stop
	}
	return soft
}

// Share narrows a detected limit l to what the user gave the process (the
// value of MHE_MEMORY_LIMIT, for several processes sharing one cgroup, or
// a budget below the machine's RAM): spec is empty (l unchanged), a
// percentage of l ("50%", "12.5%"), or a size: a byte count, or a number
// with a binary unit (K, M, G, T, or KiB, MiB, GiB, TiB, as SLURM's --mem
// and GOMEMLIMIT write them) or a decimal one (KB, MB, GB, TB). A size
// above l leaves l, since the cgroup's limit still applies; a percentage
// of an unknown limit is unknown. The result's Source says where it came
// from: "MHE_MEMORY_LIMIT=50% of <l's source>".
func Share(l Limit, name, spec string) (Limit, error) {
	s := strings.TrimSpace(spec)
	if s == "" {
		return l, nil
	}
	if num, ok := strings.CutSuffix(s, "%"); ok {
		p, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || !(p > 0 && p <= 100) {
			return l, fmt.Errorf("%s=%q: a percentage must be a number above 0 and at most 100 (e.g. 50%%)", name, spec)
		}
		if l.Bytes <= 0 {
			return l, nil
		}
		n := int64(float64(l.Bytes) * p / 100)
		if n < 1<<20 {
			return l, fmt.Errorf("%s=%q: %s of the detected limit (%d bytes, %s) is under 1 MiB", name, spec, s, l.Bytes, l.Source)
		}
		return Limit{Bytes: n, Source: fmt.Sprintf("%s=%s of %s", name, s, l.Source)}, nil
	}
	n, err := parseSize(s)
	if err != nil {
		return l, fmt.Errorf("%s=%q: %v", name, spec, err)
	}
	if l.Bytes > 0 && n >= l.Bytes {
		return l, nil
	}
	return Limit{Bytes: n, Source: name + "=" + s}, nil
}

// sizeUnits are the multipliers parseSize accepts.
var sizeUnits = map[string]float64{
	"": 1, "B": 1,
	"K": 1 << 10, "KIB": 1 << 10, "M": 1 << 20, "MIB": 1 << 20,
	"G": 1 << 30, "GIB": 1 << 30, "T": 1 << 40, "TIB": 1 << 40,
	"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
}

// parseSize reads a size such as "6GiB", "6G", "1.5T", "6000MB" or
// "6442450944" in bytes.
func parseSize(s string) (int64, error) {
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(s)
	}
	num, unit := s[:i], strings.ToUpper(strings.TrimSpace(s[i:]))
	mult, ok := sizeUnits[unit]
	v, err := strconv.ParseFloat(num, 64)
	if num == "" || err != nil || !ok {
		return 0, fmt.Errorf("not a size; write bytes or a number with K, M, G, T (binary, also KiB, MiB, GiB, TiB) or KB, MB, GB, TB (decimal), e.g. 6GiB, or a percentage of the detected limit, e.g. 50%%")
	}
	b := v * mult
	if b < 1<<20 || b >= float64(unlimited) {
		return 0, fmt.Errorf("a size of %.0f bytes is outside 1 MiB to 1 EiB", b)
	}
	return int64(b), nil
}
