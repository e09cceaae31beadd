package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// sameBitsCases are small trainings that between them take every code path
// whose floating-point results reach the weights: each head, each
// optimizer, each activation, tf-idf, input dropout, the label orders that
// compute (cluster, frequency), row-wise tables, SWA, and single- and
// multi-label synthetic data.
var sameBitsCases = []struct{ name, data, encoder, head, train string }{
	{"vanilla-adam-relu", "", "activation: relu", "{method: vanilla}", "optimizer: adam, lr: 0.01, schedule: cosine"},
	{"mhp-sgd-tanh", "single_label: true, ", "activation: tanh", "{method: mhp, heads: 2}", "optimizer: sgd, lr: 0.5, schedule: step"},
	{"mhp-softmargin-sigmoid", "single_label: true, ", "activation: sigmoid", "{method: mhp, heads: 2, loss: softmargin}", "optimizer: adamw, lr: 0.01, weight_decay: 0.01, schedule: linear"},
	{"mhc-cluster-tfidf", "", "activation: gelu, input_dropout: 0.3", "{method: mhc, heads: 2, beam: 4, bottleneck_dim: 16, label_order: cluster}", "optimizer: adam, lr: 0.01, weight_decay: 0.0001, schedule: cosine"},
	{"mhc-h3-rowwise", "", "activation: relu", "{method: mhc, lengths: [12, 5, 4], beam: 3, path_score: last, label_order: frequency}", "optimizer: adam, lr: 0.01, rowwise_tables: true, average: swa"},
	{"mhs", "", "activation: relu", "{method: mhs, heads: 20, samples: 2}", "optimizer: adam, lr: 0.01"},
	{"vanilla-softmax-linear", "", "", "{method: vanilla, loss: softmax}", "optimizer: adam, lr: 0.01"},
}

// TestSameBits pins the bytes of small models' weights, predictions and
// metrics (testdata/same_bits.txt, rewritten with -update). On amd64 it
// catches any change that moves a bit. Built for another architecture and
// run there (scripts/same-bits.sh runs it for arm64, ppc64le and riscv64
// under qemu), it checks that the pure-Go code gives the bits of the amd64
// kernels: the README's promise that a model does not depend on the CPU it
// was trained on.
func TestSameBits(t *testing.T) {
	if testing.Short() && runtime.GOARCH == "amd64" {
		t.Skip("-short")
	}
	var lines []string
	for _, c := range sameBitsCases {
		tmp := t.TempDir()
		cfg := filepath.Join(tmp, "cfg.yaml")
		encoder := "type: mlp, hidden: [48], dropout: 0.2"
		if c.encoder == "" {
			encoder = "type: linear"
		} else {
			encoder += ", " + c.encoder
		}
		body := fmt.Sprintf(`name: same-bits
data:
  synth: {examples: 1200, test_examples: 200, features: 400, labels: 240, %sseed: 7}
  tfidf: %v
  normalize: l2
encoder: {%s}
head: %s
train: {epochs: 3, batch_size: 64, seed: 2, %s}
`, c.data, strings.Contains(c.name, "tfidf"), encoder, c.head, c.train)
		if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(tmp, "m")
		if code, _, errOut := runMain(t, "", "train", "--config", cfg, "--out", dir, "--quiet", "--threads", "2"); code != 0 {
			t.Fatalf("%s: %s", c.name, errOut)
		}
		code, preds, errOut := runMain(t, "", "predict", "--model", dir, "--topk", "5")
		if code != 0 {
			t.Fatalf("%s: %s", c.name, errOut)
		}
		// The metrics at full precision: nDCG's logarithms, the
		// propensities' powers.
		code, metrics, errOut := runMain(t, "", "eval", "--model", dir, "--format", "json")
		if code != 0 {
			t.Fatalf("%s: %s", c.name, errOut)
		}
		lines = append(lines, fmt.Sprintf("%s weights %x predictions %x metrics %x", c.name,
			sha256.Sum256(weightsOf(t, dir)), sha256.Sum256([]byte(preds)), sha256.Sum256([]byte(metrics))))
	}
	got := strings.Join(lines, "\n") + "\n"
	golden(t, "same_bits.txt", got)
}
