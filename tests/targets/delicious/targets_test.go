// Package delicious holds the CI targets on Delicious (vanilla, MHC, MHS): models
// trained on the shared data with the mhe binary must reach the figures the
// issues state. They need ../shared/data (or MHE_DATA_DIR): skipped with a
// message without it, failing when MHE_REQUIRE_DATA=1 (CI). go test -short
// skips them.
package delicious

import (
	"testing"

	"github.com/mhe-xlc/mhe/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// Delicious: vanilla P@1 >= 67 (issue 3); MHC within 1.0 point of vanilla
// and above PLT (issue 4). Issue 4's speed bar (MHC at least 3x faster per
// epoch) is not timed here, where go test ./... runs other packages beside
// this one: scripts/delicious-speed.sh checks it, and .ci/run runs it alone.
func TestTargetDelicious(t *testing.T) {
	testutil.SkipShort(t)
	v := testutil.TrainModel(t, "delicious-vanilla.yaml")
	m := testutil.TrainModel(t, "delicious-mhc.yaml")
	if v["p@1"] < 67 {
		t.Errorf("Delicious vanilla P@1 = %.2f, want >= 67", v["p@1"])
	}
	for _, k := range []string{"p@1", "p@3", "p@5"} {
		if m[k] < v[k]-1 {
			t.Errorf("Delicious MHC %s %.2f vs vanilla %.2f: more than 1 point lower", k, m[k], v[k])
		}
	}
	if m["p@1"] <= testutil.PLTP1["delicious"] {
		t.Errorf("Delicious MHC P@1 %.2f does not beat PLT's %.2f", m["p@1"], testutil.PLTP1["delicious"])
	}
}

// MHS-2 within 1.0 point of vanilla (issue 5), against TestTargetDelicious's
// vanilla run. MHS-1 is measured by scripts/mhs-compare.sh.
func TestTargetMHS(t *testing.T) { testutil.CheckMHS(t, "delicious") }
