package data

import (
	"bytes"
	"os"
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
