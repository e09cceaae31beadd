package data

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// gzipped compresses b, in members gzip streams one after another.
func gzipped(t *testing.T, b []byte, members int) []byte {
	t.Helper()
	var out bytes.Buffer
	for i := range members {
		lo, hi := i*len(b)/members, (i+1)*len(b)/members
		zw := gzip.NewWriter(&out)
		if _, err := zw.Write(b[lo:hi]); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

// readRandomly reads r to its end in reads of random sizes (1 byte to 100 KB,
// as different callers ask), returning the bytes and the error that ended
// them.
func readRandomly(r io.Reader, rng *rand.Rand) ([]byte, error) {
	var out []byte
	buf := make([]byte, 100<<10)
	for {
		n, err := r.Read(buf[:1+rng.IntN(len(buf))])
		out = append(out, buf[:n]...)
		if err != nil {
			return out, err
		}
	}
}

// TestReadAheadSameBytes: a gzip file opened by Open (decompressed ahead on
// another goroutine) reads as the same bytes, with the same ending, as the
// gzip stream itself, whatever the size against the chunks (empty, one
// byte, a chunk exactly, a chunk and a byte, many chunks) and with several
// gzip members.
func TestReadAheadSameBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dir := t.TempDir()
	for _, size := range []int{0, 1, aheadReadSize, aheadChunkSize - 1, aheadChunkSize, aheadChunkSize + 1, 3*aheadChunkSize + 12345, (aheadDepth + 3) * aheadChunkSize} {
		for _, members := range []int{1, 3} {
			text := make([]byte, size)
			for i := range text {
				text[i] = "0123456789 :\n"[rng.IntN(13)]
			}
			path := filepath.Join(dir, "d.gz")
			if err := os.WriteFile(path, gzipped(t, text, members), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if g, ok := f.(gzipReadCloser); !ok || g.ahead == nil {
				t.Fatalf("size %d: Open of a regular gzip file did not read ahead (%T)", size, f)
			}
			got, err := readRandomly(f, rng)
			if err != io.EOF || !bytes.Equal(got, text) {
				t.Errorf("size %d, %d members: %d bytes (want %d), equal %v, ending %v", size, members, len(got), len(text), bytes.Equal(got, text), err)
			}
			if n, err := f.Read(make([]byte, 10)); n != 0 || err != io.EOF {
				t.Errorf("size %d: a read after the end gave %d, %v", size, n, err)
			}
			if done, total := f.(progressReader).Progress(); done != total {
				t.Errorf("size %d: progress at the end %d of %d", size, done, total)
			}
			if err := f.Close(); err != nil {
				t.Error(err)
			}
		}
	}
}

// TestReadAheadDamage: a truncated or corrupt gzip file gives the reader
// the same bytes and then the same error as reading the stream without
// read-ahead (standard input's path), and a data file's parse error names
// it the same way.
func TestReadAheadDamage(t *testing.T) {
	text := []byte(strings.Repeat("1,2 0:1 5:0.5 7:2\n", 40000)) // 720 KB, about three chunks
	whole := gzipped(t, text, 1)
	corrupt := bytes.Clone(whole)
	corrupt[len(corrupt)/2] ^= 0x55
	crc := bytes.Clone(whole)
	crc[len(crc)-6] ^= 1 // the CRC-32 in the trailer
	dir := t.TempDir()
	for name, b := range map[string][]byte{"truncated": whole[:len(whole)*2/3], "corrupt": corrupt, "crc": crc, "trailer cut": whole[:len(whole)-3]} {
		path := filepath.Join(dir, name+".gz")
		os.WriteFile(path, b, 0o644)
		f, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		got, gotErr := readRandomly(f, rand.New(rand.NewPCG(3, 4)))
		f.Close()
		plain, err := OpenReader(io.NopCloser(bytes.NewReader(b)), name)
		if err != nil {
			t.Fatal(err)
		}
		want, wantErr := io.ReadAll(plain)
		if wantErr == nil {
			wantErr = io.EOF
		}
		if !bytes.Equal(got, want) || gotErr == nil || gotErr.Error() != wantErr.Error() {
			t.Errorf("%s: read ahead %d bytes, %v; without %d bytes, %v", name, len(got), gotErr, len(want), wantErr)
		}
		if gotErr == io.EOF {
			t.Errorf("%s: the damage went unnoticed", name)
		}
		// Parsed, the file fails with a message that says what to do
		// (a corrupt stream may first give text that fails to parse).
		_, err = ReadFile(path, ReadOptions{Format: FormatLibSVM})
		if name == "corrupt" {
			if !errors.Is(err, ErrInput) {
				t.Errorf("%s: parse error %v", name, err)
			}
			continue
		}
		if !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), "copy or download it again") {
			t.Errorf("%s: parse error %v", name, err)
		}
	}
}

// TestReadAheadClose: closing a file before its end stops the goroutine
// that decompresses it, whether it is waiting for a free buffer or not yet
// started on one.
func TestReadAheadClose(t *testing.T) {
	text := bytes.Repeat([]byte("0 1:1 2:1 3:1\n"), 300000) // 4.2 MB, 16 chunks
	path := filepath.Join(t.TempDir(), "d.gz")
	os.WriteFile(path, gzipped(t, text, 1), 0o644)
	before := runtime.NumGoroutine()
	for _, read := range []int{0, 1, aheadChunkSize, 5 * aheadChunkSize} {
		f, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(f, make([]byte, read)); err != nil {
			t.Fatal(err)
		}
		closed := make(chan error)
		go func() { closed <- f.Close() }()
		select {
		case err := <-closed:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Close after %d bytes did not return", read)
		}
	}
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after closing, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(time.Millisecond)
	}
}

// FuzzReadAheadGzip: a gzip stream damaged anywhere (a byte changed, the
// end cut) reads the same, bytes and ending, from a file on disk (read
// ahead on another goroutine) as from a stream (read directly). The text
// is repeated up to 4,096 times, so that the damage can fall in any of
// several chunks while the fuzzer mutates a short input.
func FuzzReadAheadGzip(f *testing.F) {
	f.Add([]byte("1 2 2\n0 1:1\n"), uint16(0), uint32(0), byte(0), uint16(0))
	f.Add([]byte("3 0:1 7:0.25\n"), uint16(4000), uint32(100), byte(0x40), uint16(20))
	f.Add([]byte("x"), uint16(3000), uint32(70000), byte(1), uint16(3))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, text []byte, repeat uint16, at uint32, flip byte, cut uint16) {
		if len(text) > 1024 {
			return
		}
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(bytes.Repeat(text, 1+int(repeat)%4096))
		zw.Close()
		b := z.Bytes()
		b[int(at)%len(b)] ^= flip
		b = b[:len(b)-min(int(cut), len(b))]
		path := filepath.Join(dir, "f.gz")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		var got, want []byte
		var gotErr, wantErr error
		if r, err := Open(path); err != nil {
			gotErr = err
		} else {
			got, gotErr = io.ReadAll(r)
			r.Close()
		}
		if r, err := OpenReader(io.NopCloser(bytes.NewReader(b)), path); err != nil {
			wantErr = err
		} else {
			want, wantErr = io.ReadAll(r)
			r.Close()
		}
		if !bytes.Equal(got, want) || (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
			t.Fatalf("read ahead: %d bytes, %v; directly: %d bytes, %v", len(got), gotErr, len(want), wantErr)
		}
	})
}
