package data

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mhe-xlc/mhe/internal/testutil"
)

// BenchmarkParseDelicious measures single-threaded parse throughput (MB/s)
// of the Delicious training file, read from memory.
func BenchmarkParseDelicious(b *testing.B) {
	raw, err := os.ReadFile(testutil.DataFile(b, "Delicious/delicious_train.txt"))
	if err != nil {
		b.Fatal(err)
	}
	benchParse(b, raw, ReadOptions{Format: FormatXC})
}

// BenchmarkParseRCV1 covers tf-idf values with 6 decimals (the float path).
func BenchmarkParseRCV1(b *testing.B) {
	f, err := Open(testutil.DataFile(b, "RCV1-Sub1/rcv1sub1_data.txt.gz"))
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		b.Fatal(err)
	}
	f.Close()
	benchParse(b, buf.Bytes(), ReadOptions{Format: FormatXC})
}

// BenchmarkReadFileRCV1 reads RCV1-Sub1's gzip file whole, as mhe train
// does: decompression (on its own goroutine) and parsing together.
func BenchmarkReadFileRCV1(b *testing.B) {
	path := testutil.DataFile(b, "RCV1-Sub1/rcv1sub1_data.txt.gz")
	for b.Loop() {
		if _, err := ReadFile(path, ReadOptions{Format: FormatXC}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRowReader measures the streaming reader alone (no CSR build):
// it must not allocate per row.
func BenchmarkRowReader(b *testing.B) {
	raw, err := os.ReadFile(testutil.DataFile(b, "Delicious/delicious_train.txt"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	var row Row
	for b.Loop() {
		rd, err := NewReader(bytes.NewReader(raw), "delicious", ReadOptions{Format: FormatXC})
		if err != nil {
			b.Fatal(err)
		}
		for rd.Read(&row) == nil {
		}
	}
}

func benchParse(b *testing.B, raw []byte, opt ReadOptions) {
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(bytes.NewReader(raw), "bench", opt); err != nil {
			b.Fatal(err)
		}
	}
}

// xcText writes an XC BoW file of n rows (about 20 features and 3 labels
// each, values with 6 decimals) from a fixed generator.
func xcText(n int) []byte {
	const features, labels = 100000, 5000
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%d %d %d\n", n, features, labels)
	x := uint64(1)
	next := func(m int) int {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return int(x % uint64(m))
	}
	for range n {
		l := next(labels - 3)
		fmt.Fprintf(&buf, "%d,%d,%d", l, l+1, l+2)
		f := 0
		for range 20 {
			f += 1 + next(features/25)
			if f >= features {
				break
			}
			fmt.Fprintf(&buf, " %d:0.%06d", f, next(1000000))
		}
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// BenchmarkReadLarge loads XC files of 10^4 to 10^6 rows: allocs/op grow
// only with the log of the size (the CSR arrays grow by append), never with
// the rows (nothing is allocated per row).
func BenchmarkReadLarge(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		raw := xcText(n)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			benchParse(b, raw, ReadOptions{Format: FormatXC})
		})
	}
}

// BenchmarkReadRowsBibtex loads Bibtex's test split (2,515 of the file's
// 7,395 rows, the others passed over unparsed) from the gzip file, as
// mhe predict and eval --model do.
func BenchmarkReadRowsBibtex(b *testing.B) {
	path := testutil.DataFile(b, "Bibtex/Bibtex_data.txt.gz")
	split := testutil.DataFile(b, "Bibtex/bibtex_tstSplit.txt")
	b.ReportAllocs()
	for b.Loop() {
		_, _, _, err := ReadRowsFile(path, ReadOptions{Format: FormatXC}, func(n int) ([]int, error) {
			return ReadSplit(split, 1, n)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadLabelsFile: the labels of 10^5 rows (what mhe eval reads of
// --truth and --train) against the whole dataset.
func BenchmarkReadLabelsFile(b *testing.B) {
	path := filepath.Join(b.TempDir(), "x.txt")
	raw := xcText(100_000)
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("labels", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ReadLabelsFile(path, "", 1, ReadOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("whole", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ReadFile(path, ReadOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
