package train

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"sync/atomic"
)

// fileHash is the sha256 of a file, computed by a goroutine of its own so
// that hashing a data file for the run record overlaps parsing it (the file
// is read twice, but the second read no longer adds to the wall time).
type fileHash struct {
	stop atomic.Bool
	done chan struct{}
	sum  string
	err  error
}

// errHashCancelled is wait's error after cancel stopped the hashing.
var errHashCancelled = errors.New("hashing cancelled")

// hashLater starts hashing path.
func hashLater(path string) *fileHash {
	h := &fileHash{done: make(chan struct{})}
	go func() {
		defer close(h.done)
		h.sum, h.err = h.run(path)
	}()
	return h
}

func (h *fileHash) run(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	d := sha256.New()
	buf := make([]byte, 1<<20)
	for {
		if h.stop.Load() {
			return "", errHashCancelled
		}
		n, err := f.Read(buf)
		d.Write(buf[:n])
		if errors.Is(err, io.EOF) {
			return hex.EncodeToString(d.Sum(nil)), nil
		}
		if err != nil {
			return "", err
		}
	}
}

// wait returns the file's sha256 (hex).
func (h *fileHash) wait() (string, error) {
	<-h.done
	return h.sum, h.err
}

// cancel stops the hashing if it has not finished (after a parse error,
// say) and waits for its goroutine; the sum is then unusable.
func (h *fileHash) cancel() {
	h.stop.Store(true)
	<-h.done
}
