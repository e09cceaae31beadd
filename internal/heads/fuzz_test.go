package heads

import (
	"errors"
	"math"
	"strings"
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

// FuzzSigmoidSoftplusVec: for any eight non-NaN logits the vector kernel
// gives sigmoidSoftplus32's bits. (A NaN logit is a diverged run, which
// training stops on; its NaN payload is not compared.)
func FuzzSigmoidSoftplusVec(f *testing.F) {
	f.Add(uint32(0), uint32(0x80000000), math.Float32bits(-87.3), math.Float32bits(88), uint32(1), math.Float32bits(0.5), uint32(0x7f800000), uint32(0xff800000))
	f.Fuzz(func(t *testing.T, a, b, c, d, e, g, h, i uint32) {
		if !useFastmathVec {
			t.Skip("no vector kernel on this CPU")
		}
		v := make([]float32, 0, 9)
		for _, bits := range []uint32{a, b, c, d, e, g, h, i} {
			x := math.Float32frombits(bits)
			if x != x {
				return
			}
			v = append(v, x)
		}
		s, sp := make([]float32, 8), make([]float32, 8)
		sigmoidSoftplusSlice(v, s, sp)
		matchesScalar(t, v, s, sp)
	})
}

// A plan file's unknown key names its line and the keys a plan file has.
func TestParsePlanFileUnknownKey(t *testing.T) {
	_, err := ParsePlanFile([]byte("method: mhc\nlabels: 10\nlength: [5, 2]\n"), "plan.yaml")
	want := `plan.yaml:3: unknown key "length" (the keys there are method, labels, lengths, beam, bottleneck_dim, samples, report)`
	if !errors.Is(err, ErrPlan) || err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err %v, want ErrPlan with %q", err, want)
	}
}

// What a plan file must hold: a known method, at least one label, lengths
// that cover the labels, no negative beam, width or samples, two or more
// lengths for a cascade and exactly two for MHS. Each refusal names the
// file.
func TestParsePlanFileChecks(t *testing.T) {
	for _, tc := range []struct {
		text, want string // want "" = accepted
	}{
		{"method: mhc\nlabels: 10\nlengths: [5, 2]\nbeam: 2\nbottleneck_dim: 8\n", ""},
		{"method: mhs\nlabels: 10\nlengths: [5, 2]\nsamples: 1\n", ""},
		{"method: mhp\nlabels: 10\nlengths: [10]\n", ""},
		{"method: vanilla\nlabels: 1\nlengths: [1]\n", ""},
		{"method: mhc\nlabels: 0\nlengths: [5, 2]\n", "plan.yaml: labels = 0; a plan covers at least one label"},
		{"method: mhc\nlabels: 11\nlengths: [5, 2]\n", "plan.yaml: heads: invalid plan: head lengths [5 2] cover 10 codes"},
		{"method: mhc\nlabels: 10\nlengths: [5, 2]\nbeam: -1\n", "plan.yaml: beam, bottleneck_dim and samples must be >= 1"},
		{"method: mhc\nlabels: 10\nlengths: [5, 2]\nbottleneck_dim: -1\n", "must be >= 1"},
		{"method: mhs\nlabels: 10\nlengths: [5, 2]\nsamples: -1\n", "must be >= 1"},
		{"method: mhc\nlabels: 10\nlengths: [10]\n", "plan.yaml: a cascade needs at least two lengths"},
		{"method: mhs\nlabels: 12\nlengths: [3, 2, 2]\n", "plan.yaml: mhs lengths are [groups, group size]"},
		{"method: mhs\nlabels: 10\nlengths: [10]\n", "mhs lengths are [groups, group size]"},
		{"method: tree\nlabels: 10\nlengths: [10]\n", "plan.yaml: "},
		{"", "plan.yaml: the plan file is empty"},
	} {
		_, err := ParsePlanFile([]byte(tc.text), "plan.yaml")
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.text, err)
		case tc.want != "" && (err == nil || !errors.Is(err, ErrPlan) || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: error %v, want ErrPlan with %q", tc.text, err, tc.want)
		}
	}
}
