package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mhe-xlc/mhe/internal/testutil"
)

func TestWriteFileReplacesOrKeeps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")
	if err := WriteFile(path, 0o644, func(w io.Writer) error { _, err := io.WriteString(w, "old"); return err }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFile(path, 0o644, func(w io.Writer) error {
		io.WriteString(w, "half of the new")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "old" {
		t.Errorf("failed write changed the file: %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if err := WriteFile(path, 0o600, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(path)
	st, _ := os.Stat(path)
	if string(got) != "new" || (runtime.GOOS != "windows" && st.Mode().Perm() != 0o600) { // Windows has no permission bits
		t.Errorf("got %q mode %v", got, st.Mode())
	}
}

// A write that fails on the temporary file is reported with the name the
// caller gave, not the temporary one, and leaves nothing behind.
func TestWriteFileErrorNamesTarget(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pred.txt")
	err := WriteFile(path, 0o644, func(w io.Writer) error {
		w.(*File).File.Close() // the next write fails, as on a full disk
		_, err := io.WriteString(w, "x")
		return err
	})
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != path {
		t.Errorf("err = %v, want a path error naming %s", err, path)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// A target the rename cannot replace (a directory) fails the commit, and
// the temporary file goes.
func TestCommitOntoDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	if err := os.MkdirAll(filepath.Join(path, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(path, 0o644, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err })
	if err == nil {
		t.Fatal("writing over a directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "out" || !entries[0].IsDir() {
		t.Errorf("after the failed commit the directory holds %v, want the directory out only", entries)
	}
}

func TestUnwritableDirectory(t *testing.T) {
	if _, err := Create(filepath.Join(t.TempDir(), "missing", "f.txt"), 0o644); err == nil {
		t.Error("creating in a missing directory should fail")
	}
}

// A symbolic link to a file stays a link: the file it names is replaced.
func TestWriteFileThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.txt")
	link := filepath.Join(dir, "link.txt")
	if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	testutil.Symlink(t, real, link)
	if Special(link) || Special(real) {
		t.Error("a link to a file, or a file, counts as special")
	}
	if err := WriteFile(link, 0o644, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v, %v", st.Mode(), err)
	}
	if got, _ := os.ReadFile(real); string(got) != "new" {
		t.Errorf("the linked file holds %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// RemovePending removes the temporary files of unfinished writes, and only
// theirs: a committed write stays, the target of a pending one is as it was.
// resumeWrites undoes RemovePending's stop, for the tests after it.
func resumeWrites(t *testing.T) {
	t.Cleanup(func() {
		pending.Lock()
		pending.stopped = false
		pending.Unlock()
	})
}

func TestRemovePending(t *testing.T) {
	resumeWrites(t)
	dir := t.TempDir()
	done := filepath.Join(dir, "done.txt")
	if err := WriteFile(done, 0o644, func(w io.Writer) error { _, err := io.WriteString(w, "kept"); return err }); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "old.txt")
	os.WriteFile(old, []byte("old"), 0o644)
	f, err := Create(old, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(f, "half of the new")
	g, err := Create(filepath.Join(dir, "new.txt"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	RemovePending()
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 2 || names[0] != "done.txt" || names[1] != "old.txt" {
		t.Errorf("files after RemovePending: %v, want done.txt and old.txt", names)
	}
	if b, _ := os.ReadFile(old); string(b) != "old" {
		t.Errorf("the pending write's target holds %q", b)
	}
	if err := f.Commit(); err == nil {
		t.Error("a write whose temporary file was removed committed")
	}
	g.Abort()
}

// A signal can come while writes are being begun: every temporary file
// that Create made is removed by RemovePending, whatever the interleaving,
// and no Create succeeds after it.
func TestRemovePendingWhileCreating(t *testing.T) {
	resumeWrites(t)
	dir := t.TempDir()
	var wg sync.WaitGroup
	var made atomic.Int64
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				f, err := Create(filepath.Join(dir, fmt.Sprintf("w%d-%d.txt", w, i)), 0o644)
				if errors.Is(err, ErrStopped) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				made.Add(1)
				io.WriteString(f, "half")
			}
		}()
	}
	for made.Load() < 200 {
		runtime.Gosched()
	}
	RemovePending()
	wg.Wait()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("%d files left after RemovePending (of %d begun), e.g. %s", len(entries), made.Load(), entries[0].Name())
	}
	if _, err := Create(filepath.Join(dir, "late.txt"), 0o644); !errors.Is(err, ErrStopped) {
		t.Errorf("Create after RemovePending: %v, want ErrStopped", err)
	}
}

// TempTarget recognises the temporary files Create makes, and only them.
func TestTempTarget(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "weights-pending.bin"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	if got, ok := TempTarget(filepath.Base(f.Name())); !ok || got != "weights-pending.bin" {
		t.Errorf("TempTarget(%q) = %q, %v; want weights-pending.bin", filepath.Base(f.Name()), got, ok)
	}
	for name, want := range map[string]string{
		".manifest.json.tmp-123":   "manifest.json",
		".a.tmp-1.tmp-22":          "a.tmp-1",
		"..hidden.tmp-7":           ".hidden",
		".a.tmp-1":                 "a", // a one-letter target
		"manifest.json.tmp-123":    "",  // no leading dot
		".manifest.json.tmp-":      "",  // no digits
		".manifest.json.tmp-12x":   "",
		".tmp-123":                 "", // no target
		".manifest.json":           "",
		"weights-0123456789ab.bin": "",
		// Tagged with the writer: P<pid>H<8 hex digits of the host>-.
		".pred.txt.tmp-P123Hdeadbeef-456":     "pred.txt",
		".weights-ab.bin.tmp-P9H0000000a-1":   "weights-ab.bin",
		".pred.txt.tmp-P123Hdeadbee-456":      "", // 7 hex digits
		".pred.txt.tmp-P123HDEADBEEF-456":     "", // upper case
		".pred.txt.tmp-PxHdeadbeef-456":       "", // no pid
		".pred.txt.tmp-P0Hdeadbeef-456":       "",
		".pred.txt.tmp-P123Hdeadbeef-":        "", // no digits
		".pred.txt.tmp-123Hdeadbeef-456":      "",
		".pred.txt.tmp-P123Hdeadbeef-45-6":    "",
		".pred.txt.tmp-P123Hdeadbeefdead-456": "",
	} {
		got, ok := TempTarget(name)
		if ok != (want != "") || got != want {
			t.Errorf("TempTarget(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

// A temporary file exists only while its write is pending: Abort and
// Commit remove or rename it under the lock RemovePending takes. (Abort
// once dropped the write from the pending set and removed the file after:
// a signal between the two exited with the file left, as a probe of mhe's
// output check was in CI.) Writers begin, abort and commit writes while
// the test, holding the lock as RemovePending would, looks at the
// directory.
func TestNoTemporaryFileOutsidePending(t *testing.T) {
	dir := t.TempDir()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				f, err := Create(filepath.Join(dir, fmt.Sprintf("w%d.txt", w)), 0o644)
				if err != nil {
					t.Error(err)
					return
				}
				io.WriteString(f, "data")
				if i%2 == 0 {
					f.Abort()
				} else if err := f.Commit(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	var seen int
	defer func() {
		close(stop)
		wg.Wait()
		t.Logf("%d pending temporary files seen", seen)
	}()
	for range 3000 {
		pending.Lock()
		names := map[string]bool{}
		for f := range pending.files {
			names[filepath.Base(f.Name())] = true
		}
		entries, _ := os.ReadDir(dir)
		pending.Unlock()
		for _, e := range entries {
			if _, ok := TempTarget(e.Name()); ok {
				seen++
				if !names[e.Name()] {
					t.Errorf("%s exists, and its write is no longer pending", e.Name())
					return
				}
			}
		}
		runtime.Gosched()
	}
}
