// Package atomicfile writes files so that a reader, or a job killed halfway,
// sees the old file or the new one, never half of one: data goes to a
// temporary file in the target's directory, is synced, and is renamed over
// the target.
//
// A target that exists and is not a regular file (a device such as
// /dev/null, a named pipe, /dev/stdout when it is a pipe) is written in
// place: renaming over it would replace the device or pipe with a file.
// A symbolic link to a file keeps the link: the file it names is replaced.
package atomicfile

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// File is a pending atomic write. Write to it, then Commit (or Abort).
type File struct {
	*os.File
	path   string // the path the caller gave (for messages)
	target string // the file renamed over (path with symbolic links resolved)
	done   bool
	// direct: the target is a device or a pipe, written in place.
	direct bool
}

// Create starts an atomic write of path. The temporary file lives beside it
// (same file system, so the rename is atomic) and is named
// ".name.tmp-P<pid>H<host>-<digits>" (see writerTag). The temporary files of
// earlier writes of path that a process on this host killed with SIGKILL
// left behind are removed first (see removeOrphans).
// A device or a pipe is opened for writing instead (see the package
// documentation); opening a named pipe waits for its reader.
func Create(path string, perm os.FileMode) (*File, error) {
	if Special(path) {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
		return &File{File: f, path: path, target: path, direct: true}, nil
	}
	target := path
	if real, err := filepath.EvalSymlinks(path); err == nil {
		target = real
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	// The temporary file is created and registered under the lock that
	// RemovePending takes, so that a signal between the two cannot leave
	// it behind.
	pending.Lock()
	defer pending.Unlock()
	if pending.stopped {
		return nil, fmt.Errorf("create %s: %w", path, ErrStopped)
	}
	removeOrphans(dir, base)
	f, err := os.CreateTemp(dir, "."+base+tempInfix+writerTag()+"*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	af := &File{File: f, path: path, target: target}
	pending.files[af] = struct{}{}
	return af, nil
}

// tempInfix separates a temporary file's target name from the random
// digits os.CreateTemp appends.
const tempInfix = ".tmp-"

// TempTarget reports whether name (a base name) is that of a temporary file
// Create makes, ".NAME.tmp-P<pid>H<host>-DIGITS" (or ".NAME.tmp-DIGITS", as
// mhe named them before it tagged them with their writer), and the target
// NAME it was to become. A process killed by SIGKILL (the kernel's OOM
// killer, a scheduler's hard time limit) cannot remove its temporary files;
// whoever owns the directory can find them by this name.
func TempTarget(name string) (target string, ok bool) {
	target, _, _, ok = parseTemp(name)
	return target, ok
}

// parseTemp splits a temporary file's name into its target and its
// writer's pid and host tag (0 and "" for an untagged name).
func parseTemp(name string) (target string, pid int, host string, ok bool) {
	i := strings.LastIndex(name, tempInfix)
	if len(name) < 2 || name[0] != '.' || i < 2 {
		return "", 0, "", false
	}
	rest := name[i+len(tempInfix):]
	if tag, digits, tagged := strings.Cut(rest, "-"); tagged {
		p, h, found := strings.Cut(strings.TrimPrefix(tag, "P"), "H")
		n, err := strconv.Atoi(p)
		if !strings.HasPrefix(tag, "P") || !found || err != nil || n <= 0 || len(h) != 8 || strings.Trim(h, "0123456789abcdef") != "" {
			return "", 0, "", false
		}
		pid, host, rest = n, h, digits
	}
	if rest == "" || strings.Trim(rest, "0123456789") != "" {
		return "", 0, "", false
	}
	return name[1:i], pid, host, true
}

// writerTag marks this process's temporary files: "P<pid>H<host>-", host
// being hostTag. A later write of the same file can then tell a temporary
// file whose writer has died (on this host) from one another process is
// still writing.
var writerTag = sync.OnceValue(func() string {
	return fmt.Sprintf("P%dH%s-", os.Getpid(), hostTag())
})

// hostTag is 8 hex digits of an FNV-1a hash of the host name and, on
// Linux, the process's pid namespace: two containers with one host name
// but their own pids (where pid 7 here says nothing of pid 7 there) get
// different tags, so neither takes the other's files for orphans.
var hostTag = sync.OnceValue(func() string {
	name, _ := os.Hostname()
	ns, _ := os.Readlink("/proc/self/ns/pid")
	h := fnv.New32a()
	h.Write([]byte(name + "\x00" + ns))
	return fmt.Sprintf("%08x", h.Sum32())
})

// removeOrphans removes the temporary files of earlier writes of dir/base
// whose writer ran on this host and is gone: a prediction or data file
// whose job was SIGKILLed leaves one, as large as what it had written, and
// the job's rerun removes it. Another live process's temporary file, one
// from another host (a shared file system) and an untagged one are left:
// nothing here can tell that their writers have stopped.
func removeOrphans(dir, base string) {
	matches, _ := filepath.Glob(filepath.Join(dir, escapeGlob("."+base+tempInfix)+"P*"))
	self, host := os.Getpid(), hostTag()
	for _, m := range matches {
		target, pid, h, ok := parseTemp(filepath.Base(m))
		if ok && target == base && h == host && pid != self && processGone(pid) {
			os.Remove(m)
		}
	}
}

// escapeGlob quotes the characters filepath.Match gives a meaning to.
func escapeGlob(s string) string {
	if runtime.GOOS == "windows" {
		// "\\" separates paths there and cannot escape, and names hold no
		// "*" or "?": a class quotes "[".
		return strings.ReplaceAll(s, "[", "[[]")
	}
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "?", `\?`, "[", `\[`).Replace(s)
}

// ErrStopped: RemovePending was called, and no write may begin after it.
var ErrStopped = errors.New("atomicfile: the process is stopping; no file may be written")

// pending are the writes begun and not yet committed or aborted; stopped
// is set by RemovePending.
var pending = struct {
	sync.Mutex
	files   map[*File]struct{}
	stopped bool
}{files: map[*File]struct{}{}}

// discard removes the temporary file, unless RemovePending already has.
// Both happen under the lock RemovePending takes: a file that is no longer
// pending must no longer exist, or a signal between the two would let the
// process exit with it left behind (a probe of checkOutputFile was, once).
func (f *File) discard() {
	pending.Lock()
	defer pending.Unlock()
	if _, ok := pending.files[f]; ok {
		os.Remove(f.Name())
		delete(pending.files, f)
	}
}

// RemovePending removes the temporary files of every write not yet
// committed or aborted, for a process about to exit on a signal: it leaves
// each target as it was, and nothing beside it. The writes cannot be
// committed afterwards, and Create fails from then on (ErrStopped), so a
// write begun while the process exits leaves nothing either.
func RemovePending() {
	pending.Lock()
	defer pending.Unlock()
	pending.stopped = true
	for f := range pending.files {
		if os.Remove(f.Name()) != nil {
			// Windows removes no file that is open without share-delete
			// access, as Go opens files: close it first. A write to it
			// in progress then fails, as its commit would.
			f.File.Close()
			os.Remove(f.Name())
		}
		delete(pending.files, f)
	}
}

// Special reports whether path exists and is neither a regular file nor a
// directory (after symbolic links): a device or a pipe, which Create
// writes in place.
func Special(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.Mode().IsRegular() && !st.IsDir()
}

// Commit syncs the data and renames the temporary file over the target.
func (f *File) Commit() error {
	if f.done {
		return errors.New("atomicfile: already committed or aborted")
	}
	f.done = true
	if f.direct {
		// Devices and pipes cannot be synced (fsync fails on them).
		if err := f.File.Close(); err != nil {
			return fmt.Errorf("write %s: %w", f.path, err)
		}
		return nil
	}
	if err := f.Sync(); err != nil {
		f.File.Close()
		f.discard()
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if err := f.File.Close(); err != nil {
		f.discard()
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if err := f.rename(); err != nil {
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	syncDir(filepath.Dir(f.target))
	return nil
}

// rename moves the temporary file over the target, under the lock
// RemovePending takes: either the target is written before RemovePending
// runs, or RemovePending removes the temporary file and the write fails
// with ErrStopped. Never both, and never neither.
func (f *File) rename() error {
	pending.Lock()
	defer pending.Unlock()
	if _, ok := pending.files[f]; !ok {
		return ErrStopped
	}
	delete(pending.files, f)
	if err := os.Rename(f.Name(), f.target); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// Abort discards the write; the target is untouched (a device or a pipe
// has had what was written to it). Safe after Commit.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	if !f.direct {
		f.discard()
	}
}

// WriteFile writes path atomically with the bytes fn writes.
func WriteFile(path string, perm os.FileMode, fn func(w io.Writer) error) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Abort()
		// Name the file the user asked for, not the temporary one.
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Path == f.Name() && !f.direct {
			pe.Path = path
		}
		return err
	}
	return f.Commit()
}

// syncDir makes a rename durable; errors are ignored (not every file system
// supports syncing directories).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
