package eval

import (
	"slices"
	"strconv"
	"strings"
)

// ParseName splits a metric name such as "p@1" or "nDCG@3" into its
// lower-case family and its cut-off k. ok is false for a name no Evaluator
// reports: an unknown family, or a k that is not a plain positive integer
// as Result spells it ("p@01", "p@+1" and "p@1x" are not metric names).
func ParseName(name string) (family string, k int, ok bool) {
	fam, ks, found := strings.Cut(strings.ToLower(strings.TrimSpace(name)), "@")
	if !found || !slices.ContainsFunc(Families, func(f struct{ Key, Title string }) bool { return f.Key == fam }) {
		return "", 0, false
	}
	k, err := strconv.Atoi(ks)
	if err != nil || k < 1 || strconv.Itoa(k) != ks {
		return "", 0, false
	}
	return fam, k, true
}

// Title is a metric's name as tables print it ("p@1" → "P@1", "ndcg@3" →
// "nDCG@3"); a name ParseName refuses is returned as it is.
func Title(name string) string {
	fam, k, ok := ParseName(name)
	if !ok {
		return name
	}
	for _, f := range Families {
		if f.Key == fam {
			return f.Title + "@" + strconv.Itoa(k)
		}
	}
	return name
}
