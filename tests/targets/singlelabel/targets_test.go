// Package singlelabel holds the CI targets on Letter and the Sector subset
// (vanilla, MHP, MHS): models trained on the shared datasets with the mhe
// binary must reach the figures the issues state. They need
// ../shared/data (or MHE_DATA_DIR): skipped with a message without it,
// failing when MHE_REQUIRE_DATA=1 (CI). go test -short skips them.
package singlelabel

import (
	"testing"

	"github.com/mhe-xlc/mhe/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// Single-label data: MHP top-1 accuracy within 1.5 points of vanilla with
// the same encoder and epochs (issue 3).
func TestTargetSingleLabelMHP(t *testing.T) {
	testutil.SkipShort(t)
	for _, ds := range []string{"letter", "sector"} {
		t.Run(ds, func(t *testing.T) {
			v := testutil.TrainMetrics(t, ds+"-vanilla.yaml")
			m := testutil.TrainMetrics(t, ds+"-mhp.yaml")
			if m["acc@1"] < v["acc@1"]-1.5 {
				t.Errorf("%s: MHP accuracy %.2f vs vanilla %.2f: more than 1.5 points lower", ds, m["acc@1"], v["acc@1"])
			}
		})
	}
}

// MHS-2 within 1.0 point of vanilla's top-1 accuracy (issue 5), against
// the vanilla runs of TestTargetSingleLabelMHP. MHS-1 is measured by
// scripts/mhs-compare.sh.
func TestTargetMHS(t *testing.T) {
	for _, ds := range []string{"letter", "sector"} {
		t.Run(ds, func(t *testing.T) { testutil.CheckMHS(t, ds) })
	}
}
