package eval

import (
	"errors"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/data"
)

// A label named twice in a row is an input error naming the file, the line
// and the label, with ids and with names.
func TestPredReaderDuplicate(t *testing.T) {
	named := NewPredReaderNames(strings.NewReader("b:0.5\na:1 c:d:0.7 a:0.5\n"), "pred.txt", map[string]int32{"a": 0, "b": 1, "c:d": 2})
	ided, err := NewPredReader(strings.NewReader("1:0.5\n0:1 2:0.7 0:0.5\n"), "pred.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		pr   *PredReader
		want string
	}{
		{"names", named, `pred.txt:2:1: duplicate id: label "a" is predicted twice in this row`},
		{"ids", ided, `pred.txt:2:1: duplicate id: label 0 is predicted twice in this row`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := tc.pr.Next(); err != nil {
				t.Fatal(err)
			}
			_, _, err := tc.pr.Next()
			if !errors.Is(err, data.ErrDuplicate) || !errors.Is(err, data.ErrInput) || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
