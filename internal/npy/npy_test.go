package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/testutil"
)

// memFile is an in-memory io.Writer + io.WriterAt.
type memFile struct{ b []byte }

func (m *memFile) Write(p []byte) (int, error) { m.b = append(m.b, p...); return len(p), nil }
func (m *memFile) WriteAt(p []byte, off int64) (int, error) {
	copy(m.b[off:], p)
	return len(p), nil
}

func TestRoundTrip(t *testing.T) {
	for _, rows := range []int{0, 1, 3, 1000} {
		var f memFile
		w, err := NewWriter(&f, 3, -1)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			if err := w.Write([]float32{float32(i), -0.5, 1e-30}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Finish(&f); err != nil {
			t.Fatal(err)
		}
		if hl := 10 + int(f.b[8]) + int(f.b[9])<<8; hl%64 != 0 {
			t.Errorf("header length %d is not a multiple of 64", hl)
		}
		r, c, data, err := Read(bytes.NewReader(f.b))
		if err != nil {
			t.Fatal(err)
		}
		if r != rows || c != 3 || len(data) != 3*rows {
			t.Fatalf("read %d × %d (%d values), want %d × 3", r, c, len(data), rows)
		}
		for i := range rows {
			if data[3*i] != float32(i) || data[3*i+1] != -0.5 || data[3*i+2] != 1e-30 {
				t.Fatalf("row %d = %v", i, data[3*i:3*i+3])
			}
		}
	}
}

// Told the row count up front, a writer writes the same bytes as one that
// rewrites its header, without seeking: to a plain io.Writer (a pipe), with
// Finish(nil). A count that turns out wrong is an error there, and is
// rewritten in a file.
func TestDeclaredRows(t *testing.T) {
	var want memFile
	w, _ := NewWriter(&want, 2, -1)
	w.Write([]float32{1, 2.5})
	w.Write([]float32{-3, 0})
	w.Finish(&want)
	var pipe bytes.Buffer
	w, _ = NewWriter(&pipe, 2, 2)
	w.Write([]float32{1, 2.5})
	w.Write([]float32{-3, 0})
	if err := w.Finish(nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pipe.Bytes(), want.b) {
		t.Errorf("declared rows: bytes differ:\n%q\n%q", pipe.Bytes(), want.b)
	}
	pipe.Reset()
	w, _ = NewWriter(&pipe, 2, 3)
	w.Write([]float32{1, 2.5})
	if err := w.Finish(nil); err == nil {
		t.Error("1 row written under a header of 3, unrewritable: no error")
	}
	var f memFile
	w, _ = NewWriter(&f, 2, 3)
	w.Write([]float32{1, 2.5})
	if err := w.Finish(&f); err != nil {
		t.Fatal(err)
	}
	if r, _, _, err := Read(bytes.NewReader(f.b)); err != nil || r != 1 {
		t.Errorf("rewritten header: %d rows, %v", r, err)
	}
}

// The golden file is what numpy writes for np.array([[1, 2.5], [-3, 0]],
// dtype='<f4') apart from the padded row count, which numpy parses too.
func TestGolden(t *testing.T) {
	var f memFile
	w, _ := NewWriter(&f, 2, -1)
	w.Write([]float32{1, 2.5})
	w.Write([]float32{-3, 0})
	if err := w.Finish(&f); err != nil {
		t.Fatal(err)
	}
	testutil.CheckGolden(t, "2x2.npy", f.b)
}

func TestReadRejects(t *testing.T) {
	var f memFile
	w, _ := NewWriter(&f, 2, -1)
	w.Write([]float32{1, 2})
	w.Finish(&f)
	good := f.b
	for name, b := range map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("xNUMPY"), good[6:]...),
		"truncated": good[:len(good)-1],
		"f8":        bytes.Replace(good, []byte("<f4"), []byte("<f8"), 1),
		"fortran":   bytes.Replace(good, []byte("False"), []byte("True "), 1),
	} {
		if _, _, _, err := Read(bytes.NewReader(b)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzRead(f *testing.F) {
	var m memFile
	w, _ := NewWriter(&m, 2, -1)
	w.Write([]float32{1, 2})
	w.Finish(&m)
	f.Add(m.b)
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, cols, data, err := Read(bytes.NewReader(b))
		if err == nil && len(data) != rows*cols {
			t.Fatalf("%d values for %d × %d", len(data), rows, cols)
		}
	})
}

// rawNPY is a version 2.0 file with the given header dictionary padded by
// pad spaces, followed by data.
func rawNPY(dict string, pad int, data []byte) []byte {
	h := dict + strings.Repeat(" ", pad) + "\n"
	b := append([]byte(magic), 2, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(h)))
	return append(append(b, h...), data...)
}

// Read's limits at their edges: a header of 1 MiB, and a shape of exactly
// 2^31 − 1 values over few bytes (refused for its missing data, not its
// shape); one byte or one row more is refused as such. A writer needs a
// column.
func TestReadLimits(t *testing.T) {
	dict := func(rows, cols int) string {
		return fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", rows, cols)
	}
	eight := make([]byte, 8)
	d := dict(1, 2)
	for _, c := range []struct {
		name string
		b    []byte
		want string // "" = accepted
	}{
		{"header of 1 MiB", rawNPY(d, 1<<20-len(d)-1, eight), ""},
		{"header past 1 MiB", rawNPY(d, 1<<20-len(d), eight), "header of 1048577 bytes"},
		{"no rows", rawNPY(dict(0, 2), 0, nil), ""},
		{"no columns", rawNPY(dict(5, 0), 0, nil), ""},
		{"2^31-1 values", rawNPY(dict(math.MaxInt32/2, 2), 0, eight), "1073741823 × 2 values announced, data ends early"},
		{"past 2^31-1 values", rawNPY(dict(math.MaxInt32/2+1, 2), 0, eight), "shape (1073741824, 2)"},
		{"negative rows", rawNPY(dict(-1, 2), 0, eight), "header"},
	} {
		rows, cols, data, err := Read(bytes.NewReader(c.b))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want == "" && len(data) != rows*cols:
			t.Errorf("%s: %d values for %d × %d", c.name, len(data), rows, cols)
		case c.want != "" && (!errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want a format error with %q", c.name, err, c.want)
		}
	}
	if _, err := NewWriter(io.Discard, 0, -1); err == nil {
		t.Error("a writer of 0 columns was made")
	}
	if _, err := NewWriter(io.Discard, 1, -1); err != nil {
		t.Errorf("a writer of 1 column: %v", err)
	}
}
