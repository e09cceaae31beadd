package main

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/pprof"
	"sync"

	"github.com/mhe-xlc/mhe/internal/atomicfile"
)

// profiler writes the Go CPU and heap profiles that --cpuprofile and
// --memprofile ask for (read them with `go tool pprof mhe FILE`). The CPU
// profile covers the whole command, failures and interruptions included
// (profiling a slow command and stopping it with Ctrl-C is a common way to
// use it); the heap profile is taken when the command ends. Both files are
// written atomically. stop may be called from two goroutines (the command's
// end and a signal's); the first call writes the profiles.
type profiler struct {
	cpuPath, memPath string
	mu               sync.Mutex
	cpu              *atomicfile.File
	stopped          bool
	files            []string // the profiles stop wrote
}

// start begins CPU profiling if asked. A file that cannot be created is a
// usage error: nothing has run yet.
func (p *profiler) start() error {
	if err := checkOutputFile("--memprofile", p.memPath); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cpuPath == "" || p.stopped {
		return nil
	}
	f, err := atomicfile.Create(p.cpuPath, 0o644)
	if err != nil {
		return usageError{fmt.Errorf("--cpuprofile: %w", err)}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Abort()
		return usageError{fmt.Errorf("--cpuprofile %s: %w", p.cpuPath, err)}
	}
	p.cpu = f
	return nil
}

// stop ends CPU profiling and writes the heap profile; it returns the first
// error in writing either.
func (p *profiler) stop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return nil
	}
	p.stopped = true
	var errs []error
	if p.cpu != nil {
		pprof.StopCPUProfile()
		if err := p.cpu.Commit(); err != nil {
			errs = append(errs, fmt.Errorf("--cpuprofile: %w", err))
		} else {
			p.files = append(p.files, p.cpuPath)
		}
		p.cpu = nil
	}
	if p.memPath != "" {
		runtime.GC() // up-to-date statistics of live objects
		err := atomicfile.WriteFile(p.memPath, 0o644, func(w io.Writer) error {
			return pprof.Lookup("heap").WriteTo(w, 0)
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("--memprofile: %w", err))
		} else {
			p.files = append(p.files, p.memPath)
		}
	}
	return errors.Join(errs...)
}

// written lists the profiles stop wrote.
func (p *profiler) written() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.files
}
