package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/testutil"
	"github.com/mhe-xlc/mhe/internal/train"
)

// A long pass over rows says how far it is every few seconds (plain lines
// when stderr is not a terminal); a short one, or a quiet one, says nothing.
func TestRowProgress(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tick := func(p *rowProgress, rows int, step time.Duration) {
		for range rows {
			clock = clock.Add(step)
			p.add(1)
		}
	}
	newAt := func(w *bytes.Buffer, tty, quiet bool, total int64) *rowProgress {
		p := newRowProgress(w, tty, quiet, "predict", total)
		if p != nil {
			p.now = func() time.Time { return clock }
			p.start = clock
		}
		return p
	}

	var out bytes.Buffer
	p := newAt(&out, false, false, 1000)
	tick(p, 400, 10*time.Millisecond) // 4 s: nothing yet
	if out.Len() != 0 {
		t.Errorf("a pass of 4 s printed %q", out.String())
	}
	tick(p, 600, 10*time.Millisecond) // 10 s in all: lines at 5 s and 10 s
	p.finish()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{"predict: 500/1000 rows  100 rows/s  ETA 5s", "predict: 1000/1000 rows  100 rows/s  ETA 0s"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("lines %q, want %q", lines, want)
	}

	out.Reset()
	p = newAt(&out, false, false, -1) // stdin: no row count
	tick(p, 700, 10*time.Millisecond)
	if got := strings.TrimSpace(out.String()); got != "predict: 500 rows  100 rows/s" {
		t.Errorf("unknown total: %q", got)
	}

	out.Reset()
	p = newAt(&out, true, false, 1000) // a terminal: a bar after 1 s, cleared at the end
	tick(p, 300, 10*time.Millisecond)
	if !strings.Contains(out.String(), "predict") || !strings.Contains(out.String(), "/1000") {
		t.Errorf("no bar on a terminal: %q", out.String())
	}
	p.finish()

	out.Reset()
	p = newAt(&out, true, false, -1) // a terminal, no row count: a spinner that counts
	tick(p, 300, 10*time.Millisecond)
	if !strings.Contains(out.String(), "predict") || !strings.Contains(out.String(), "/-") {
		t.Errorf("no spinner on a terminal for a pass of unknown length: %q", out.String())
	}
	p.finish()

	out.Reset()
	p = newAt(&out, false, true, 1000) // --quiet
	tick(p, 1000, 10*time.Millisecond)
	p.finish()
	p.Add(nil, nil, nil)
	if out.Len() != 0 {
		t.Errorf("--quiet printed %q", out.String())
	}
}

// TestReadProgress: a data file that loads for a while is reported every
// 5 s (a plain line) or as a bar on a terminal; a short one, the end of a
// file and --quiet print nothing.
func TestReadProgress(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const mib = 1 << 20
	feed := func(p *progress, file string, size int64, seconds int) {
		for s := 0; s <= seconds; s++ { // 10 MiB a second, an event each
			p.handle(train.Event{Phase: "read", File: file, Bytes: min(int64(s)*10*mib, size), Size: size})
			clock = clock.Add(time.Second)
		}
	}
	newAt := func(w *bytes.Buffer, tty, quiet bool) *progress {
		p := newProgress(w, tty, quiet)
		p.now = func() time.Time { return clock }
		return p
	}
	var out bytes.Buffer
	p := newAt(&out, false, false)
	feed(p, "/data/train.txt", 100*mib, 4) // 4 s: nothing
	if out.Len() != 0 {
		t.Errorf("a read of 4 s printed %q", out.String())
	}
	feed(p, "/data/big.txt", 200*mib, 20) // lines at 5, 10 and 15 s; none at the end
	want := []string{
		"reading /data/big.txt: 50 MiB of 200 MiB (25%)  10 MiB/s  ETA 15s",
		"reading /data/big.txt: 100 MiB of 200 MiB (50%)  10 MiB/s  ETA 10s",
		"reading /data/big.txt: 150 MiB of 200 MiB (75%)  10 MiB/s  ETA 5s",
	}
	if got := strings.Split(strings.TrimSpace(out.String()), "\n"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("lines %q, want %q", got, want)
	}

	out.Reset()
	p = newAt(&out, true, false) // a terminal: a bar after 1 s, cleared at the end of the file
	feed(p, "/data/big.txt", 200*mib, 3)
	if !strings.Contains(out.String(), "reading big.txt") || p.reading == nil || p.reading.bar == nil {
		t.Errorf("no bar on a terminal: %q", out.String())
	}
	feed(p, "/data/big.txt", 20*mib, 2)
	if p.reading != nil {
		t.Error("the bar is still up after the end of the file")
	}

	out.Reset()
	p = newAt(&out, false, true) // --quiet
	feed(p, "/data/big.txt", 200*mib, 20)
	if out.Len() != 0 {
		t.Errorf("--quiet printed %q", out.String())
	}
}

// The data commands' reading flags hand the reader a Progress callback
// that renders "reading" events, and none with --quiet.
func TestReadFlagsReading(t *testing.T) {
	var errOut bytes.Buffer
	s := &streams{errOut: &errOut}
	var opt data.ReadOptions
	r := &readFlags{}
	done := r.reading(s, &opt, "big.txt")
	if opt.Progress == nil {
		t.Fatal("no Progress callback")
	}
	opt.Progress(10, 10) // the end of a file: nothing to print
	done()
	r.Quiet = true
	opt = data.ReadOptions{}
	r.reading(s, &opt, "big.txt")()
	if opt.Progress != nil || errOut.Len() != 0 {
		t.Errorf("--quiet: Progress set %v, stderr %q", opt.Progress != nil, errOut.String())
	}
}

// TestStreamProgress: a prediction file mhe eval reads as a stream
// reports its position after each read, up to its size (plain and gzip);
// --quiet and standard input read it unwrapped.
func TestStreamProgress(t *testing.T) {
	dir := t.TempDir()
	text := strings.Repeat("1:0.9 7:0.1 3:0.05\n", 20000)
	plain := testutil.WriteFile(t, dir, "pred.txt", text)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	zw.Close()
	zipped := testutil.WriteFile(t, dir, "pred.txt.gz", gz.String())
	s := &streams{errOut: io.Discard}
	for _, path := range []string{plain, zipped} {
		rc, err := data.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		r, done := streamProgress(s, false, rc, path)
		rr, ok := r.(*reportingReader)
		if !ok {
			t.Fatalf("%s: %T, want a reportingReader", path, r)
		}
		var last, size int64
		calls := 0
		rr.report = func(d, n int64) {
			if d < last {
				t.Errorf("%s: position went back from %d to %d", path, last, d)
			}
			last, size = d, n
			calls++
		}
		b, err := io.ReadAll(r)
		done()
		rc.Close()
		st, _ := os.Stat(path)
		if err != nil || string(b) != text || calls < 2 || last != st.Size() || size != st.Size() {
			t.Errorf("%s: read %d bytes (%v), %d reports, last at %d of %d; want the text, reports up to %d", path, len(b), err, calls, last, size, st.Size())
		}
	}
	rc, _ := data.Open(plain)
	defer rc.Close()
	if r, _ := streamProgress(s, true, rc, plain); r != io.Reader(rc) {
		t.Errorf("--quiet: %T, want the file's own reader", r)
	}
	stdin := io.NopCloser(strings.NewReader(text))
	if r, _ := streamProgress(s, false, stdin, "<stdin>"); r != io.Reader(stdin) {
		t.Errorf("a stream of unknown size: %T, want it unwrapped", r)
	}
}

// Training off a terminal prints a line at the first batch and then every
// 5 s (rows, loss, rate, time left), and one line per epoch with its
// validation metrics in percent when there are any; an epoch's line
// restarts the 5 s.
func TestTrainProgressLines(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	p := newProgress(&out, false, false)
	p.now = func() time.Time { return clock }
	batches := func(epoch, n int) { // 100 rows a second, an event each
		for i := range n {
			p.handle(train.Event{Phase: "train", Epoch: epoch, Epochs: 2, Done: 100 * (i + 1), Total: 1000, Loss: 0.5, Elapsed: time.Duration(i+1) * time.Second})
			clock = clock.Add(time.Second)
		}
	}
	batches(1, 10)
	p.handle(train.Event{Phase: "epoch", Epochs: 2, Record: &train.EpochRecord{Epoch: 1, Loss: 0.4, Seconds: 10, ExamplesPerSec: 100}})
	batches(2, 4)
	p.handle(train.Event{Phase: "epoch", Epochs: 2, Record: &train.EpochRecord{Epoch: 2, Loss: 0.3, Seconds: 9.5, ExamplesPerSec: 105.3,
		Validation: map[string]float64{"p@1": 0.625, "p@3": 0.5, "ndcg@1": 0.7}, Best: true}})
	want := []string{
		"epoch 1/2  100/1000 ex  loss 0.5000  100 ex/s  ETA 9s",
		"epoch 1/2  600/1000 ex  loss 0.5000  100 ex/s  ETA 4s",
		"epoch 1/2  loss 0.4000  10.0s (100 ex/s)",
		"epoch 2/2  loss 0.3000  9.5s (105 ex/s)  validation p@1 62.50 p@3 50.00  *best",
	}
	if got := strings.Split(strings.TrimSpace(out.String()), "\n"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// countedRows counts each row it hands out, and not the end of the input.
func TestCountedRows(t *testing.T) {
	rd, err := data.NewReader(strings.NewReader("3 5 2\n0 1:1\n1 2:1\n0,1 4:1\n"), "in", data.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := newRowProgress(io.Discard, false, false, "predict", 3)
	src := countedRows{&readerSource{rd: rd}, p}
	var row data.Row
	for {
		if err := src.Next(&row); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if p.done != 3 {
		t.Errorf("counted %d rows of 3", p.done)
	}
}
