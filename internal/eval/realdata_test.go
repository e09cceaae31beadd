package eval

import (
	"math"
	"testing"

	"github.com/mhe-xlc/mhe/internal/data"
	"github.com/mhe-xlc/mhe/internal/testutil"
)

// The inv_prop_* files in ../shared/data are the oracle for InvPropensity.
func TestInvPropensityOracle(t *testing.T) {
	dir := testutil.DataDir(t)
	cases := []struct {
		name, data, split, oracle string
	}{
		{"Bibtex split 1", "Bibtex/Bibtex_data.txt.gz", "Bibtex/bibtex_trSplit.txt", "Bibtex/inv_prop_split1_A0.55_B1.5.txt"},
		{"Delicious", "Delicious/delicious_train.txt", "", "Delicious/inv_prop_train_A0.55_B1.5.txt"},
		{"Corel5k", "Corel5k/corel5k_train.txt", "", "Corel5k/inv_prop_train_A0.55_B1.5.txt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds, err := data.ReadFile(dir+"/"+c.data, data.ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if c.split != "" {
				rows, err := data.ReadSplit(dir+"/"+c.split, 1, ds.Rows())
				if err != nil {
					t.Fatal(err)
				}
				ds = ds.Subset(rows)
			}
			w, err := InvPropensity(ds.Y.ColumnCounts(), ds.Rows(), PropensityDefault)
			if err != nil {
				t.Fatal(err)
			}
			want, err := ReadInvPropensity(dir + "/" + c.oracle)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) != len(w) {
				t.Fatalf("oracle has %d labels, computed %d", len(want), len(w))
			}
			worst := 0.0
			for l := range w {
				worst = math.Max(worst, math.Abs(w[l]-want[l]))
			}
			t.Logf("%s: max |computed - oracle| = %.2e over %d labels", c.name, worst, len(w))
			if worst > 1e-4 {
				t.Errorf("max |difference| = %g, want <= 1e-4", worst)
			}
		})
	}
}
