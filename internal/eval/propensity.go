// Package eval computes the ranking metrics of extreme classification —
// P@k, nDCG@k, their propensity-scored variants PSP@k and PSnDCG@k, R@k and
// top-k accuracy — with the definitions of pyxclib, napkinXC and the XC
// repository's Matlab scripts, streaming over prediction rows.
package eval

import (
	"fmt"
	"strings"

	"github.com/mhe-xlc/mhe/internal/detmath"
)

// PropensityParams are the A and B of Jain et al. (KDD 2016).
type PropensityParams struct {
	A, B float64
}

// Standard settings of the XC repository.
var (
	PropensityDefault   = PropensityParams{A: 0.55, B: 1.5} // everything else, AmazonCat-13K included
	PropensityWikipedia = PropensityParams{A: 0.5, B: 0.4}  // Wikipedia-500K, WikiLSHTC
	PropensityAmazon    = PropensityParams{A: 0.6, B: 2.6}  // Amazon-670K, Amazon-3M
)

// Or returns p when it is set (A > 0: an explicit --A/--B or eval.a/eval.b),
// else PropensityFor(dataset).
func (p PropensityParams) Or(dataset string) PropensityParams {
	if p.A > 0 {
		return p
	}
	return PropensityFor(dataset)
}

// PropensityFor returns the XC repository's A/B for a dataset name:
// Wikipedia-500K and WikiLSHTC use 0.5/0.4, Amazon-670K and Amazon-3M
// 0.6/2.6, everything else (AmazonCat-13K included) 0.55/1.5.
func PropensityFor(dataset string) PropensityParams {
	n := strings.ToLower(dataset)
	switch {
	case strings.Contains(n, "wiki") && (strings.Contains(n, "500k") || strings.Contains(n, "lshtc")):
		return PropensityWikipedia
	case strings.Contains(n, "amazoncat"):
		return PropensityDefault
	case strings.Contains(n, "amazon") && (strings.Contains(n, "670k") || strings.Contains(n, "3m")):
		return PropensityAmazon
	}
	return PropensityDefault
}

// PropensityConstant is C = (ln N − 1)(B + 1)^A for N training examples.
func PropensityConstant(n int, p PropensityParams) float64 {
	return (detmath.Log(float64(n)) - 1) * detmath.Pow(p.B+1, p.A)
}

// InvPropensity returns w_l = 1 + C·(N_l + B)^(−A) for every label from its
// count N_l among n TRAINING examples. Labels never seen in training get the
// largest weight, 1 + C·B^(−A).
func InvPropensity(counts []int64, n int, p PropensityParams) ([]float64, error) {
	if n < 1 {
		return nil, fmt.Errorf("eval: propensity needs at least one training example")
	}
	if p.A <= 0 || p.B <= 0 {
		return nil, fmt.Errorf("eval: propensity parameters A=%g B=%g are invalid (want A > 0 and B > 0)", p.A, p.B)
	}
	c := PropensityConstant(n, p)
	w := make([]float64, len(counts))
	for l, nl := range counts {
		w[l] = 1 + float64(c*detmath.Pow(float64(nl)+p.B, -p.A))
	}
	return w, nil
}
