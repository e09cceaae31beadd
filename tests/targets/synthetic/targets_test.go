// Package synthetic holds the CI targets on built-in synthetic single-label data with 10^4 classes (MHP vs vanilla), trained on the shared datasets
// with the mhe binary. They need ../shared/data (or MHE_DATA_DIR): skipped
// with a message without it, failing when MHE_REQUIRE_DATA=1 (CI). go test
// -short skips them. (The targets are split over several packages so that
// each test binary stays well inside go test's 10-minute limit.)
package synthetic

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mhe-xlc/mhe/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// Synthetic single-label data with 10^4 classes: MHP within 1.5 points of
// vanilla (here it is ahead: the vanilla softmax over 10^4 classes learns
// the rare classes more slowly).
func TestTargetSyntheticMHP(t *testing.T) {
	testutil.SkipShort(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "syn.yaml")
	os.WriteFile(cfg, []byte(`name: synthetic-10k
data:
  synth: {examples: 20000, test_examples: 5000, features: 20000, labels: 10000, seed: 1, single_label: true}
  normalize: l2
encoder: {type: mlp, hidden: [128]}
head: {method: vanilla}
train: {epochs: 4, batch_size: 128, lr: 0.003, schedule: cosine}
`), 0o644)
	run := func(method string) float64 {
		m := testutil.TrainModel(t, cfg, "head.method="+method)
		return m["acc@1"]
	}
	v, m := run("vanilla"), run("mhp")
	t.Logf("synthetic 10^4 classes: vanilla %.2f, MHP %.2f", v, m)
	if m < v-1.5 {
		t.Errorf("MHP %.2f is more than 1.5 points below vanilla %.2f", m, v)
	}
}
