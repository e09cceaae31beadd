package heads

import (
	"errors"
	"testing"
)

func FuzzParsePlanFile(f *testing.F) {
	for _, s := range []string{
		"method: mhp\nlabels: 3993\nlengths: [64, 63]\n",
		"method: mhc\nlabels: 3956\nlengths: [172, 23]\nbeam: 10\nbottleneck_dim: 300\nreport: {params: 5}\n",
		"method: mhs\nlabels: 10\nlengths: [4, 3]\nsamples: 2\n",
		"method: mhp\nlabels: 3993\nlengths: [172, 23]\n",
		"method: tree\n", "lengths: [0]\n", "", "x: y\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		pf, err := ParsePlanFile(in, "fuzz.yaml")
		if err != nil {
			if !errors.Is(err, ErrPlan) {
				t.Fatalf("error does not wrap ErrPlan: %v", err)
			}
			return
		}
		codec, err := NewCodec(pf.Labels, pf.Lengths)
		if err != nil {
			t.Fatalf("accepted plan has an invalid codec: %v", err)
		}
		if codec.Capacity() < int64(pf.Labels) {
			t.Fatal("accepted plan does not cover its labels")
		}
	})
}
