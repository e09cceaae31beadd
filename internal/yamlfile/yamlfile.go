// Package yamlfile decodes the project's small YAML files (sweeps, plan
// files) strictly, with errors a user can act on: an unknown key names the
// file, its line and the keys allowed at that place, instead of the Go type
// the decoder fills.
package yamlfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Decode decodes raw, the contents of the file name, into v (a pointer to a
// struct with yaml tags), refusing keys v has no field for. An empty file
// gives io.EOF.
func Decode(raw []byte, name string, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	err := dec.Decode(v)
	if err == nil || errors.Is(err, io.EOF) {
		return err
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return SyntaxError(raw, name, err)
	}
	keys := map[string][]string{}
	collectKeys(reflect.TypeOf(v), keys)
	return typeError(name, te, keys)
}

// typeError words the decoder's complaints about values of the wrong kind,
// duplicate keys and (with keys, the yaml keys of each struct type by its
// name) unknown keys, each as "name:LINE: what".
func typeError(name string, te *yaml.TypeError, keys map[string][]string) error {
	msgs := make([]string, 0, len(te.Errors))
	for _, e := range te.Errors {
		if m := unknownRE().FindStringSubmatch(e); m != nil {
			msgs = append(msgs, fmt.Sprintf("%s:%s: unknown key %q (the keys there are %s)", name, m[1], m[2], strings.Join(keys[m[3]], ", ")))
		} else if m := unmarshalRE().FindStringSubmatch(e); m != nil {
			if m[3] != "" {
				msgs = append(msgs, fmt.Sprintf("%s:%s: %s is not %s", name, m[1], m[3], KindOf(m[4])))
			} else {
				found := map[string]string{"map": "a mapping (key: value pairs)", "seq": "a list"}[m[2]]
				if found == "" {
					found = "a YAML " + m[2]
				}
				msgs = append(msgs, fmt.Sprintf("%s:%s: found %s where %s goes", name, m[1], found, KindOf(m[4])))
			}
		} else if m := lineRE().FindStringSubmatch(e); m != nil {
			msgs = append(msgs, fmt.Sprintf("%s:%s: %s", name, m[1], m[2]))
		} else {
			msgs = append(msgs, name+": "+e)
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}

// SyntaxError words a YAML syntax error of raw, the contents of the file
// name, as "name:LINE: not valid YAML: what" ("yaml: line 3: mapping
// values are not allowed" names no file). A tab in the indentation of the
// line named or the one before it, which YAML forbids and editors hide, is
// pointed out. A value of the wrong kind and a key given twice are worded
// as Decode words them.
func SyntaxError(raw []byte, name string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		// Well-formed YAML of the wrong shape (a list where the file's
		// mapping goes), or a key given twice.
		return typeError(name, te, nil)
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	m := lineRE().FindStringSubmatch(msg)
	if m == nil {
		return fmt.Errorf("%s: not valid YAML: %s", name, msg)
	}
	if strings.Contains(m[2], "tab") { // the parser says so itself
		return fmt.Errorf("%s:%s: not valid YAML: %s", name, m[1], m[2])
	}
	line, _ := strconv.Atoi(m[1])
	lines := bytes.Split(raw, []byte("\n"))
	for _, n := range []int{line, line - 1} {
		if n >= 1 && n <= len(lines) {
			l := lines[n-1]
			indent := l[:len(l)-len(bytes.TrimLeft(l, " \t"))]
			if bytes.IndexByte(indent, '\t') >= 0 {
				return fmt.Errorf("%s:%s: not valid YAML: %s (line %d is indented with a tab: YAML indents with spaces only)", name, m[1], m[2], n)
			}
		}
	}
	return fmt.Errorf("%s:%s: not valid YAML: %s", name, m[1], m[2])
}

// KindOf says in words what a value of a Go type, as decoders name it
// ("int", "[]string", "map[string]interface {}", a struct's name), is
// written as in a YAML file or an environment variable.
func KindOf(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["):
		return "a mapping (key: value pairs)"
	case strings.HasPrefix(goType, "uint"):
		return "a whole number >= 0"
	case strings.HasPrefix(goType, "int"):
		return "a whole number"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "bool":
		return "true or false"
	case goType == "string":
		return "text"
	}
	return "a mapping (key: value pairs)" // a struct
}

var (
	// What yaml.v3 says of a value of the wrong kind: "line 2: cannot
	// unmarshal !!int `5` into []sweep.Entry".
	unmarshalRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+)(?: (`.*`))? into (.+)$")
	})
	// What yaml.v3 says of a key with no field: "line 3: field foo not
	// found in type sweep.Entry".
	unknownRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^line (\d+): field (.+) not found in type (\S+)$`) })
	lineRE    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^line (\d+): (.*)$`) })
)

// collectKeys maps every struct type reachable from t (by its name, as the
// decoder's errors give it) to its yaml keys, in field order.
func collectKeys(t reflect.Type, keys map[string][]string) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	if _, seen := keys[t.String()]; seen {
		return
	}
	keys[t.String()] = nil
	var names []string
	for f := range t.Fields() {
		tag, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if strings.Contains(opts, "inline") {
			// An inlined struct's keys are this level's.
			collectKeys(f.Type, keys)
			names = append(names, keys[f.Type.String()]...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		switch tag {
		case "-":
			continue
		case "":
			tag = strings.ToLower(f.Name)
		}
		names = append(names, tag)
		collectKeys(f.Type, keys)
	}
	keys[t.String()] = names
}
