package memlimit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, root, name, text string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFromRoot(t *testing.T) {
	const meminfo = "MemTotal:       25189988 kB\nMemFree:        22213784 kB\n"
	ram := int64(25189988) << 10
	cases := []struct {
		name  string
		files map[string]string
		want  Limit
	}{
		{"nothing readable", nil, Limit{}},
		{"RAM only", map[string]string{"proc/meminfo": meminfo}, Limit{ram, "/proc/meminfo MemTotal"}},
		{"cgroup v2 job limit under RAM", map[string]string{
			"proc/meminfo":     meminfo,
			"proc/self/cgroup": "0::/slurm/uid_1/job_7/step_0\n",
			"sys/fs/cgroup/slurm/uid_1/job_7/step_0/memory.max": "max\n",
			"sys/fs/cgroup/slurm/uid_1/job_7/memory.max":        "8589934592\n",
			"sys/fs/cgroup/slurm/memory.max":                    "17179869184\n",
		}, Limit{8 << 30, "/sys/fs/cgroup/slurm/uid_1/job_7/memory.max"}},
		{"cgroup v2 without limits", map[string]string{
			"proc/meminfo":                        meminfo,
			"proc/self/cgroup":                    "0::/user.slice\n",
			"sys/fs/cgroup/user.slice/memory.max": "max\n",
		}, Limit{ram, "/proc/meminfo MemTotal"}},
		{"cgroup v1, no limit written as 2^63", map[string]string{
			"proc/meminfo":     meminfo,
			"proc/self/cgroup": "5:cpu,cpuacct:/\n4:memory:/process_api/0de5\n0::/\n",
			"sys/fs/cgroup/memory/process_api/0de5/memory.limit_in_bytes": "9223372036854771712\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes":                  "9223372036854771712\n",
		}, Limit{ram, "/proc/meminfo MemTotal"}},
		{"cgroup v1 limit", map[string]string{
			"proc/meminfo":     meminfo,
			"proc/self/cgroup": "4:memory:/docker/abc\n",
			"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "4294967296\n",
		}, Limit{4 << 30, "/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes"}},
		{"a limit above RAM does not count", map[string]string{
			"proc/meminfo":                 meminfo,
			"proc/self/cgroup":             "0::/big\n",
			"sys/fs/cgroup/big/memory.max": "107374182400\n",
		}, Limit{ram, "/proc/meminfo MemTotal"}},
		{"a limit equal to RAM leaves RAM as the source", map[string]string{
			"proc/meminfo":                  meminfo,
			"proc/self/cgroup":              "0::/same\n",
			"sys/fs/cgroup/same/memory.max": "25794547712\n",
		}, Limit{ram, "/proc/meminfo MemTotal"}},
		{"2^60 bytes or more is no limit", map[string]string{
			"proc/self/cgroup":              "0::/huge\n",
			"sys/fs/cgroup/huge/memory.max": "1152921504606846976\n",
		}, Limit{}},
		{"a byte less is a limit", map[string]string{
			"proc/self/cgroup":              "0::/huge\n",
			"sys/fs/cgroup/huge/memory.max": "1152921504606846975\n",
		}, Limit{1<<60 - 1, "/sys/fs/cgroup/huge/memory.max"}},
		{"garbage is no limit", map[string]string{
			"proc/self/cgroup":           "0::/x\nnot a line\n",
			"sys/fs/cgroup/x/memory.max": "lots\n",
			"sys/fs/cgroup/memory.max":   "-5\n",
		}, Limit{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			for name, text := range c.files {
				write(t, root, name, text)
			}
			if got := FromRoot(root); got != c.want {
				t.Errorf("FromRoot = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestAllocCeilingFromRoot(t *testing.T) {
	const meminfo = "MemTotal:       24683620 kB\nSwapTotal:       1048576 kB\nCommitLimit:    13390384 kB\n"
	ramSwap := (int64(24683620) + 1048576) << 10
	cases := []struct {
		name  string
		files map[string]string
		as    int64
		want  int64
	}{
		{"nothing readable", nil, 0, 0},
		{"heuristic overcommit: RAM plus swap", map[string]string{"proc/meminfo": meminfo, "proc/sys/vm/overcommit_memory": "0\n"}, 0, ramSwap},
		{"always overcommit: no ceiling", map[string]string{"proc/meminfo": meminfo, "proc/sys/vm/overcommit_memory": "1\n"}, 0, 0},
		{"strict: the commit limit", map[string]string{"proc/meminfo": meminfo, "proc/sys/vm/overcommit_memory": "2\n"}, 0, int64(13390384) << 10},
		{"ulimit -v below RAM", map[string]string{"proc/meminfo": meminfo, "proc/sys/vm/overcommit_memory": "0\n"}, 8 << 30, 8 << 30},
		{"ulimit -v alone", nil, 8 << 30, 8 << 30},
		{"no swap line", map[string]string{"proc/meminfo": "MemTotal: 100 kB\n", "proc/sys/vm/overcommit_memory": "0\n"}, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			for name, text := range c.files {
				write(t, root, name, text)
			}
			got := AllocCeilingFromRoot(root, c.as)
			if got.Bytes != c.want || (got.Bytes > 0) != (got.Source != "") {
				t.Errorf("got %d (%q), want %d", got.Bytes, got.Source, c.want)
			}
		})
	}
}

func TestSoftLimit(t *testing.T) {
	const mib = 1 << 20
	cases := []struct {
		name  string
		limit int64
		want  int64
	}{
		{"unknown", 0, 0},
		{"8 GiB job: a tenth kept back", 8 << 30, 8<<30 - (8<<30)/10},
		{"700 MiB: 70 MiB kept back", 700 * mib, 630 * mib},
		{"400 MiB: at least 64 MiB kept back", 400 * mib, 336 * mib},
		{"128 MiB: 64 left", 128 * mib, 64 * mib},
		{"100 MiB: too small to bother", 100 * mib, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := SoftLimit(Limit{Bytes: c.limit, Source: "x"}); got != c.want {
				t.Errorf("SoftLimit(%d) = %d, want %d", c.limit, got, c.want)
			}
		})
	}
}

func TestShare(t *testing.T) {
	job := Limit{8 << 30, "/sys/fs/cgroup/slurm/job_7/memory.max"}
	cases := []struct {
		spec    string
		l       Limit
		want    Limit
		wantErr string
	}{
		{"", job, job, ""},
		{"  ", job, job, ""},
		{"50%", job, Limit{4 << 30, "MHE_MEMORY_LIMIT=50% of /sys/fs/cgroup/slurm/job_7/memory.max"}, ""},
		{"12.5%", job, Limit{1 << 30, "MHE_MEMORY_LIMIT=12.5% of /sys/fs/cgroup/slurm/job_7/memory.max"}, ""},
		{"100%", job, Limit{8 << 30, "MHE_MEMORY_LIMIT=100% of /sys/fs/cgroup/slurm/job_7/memory.max"}, ""},
		{"50%", Limit{}, Limit{}, ""}, // a share of an unknown limit
		{"6GiB", job, Limit{6 << 30, "MHE_MEMORY_LIMIT=6GiB"}, ""},
		{"6G", job, Limit{6 << 30, "MHE_MEMORY_LIMIT=6G"}, ""},
		{"6g", job, Limit{6 << 30, "MHE_MEMORY_LIMIT=6g"}, ""},
		{"1.5T", Limit{}, Limit{3 << 39, "MHE_MEMORY_LIMIT=1.5T"}, ""},
		{"6000MB", job, Limit{6e9, "MHE_MEMORY_LIMIT=6000MB"}, ""},
		{"512 MiB", job, Limit{512 << 20, "MHE_MEMORY_LIMIT=512 MiB"}, ""},
		{"2097152", job, Limit{2 << 20, "MHE_MEMORY_LIMIT=2097152"}, ""},
		{"100K", Limit{}, Limit{}, "outside 1 MiB"},
		{"1MiB", Limit{}, Limit{1 << 20, "MHE_MEMORY_LIMIT=1MiB"}, ""}, // the edges of the range
		{"1048575", Limit{}, Limit{}, "outside 1 MiB"},
		{"1048575.99T", Limit{}, Limit{1152921493611730688, "MHE_MEMORY_LIMIT=1048575.99T"}, ""},
		{"1048576T", Limit{}, Limit{}, "outside 1 MiB to 1 EiB"},
		{"0.01220703125%", job, Limit{1 << 20, "MHE_MEMORY_LIMIT=0.01220703125% of /sys/fs/cgroup/slurm/job_7/memory.max"}, ""}, // 1 MiB of 8 GiB
		{"0.0122%", job, job, "is under 1 MiB"},
		{"16GiB", job, job, ""}, // above the cgroup's limit: that still applies
		{"8GiB", job, job, ""},
		{"0%", job, job, "above 0 and at most 100"},
		{"1e-300%", job, job, "is under 1 MiB"},
		{"150%", job, job, "above 0 and at most 100"},
		{"half%", job, job, "above 0 and at most 100"},
		{"6 gigs", job, job, "not a size"},
		{"GiB", job, job, "not a size"},
		{"-1G", job, job, "not a size"},
		{"1.2.3G", job, job, "not a size"},
	}
	for _, c := range cases {
		t.Run(c.spec, func(t *testing.T) {
			got, err := Share(c.l, "MHE_MEMORY_LIMIT", c.spec)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), "MHE_MEMORY_LIMIT") {
					t.Fatalf("Share(%q) error %v, want one with %q naming the variable", c.spec, err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("Share(%+v, %q) = %+v, %v; want %+v", c.l, c.spec, got, err, c.want)
			}
		})
	}
}

// FuzzShare: any MHE_MEMORY_LIMIT value gives an error or a limit no
// larger than a known detected one, never a panic; a value it accepts
// for a known limit gives a positive one.
func FuzzShare(f *testing.F) {
	for _, s := range []string{"", "50%", "12.5%", "6GiB", "6G", "1.5T", "6000MB", "512 MiB", "2097152", "0%", "1e9", "9999999999T", "%", ".%", "G", "1e-300%", "NaN%", "Inf%"} {
		f.Add(s)
	}
	job := Limit{8 << 30, "/sys/fs/cgroup/job/memory.max"}
	f.Fuzz(func(t *testing.T, spec string) {
		got, err := Share(job, "MHE_MEMORY_LIMIT", spec)
		if err != nil {
			if got != job || !strings.Contains(err.Error(), "MHE_MEMORY_LIMIT") {
				t.Fatalf("Share(%q) = %+v, %v: an error must leave the limit and name the variable", spec, got, err)
			}
			return
		}
		if got.Bytes <= 0 || got.Bytes > job.Bytes {
			t.Fatalf("Share(%q) = %+v, outside (0, %d]", spec, got, job.Bytes)
		}
	})
}

// TestIsRAM: only the machine's RAM, as this system reports it, counts as
// RAM; a cgroup's limit or a share of either does not.
func TestIsRAM(t *testing.T) {
	for _, c := range []struct {
		l    Limit
		want bool
	}{
		{Limit{Bytes: 24 << 30, Source: RAMSource}, true},
		{Limit{Bytes: 1 << 30, Source: "/sys/fs/cgroup/memory.max"}, false},
		{Limit{Bytes: 12 << 30, Source: "MHE_MEMORY_LIMIT=50% of " + RAMSource}, false},
		{Limit{}, false},
		{Limit{Source: RAMSource}, false},
	} {
		if got := c.l.IsRAM(); got != c.want {
			t.Errorf("%+v.IsRAM() = %v, want %v", c.l, got, c.want)
		}
	}
	if l := Get(); l.Bytes > 0 && l.Source != RAMSource && l.Source != ramSourceHere && !strings.HasPrefix(l.Source, "/sys/fs/cgroup/") {
		t.Errorf("Get() = %+v: a source that is neither the RAM nor a cgroup", l)
	}
}
