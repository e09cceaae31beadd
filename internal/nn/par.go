// Package nn holds the numeric building blocks of mhe's models: a sparse
// input layer, dense layers in float32 (AVX products with gonum's bits), activations,
// optimisers with lazy row updates, and a deterministic parallel loop.
//
// Determinism: work is cut into chunks whose size does not depend on the
// number of workers, every output element is written by exactly one chunk,
// and every reduction runs in a fixed order, so results are bit-identical
// whatever the worker count.
package nn

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Pool runs chunked loops on a fixed number of workers.
type Pool struct {
	workers int
}

// NewPool returns a pool of n workers (0 = all CPUs).
func NewPool(n int) *Pool {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	return &Pool{workers: n}
}

// Workers is the number of workers.
func (p *Pool) Workers() int { return p.workers }

// For calls fn(worker, lo, hi) for consecutive chunks [lo, hi) of [0, n) of
// size chunk (the last may be shorter). worker in [0, Workers()) identifies
// the goroutine, for scratch buffers only: which worker runs which chunk
// varies, so fn's result must depend on lo and hi alone.
func (p *Pool) For(n, chunk int, fn func(worker, lo, hi int)) {
	if n <= 0 {
		return
	}
	if chunk < 1 {
		chunk = 1
	}
	chunks := (n + chunk - 1) / chunk
	w := min(p.workers, chunks)
	if w <= 1 {
		for lo := 0; lo < n; lo += chunk {
			fn(0, lo, min(lo+chunk, n))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(w)
	for id := range w {
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				lo := c * chunk
				fn(id, lo, min(lo+chunk, n))
			}
		}()
	}
	wg.Wait()
}
