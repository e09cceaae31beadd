package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mhe-xlc/mhe/internal/atomicfile"
	"github.com/mhe-xlc/mhe/internal/clock"
	"github.com/mhe-xlc/mhe/internal/nn"
	"github.com/mhe-xlc/mhe/internal/npy"
	"github.com/mhe-xlc/mhe/internal/train"
)

type embedOptions struct {
	Model string
	inputOptions
	Out     string
	Format  string
	Threads int
	Sets    []string
	Quiet   bool
}

func newEmbedCmd(s *streams, runF func(*embedOptions) error) *cobra.Command {
	o := &embedOptions{}
	cmd := &cobra.Command{
		Use:   "embed",
		Short: "Export the trained encoder's features of input rows",
		Long: `Write the trained encoder's output f (the last hidden layer, after its
activation, without dropout) for every input row: the features a model
pre-trained with MHS (or any head) gives to a downstream task once its
classifier is dropped. Rows come out in input order; without --input the
test split of the model's config is encoded. The input is streamed: memory
does not grow with the number of rows (except with --rows).

Formats (--format, default from the --out name: .npy gives npy, else text):
  npy   NumPy .npy version 1.0, dtype '<f4' (little-endian float32), C order,
        shape (rows, d): numpy.load(FILE) reads it. Needs a file, not stdout.
  text  one line per row: d space-separated values (shortest decimal that
        reads back as the same float32).

Only models with an MLP encoder have features (a linear encoder's f is the
sparse input itself): for those embed exits 2.`,
		Example: `  mhe embed --model runs/letter-mhs --out letter-test.npy
  mhe embed --model runs/bibtex-mhs --input $MHE_DATA_DIR/Bibtex/Bibtex_data.txt.gz --out feats.npy
  mhe embed --model runs/letter-mhs --format text --out - | head -3`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.changed = cmd.Flags().Changed
			if runF != nil {
				return runF(o)
			}
			return embedRun(s, o)
		},
	}
	f := cmd.Flags()
	f.Var(newOnceString(&o.Model, "embed reads one model (ensembles are for mhe predict and mhe eval)"), "model", "model directory (required)")
	addInputFlags(f, &o.inputOptions, "encode")
	f.StringVar(&o.Out, "out", "", "output file (- for stdout, text format only) (required)")
	f.StringVar(&o.Format, "format", "", "npy or text (default: npy when --out ends in .npy, else text)")
	f.IntVar(&o.Threads, "threads", 0, "worker threads (0 = all CPUs this process may use); output does not depend on it")
	f.StringArrayVar(&o.Sets, "set", nil, "override a key of the model's config (key=value), e.g. data.dir")
	f.BoolVar(&o.Quiet, "quiet", false, "no summary on stderr")
	return cmd
}

func embedRun(s *streams, o *embedOptions) error {
	if o.Model == "" {
		return usageErrorf("give --model DIR")
	}
	if o.Out == "" {
		return usageErrorf("give --out FILE (.npy for NumPy, or - for text on stdout)")
	}
	format := o.Format
	if format == "" {
		format = "text"
		if strings.HasSuffix(o.Out, ".npy") {
			format = "npy"
		}
	}
	if format != "npy" && format != "text" {
		return usageErrorf("--format %q: want npy or text", o.Format)
	}
	if format == "npy" && o.Out == "-" {
		return usageErrorf("the npy format is written to a file (its header holds the row count); give --out FILE.npy, or --format text for stdout")
	}
	if err := o.check(); err != nil {
		return err
	}
	m, man, cfg, closeModel, err := openModel(o.Model, o.Sets)
	if err != nil {
		return err
	}
	defer closeModel()
	if err := checkOutputs([]fileRef{{"--out", o.Out}},
		append([]fileRef{{"--input", o.Input}, {"--rows", o.Rows}}, modelFiles(o.Model, man, cfg)...)); err != nil {
		return err
	}
	threads, restore := setThreads(o.Threads, s.errOut, "embed")
	defer restore()
	enc, err := train.NewEncoder(m, nn.NewPool(threads))
	if errors.Is(err, train.ErrNoFeatures) {
		return usageErrorf("%s: %v", o.Model, err)
	}
	if err != nil {
		return err
	}
	pr := newProgress(s.errOut, s.errTTY, o.Quiet)
	o.progress = pr.handle
	src, closeSrc, err := openRows(s, &o.inputOptions, cfg, inputDim(m))
	pr.finishBar()
	if err != nil {
		return err
	}
	defer closeSrc()
	start := clock.Start()
	var rows int
	switch {
	case format == "text" && o.Out == "-":
		rows, err = writeTextFeatures(s.out, enc, src)
	case format == "text":
		err = atomicfile.WriteFile(o.Out, 0o644, func(w io.Writer) (err error) {
			rows, err = writeTextFeatures(w, enc, src)
			return err
		})
	default:
		rows, err = writeNpyFeatures(o.Out, enc, src)
	}
	if err == nil {
		src.warnIgnored(s.errOut, "embed")
	}
	if err == nil && !o.Quiet {
		secs := start.Seconds()
		fmt.Fprintf(s.errOut, "embed: %d rows × %d features in %.2fs (threads %d) -> %s\n", rows, enc.Dim(), secs, threads, o.Out)
	}
	return err
}

func writeTextFeatures(w io.Writer, enc *train.Encoder, src rowSource) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	var line []byte
	n, err := train.EncodeRows(enc, src, func(f []float32) error {
		line = line[:0]
		for i, v := range f {
			if i > 0 {
				line = append(line, ' ')
			}
			line = strconv.AppendFloat(line, float64(v), 'g', -1, 32)
		}
		line = append(line, '\n')
		_, err := bw.Write(line)
		return err
	})
	if err != nil {
		return n, err
	}
	return n, bw.Flush()
}

func writeNpyFeatures(path string, enc *train.Encoder, src rowSource) (int, error) {
	rows := src.Rows()
	if rows < 0 && atomicfile.Special(path) {
		return 0, usageErrorf("--out %s is a pipe or a device, and an .npy header holds the row count, which this input does not declare (no XC header or --rows): write to a file, or use --format text", path)
	}
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return 0, err
	}
	nw, err := npy.NewWriter(f, enc.Dim(), rows)
	if err != nil {
		f.Abort()
		return 0, err
	}
	n, err := train.EncodeRows(enc, src, nw.Write)
	if err == nil {
		err = nw.Finish(f)
	}
	if err != nil {
		f.Abort()
		return n, fmt.Errorf("write %s: %w", path, err)
	}
	return n, f.Commit()
}
