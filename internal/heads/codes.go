package heads

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// WriteCodes writes the label structure of a codec as CSV, one line per
// label in original id order after a header:
//
//	label,name,code,h1,...,hH
//
// label is the original id, code the label's position in the codec (its
// id after the label order perm, which maps original ids to codes; nil is
// the identity) and h1..hH the digits of code, most significant first:
// for MHC, h1 is the level-1 group and h2 the node within it; for MHS,
// h1 is the group. name is names[label], empty when names is nil.
func WriteCodes(w io.Writer, c *Codec, perm []int32, names []string) error {
	n := c.NumLabels()
	if perm != nil && len(perm) != n {
		return fmt.Errorf("heads: label permutation of %d ids for %d labels", len(perm), n)
	}
	if names != nil && len(names) < n {
		return fmt.Errorf("heads: %d label names for %d labels", len(names), n)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	rec := make([]string, 3+c.Heads())
	rec[0], rec[1], rec[2] = "label", "name", "code"
	for h := range c.Heads() {
		rec[3+h] = "h" + strconv.Itoa(h+1)
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	digits := make([]int32, c.Heads())
	for y := range n {
		code := y
		if perm != nil {
			code = int(perm[y])
			if code < 0 || code >= n {
				return fmt.Errorf("heads: label permutation maps label %d to %d, outside 0..%d", y, code, n-1)
			}
		}
		c.Encode(code, digits)
		rec[0], rec[1], rec[2] = strconv.Itoa(y), "", strconv.Itoa(code)
		if names != nil {
			rec[1] = names[y]
		}
		for h, d := range digits {
			rec[3+h] = strconv.Itoa(int(d))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
