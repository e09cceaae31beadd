package jsonerr

import (
	"encoding/json"
	"errors"
	"testing"
)

type doc struct {
	Name    string             `json:"name"`
	Labels  int                `json:"labels"`
	Seed    uint64             `json:"seed"`
	Metrics map[string]float64 `json:"metrics"`
	K       []int              `json:"k"`
	Quick   bool               `json:"quick"`
}

func TestDescribe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"{\n  \"labels\": \"many\"\n}", `line 2: "labels" holds a string, want a whole number`},
		{"{\n\n  \"seed\": -1\n}", `line 3: "seed" holds number -1, want a whole number, not negative`},
		{"{\"metrics\": {\"p@1\": 1e999}}", `line 1: "metrics" holds number 1e999, want a number within float64's range`},
		{"{\"k\": {\"a\": 1}}", `line 1: "k" holds an object, want a list`},
		{"{\"name\": [1]}", `line 1: "name" holds a list, want a string`},
		{"{\"quick\": \"yes\"}", `line 1: "quick" holds a string, want true or false`},
		{"{\n  \"labels\": 3,,\n}", "line 2: invalid character ',' looking for beginning of object key string"},
	} {
		var d doc
		err := json.Unmarshal([]byte(tc.in), &d)
		if err == nil {
			t.Fatalf("%q decoded", tc.in)
		}
		if got := Describe([]byte(tc.in), err); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := Describe(nil, errors.New("unexpected EOF")); got != "unexpected EOF" {
		t.Errorf("another error: %q", got)
	}
}
