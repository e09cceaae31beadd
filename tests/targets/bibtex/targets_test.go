// Package bibtex holds the CI targets on Bibtex split 1 (vanilla, MHC,
// MHS): models trained on the shared data with the mhe binary must reach
// the figures the issues state. They need ../shared/data (or MHE_DATA_DIR):
// skipped with a message without it, failing when MHE_REQUIRE_DATA=1 (CI).
// go test -short skips them.
package bibtex

import (
	"testing"

	"github.com/mhe-xlc/mhe/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// Bibtex split 1: vanilla P@1 >= 63, P@3 >= 38, P@5 >= 28 (issue 3); MHC
// within 1.0 point of vanilla at P@1/3/5 (mean of three seeds, same
// encoder and epochs) and above PLT's P@1 (issue 4).
func TestTargetBibtex(t *testing.T) {
	testutil.SkipShort(t)
	vm, v := testutil.MeanMetrics(t, "bibtex-vanilla.yaml", "1", "2", "3")
	if v["p@1"] < 63 || v["p@3"] < 38 || v["p@5"] < 28 {
		t.Errorf("Bibtex vanilla P@1/3/5 = %.2f/%.2f/%.2f, want >= 63/38/28", v["p@1"], v["p@3"], v["p@5"])
	}
	mm, _ := testutil.MeanMetrics(t, "bibtex-mhc.yaml", "1", "2", "3")
	for _, k := range []string{"p@1", "p@3", "p@5"} {
		if mm[k] < vm[k]-1 {
			t.Errorf("Bibtex MHC %s %.2f vs vanilla %.2f (3-seed means): more than 1 point lower", k, mm[k], vm[k])
		}
	}
	if mm["p@1"] <= testutil.PLTP1["bibtex"] {
		t.Errorf("Bibtex MHC P@1 %.2f does not beat PLT's %.2f", mm["p@1"], testutil.PLTP1["bibtex"])
	}
}

// MHS-2 within 1.0 point of vanilla (issue 5), against TestTargetBibtex's
// seed-1 vanilla run. MHS-1 is measured by scripts/mhs-compare.sh.
func TestTargetMHS(t *testing.T) { testutil.CheckMHS(t, "bibtex", "train.seed=1") }
