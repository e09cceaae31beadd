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
	"sync/atomic"
	"time"

	"github.com/mhe-xlc/mhe/internal/clock"
)

// Pool runs chunked loops on a fixed number of workers: the calling
// goroutine and up to Workers()-1 helper goroutines. A helper that has run
// a loop polls for the next one for spinFor, yielding its CPU to the
// kernel every pollsPerYield polls (so that it gives way to another
// process's threads on a busy machine), and then exits. The loops of a
// training step, microseconds apart, so start without creating goroutines
// or waking sleeping threads (on Bibtex with two threads that made
// training 15% faster), and an idle pool holds no goroutines.
//
// One goroutine at a time may call For (worker ids index shared scratch
// buffers); a For called inside a loop's fn runs serially, as worker 0. A
// panic in fn on the calling goroutine propagates from For, after which no
// further chunk of that loop starts and the pool is usable again (mhe's
// commands turn it into an internal-error message and exit code 1).
type Pool struct {
	workers int
	busy    atomic.Bool         // a loop is running (a nested one runs serially)
	job     atomic.Pointer[job] // the newest loop
	helpers atomic.Int32        // helper goroutines alive
}

// job is one For call.
type job struct {
	fn       func(worker, lo, hi int)
	n, chunk int
	chunks   int64
	workers  int32
	next     atomic.Int64 // next chunk to claim
	done     atomic.Int64 // chunks finished
	ids      atomic.Int32 // worker ids handed out (0 is the caller's)
}

// spinFor is how long an idle helper polls for the next loop before it
// exits, yielding the processor every pollsPerYield polls.
const (
	spinFor       = 200 * time.Microsecond
	pollsPerYield = 64
)

// NewPool returns a pool of n workers (0 = GOMAXPROCS: the CPUs this process may use).
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
// varies, so fn's result must depend on lo and hi alone. For returns when
// every chunk has run.
func (p *Pool) For(n, chunk int, fn func(worker, lo, hi int)) {
	if n <= 0 {
		return
	}
	if chunk < 1 {
		chunk = 1
	}
	chunks := (n + chunk - 1) / chunk
	w := min(p.workers, chunks)
	if w <= 1 || !p.busy.CompareAndSwap(false, true) {
		for lo := 0; lo < n; lo += chunk {
			fn(0, lo, min(lo+chunk, n))
		}
		return
	}
	j := &job{fn: fn, n: n, chunk: chunk, chunks: int64(chunks), workers: int32(w)}
	j.ids.Store(1)
	p.job.Store(j)
	for h := p.helpers.Load(); h < int32(w-1); h = p.helpers.Load() {
		if p.helpers.CompareAndSwap(h, h+1) {
			go p.helper()
		}
	}
	finished := false
	defer func() {
		if !finished { // fn panicked in this goroutine: start no more chunks
			j.next.Store(j.chunks)
		}
		p.job.Store(nil) // new helpers find nothing; fn is freed once idle ones exit
		p.busy.Store(false)
	}()
	j.run(0)
	for spin := 0; j.done.Load() < j.chunks; spin++ {
		if spin%pollsPerYield == pollsPerYield-1 {
			yield()
		}
	}
	finished = true
}

// yield lets other goroutines run on this P (with fewer Ps than workers, the
// goroutine being waited for may need it) and other threads on this CPU.
func yield() {
	runtime.Gosched()
	osYield()
}

// run claims and runs chunks of j until none is left.
func (j *job) run(worker int) {
	for {
		c := j.next.Add(1) - 1
		if c >= j.chunks {
			return
		}
		lo := int(c) * j.chunk
		j.fn(worker, lo, min(lo+j.chunk, j.n))
		j.done.Add(1)
	}
}

// helper joins every loop it has not seen (each For publishes a new job)
// until none has come for spinFor.
func (p *Pool) helper() {
	var seen *job
	defer p.helpers.Add(-1)
	// A Stopwatch, not time.Now: on Windows Go's clock advances in steps of
	// up to 15.6 ms, and a helper would spin that long instead of spinFor.
	idle := clock.Start()
	for poll := 1; ; poll++ {
		j := p.job.Load()
		if j == nil || j == seen {
			if poll%pollsPerYield == 0 {
				if idle.Elapsed() > spinFor {
					return
				}
				yield()
			}
			continue
		}
		seen = j
		if id := j.ids.Add(1) - 1; id < j.workers {
			j.run(int(id))
		}
		idle = clock.Start()
	}
}
