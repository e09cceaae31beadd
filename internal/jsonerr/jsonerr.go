// Package jsonerr words the errors of encoding/json for the people who
// edit or damage the files mhe reads (run records, model manifests,
// checkpoints): the line and the key, not the Go types behind them.
package jsonerr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Describe says what is wrong with the JSON document raw, which
// encoding/json failed to decode with err, in a reader's terms: the line,
// the key and what it holds ("line 3: \"metrics\" holds a string, want a
// number"), not the Go type it was decoded into ("json: cannot unmarshal
// string into Go struct field Record.metrics of type float64"). Other
// errors are returned as they are.
func Describe(raw []byte, err error) string {
	line := func(off int64) int { return 1 + bytes.Count(raw[:min(max(off, 0), int64(len(raw)))], []byte("\n")) }
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		want := te.Type.Kind().String()
		switch te.Type.Kind() {
		case reflect.Float32, reflect.Float64:
			want = "a number"
			if strings.HasPrefix(te.Value, "number") {
				want = "a number within float64's range"
			}
		case reflect.Int, reflect.Int32, reflect.Int64:
			want = "a whole number"
		case reflect.Uint, reflect.Uint32, reflect.Uint64:
			want = "a whole number, not negative"
		case reflect.String:
			want = "a string"
		case reflect.Bool:
			want = "true or false"
		case reflect.Map, reflect.Struct:
			want = "an object"
		case reflect.Slice:
			want = "a list"
		}
		found := te.Value
		switch found {
		case "string":
			found = "a string"
		case "object":
			found = "an object"
		case "array":
			found = "a list"
		case "bool":
			found = "true or false"
		}
		return fmt.Sprintf("line %d: %q holds %s, want %s", line(te.Offset), te.Field, found, want)
	case errors.As(err, &se):
		return fmt.Sprintf("line %d: %v", line(se.Offset), se)
	}
	return err.Error()
}
