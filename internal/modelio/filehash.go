package modelio

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"sync/atomic"
)

// SHA256File returns the hex sha256 of a file's bytes.
func SHA256File(path string) (string, error) {
	return sha256File(path, nil)
}

// sha256File hashes path, giving up with errHashCancelled once stop (if
// not nil) is set.
func sha256File(path string, stop *atomic.Bool) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	for {
		if stop != nil && stop.Load() {
			return "", errHashCancelled
		}
		n, err := f.Read(buf)
		h.Write(buf[:n])
		if errors.Is(err, io.EOF) {
			return hex.EncodeToString(h.Sum(nil)), nil
		}
		if err != nil {
			return "", err
		}
	}
}

// FileHash is SHA256File computed by a goroutine of its own, so that
// hashing a data file (for a run record, or to recognise a model's training
// file) overlaps parsing it: the file is read twice, but the second read no
// longer adds to the wall time.
type FileHash struct {
	stop atomic.Bool
	done chan struct{}
	sum  string
	err  error
}

// errHashCancelled is Wait's error after Cancel stopped the hashing.
var errHashCancelled = errors.New("hashing cancelled")

// HashLater starts hashing path; call Wait for the sum, or Cancel.
func HashLater(path string) *FileHash {
	h := &FileHash{done: make(chan struct{})}
	go func() {
		defer close(h.done)
		h.sum, h.err = sha256File(path, &h.stop)
	}()
	return h
}

// Wait returns the file's sha256 (hex).
func (h *FileHash) Wait() (string, error) {
	<-h.done
	return h.sum, h.err
}

// Cancel stops the hashing if it has not finished (after a parse error,
// say) and waits for its goroutine; the sum is then unusable.
func (h *FileHash) Cancel() {
	h.stop.Store(true)
	<-h.done
}
