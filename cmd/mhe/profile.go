package main

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/pprof"

	"github.com/mhe-xlc/mhe/internal/atomicfile"
)

// profiler writes the Go CPU and heap profiles that --cpuprofile and
// --memprofile ask for (read them with `go tool pprof mhe FILE`). The CPU
// profile covers the whole command, failures included; the heap profile is
// taken when the command ends. Both files are written atomically.
type profiler struct {
	cpuPath, memPath string
	cpu              *atomicfile.File
}

// start begins CPU profiling if asked. A file that cannot be created is a
// usage error: nothing has run yet.
func (p *profiler) start() error {
	if err := checkOutputFile("memprofile", p.memPath); err != nil {
		return err
	}
	if p.cpuPath == "" {
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
	var errs []error
	if p.cpu != nil {
		pprof.StopCPUProfile()
		if err := p.cpu.Commit(); err != nil {
			errs = append(errs, fmt.Errorf("--cpuprofile: %w", err))
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
		}
	}
	return errors.Join(errs...)
}
