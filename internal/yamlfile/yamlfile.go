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
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

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
		} else if m := tagRE().FindStringSubmatch(e); m != nil {
			// A tag of the user's own (!name): the decoder reads none.
			what := "the value"
			if m[3] != "" {
				what = m[3]
			}
			msgs = append(msgs, fmt.Sprintf("%s:%s: %s is tagged %s, which mhe does not read: remove the tag", name, m[1], what, m[2]))
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
	numbered := m != nil
	if m == nil {
		if readerError(msg) {
			// A character YAML does not allow, found before parsing: the
			// message has no position, so find it.
			if line, col, what, ok := badChar(raw); ok {
				return fmt.Errorf("%s:%d:%d: not valid YAML: %s (%s)", name, line, col, msg, what)
			}
			return fmt.Errorf("%s: not valid YAML: %s", name, msg)
		}
		// yaml.v3 counts lines from 0 and leaves out line 0, so a problem
		// on the first line comes without one, like the decoder's own
		// (an unknown anchor, a bad !!float) on any line. It is on the
		// first line at which the file, cut there, fails the same way.
		line, ok := failingLine(raw, msg)
		if !ok {
			return fmt.Errorf("%s: not valid YAML: %s", name, msg)
		}
		m = []string{"", strconv.Itoa(line), msg}
	}
	if strings.Contains(m[2], "tab") { // the parser says so itself
		return fmt.Errorf("%s:%s: not valid YAML: %s", name, m[1], m[2])
	}
	line, _ := strconv.Atoi(m[1])
	lines := bytes.Split(raw, []byte("\n"))
	begins := 0
	problem, isParser := parserProblems[m[2]]
	if isParser && numbered {
		line, begins = parserLine(raw, msg, line)
	}
	for _, n := range []int{line, line - 1} {
		if n >= 1 && n <= len(lines) {
			l := lines[n-1]
			indent := l[:len(l)-len(bytes.TrimLeft(l, " \t"))]
			if bytes.IndexByte(indent, '\t') >= 0 {
				return fmt.Errorf("%s:%d: not valid YAML: %s (line %d is indented with a tab: YAML indents with spaces only)", name, line, m[2], n)
			}
		}
	}
	var hint string
	switch {
	case problem.construct != "" && begins > 0:
		hint = fmt.Sprintf(" (in %s that begins on line %d; %s)", problem.construct, begins, problem.fix)
	case problem.fix != "":
		hint = " (" + problem.fix + ")"
	default:
		if a := unknownAnchorRE().FindStringSubmatch(m[2]); a != nil {
			hint = fmt.Sprintf(" (*%s refers to an anchor &%s defined before it; quote the value if the * is text)", a[1], a[1])
		}
	}
	return fmt.Errorf("%s:%d: not valid YAML: %s%s", name, line, m[2], hint)
}

// parserProblems are the messages of yaml.v3's parser (as opposed to its
// scanner), each with the construct it was parsing, in words, and how such
// a construct is written (both "" where the problem is not inside one).
var parserProblems = map[string]struct{ construct, fix string }{
	"did not find expected key":              {"the mapping", "a mapping's lines are key: value pairs, indented alike"},
	"did not find expected '-' indicator":    {"the list", "a list's items each start with - , indented alike"},
	"did not find expected ',' or ']'":       {"the [ ] list", "a [ ] list's items are separated by commas, and ] ends it"},
	"did not find expected ',' or '}'":       {"the { } mapping", "a { } mapping's pairs are separated by commas, and } ends it"},
	"did not find expected node content":     {},
	"did not find expected <document start>": {},
	"found undefined tag handle":             {},
	"found duplicate %YAML directive":        {},
	"found duplicate %TAG directive":         {},
	"found incompatible YAML document":       {},
}

// parserLine turns the line yaml.v3 gives a parser error, reported as
// "line reported: ...", into the 1-based line of the problem. Unlike its
// scanner's, the parser's lines are counted from 0: the line is that of the
// construct the problem is in (of the problem itself when the construct
// starts on the first line), one early. The problem's line is the first at
// which the file, cut after it, fails with the same message: the line of
// the token that does not fit, or a line of a construct left open.
// begins is the construct's first line when that is before the problem's
// line (0 otherwise).
func parserLine(raw []byte, msg string, reported int) (line, begins int) {
	// Parsing alone finds a parser error (and is linear in the lines: a
	// mapping decoded into Go values checks each key against the others).
	node := func() any { return new(yaml.Node) }
	n, ok := firstFailing(raw, max(reported, 1), msg, node, true)
	if !ok {
		return reported + 1, 0
	}
	if n > reported+1 {
		begins = reported + 1
	}
	return n, begins
}

// failingLine finds the first line of raw at which raw, cut after it (and
// decoded into no type in particular), fails with the message msg, which
// names no line.
func failingLine(raw []byte, msg string) (line int, ok bool) {
	// A bad !!float is found decoding, not parsing.
	value := func() any { return new(any) }
	return firstFailing(raw, 1, msg, value, false)
}

// firstFailing finds, by bisection from line from to raw's last, a line n
// at which raw cut there fails with the message msg while raw cut a line
// earlier does not: the first such line wherever (as in the usual case)
// every longer cut fails the same way. v gives what to decode a cut into.
// A cut keeps line n's break when withBreak is set (the parser's line of a
// problem at the end is then the next one, as it is for the whole file);
// otherwise it ends before the break, a '\r' included.
func firstFailing(raw []byte, from int, msg string, v func() any, withBreak bool) (int, bool) {
	ends := lineEnds(raw)
	fails := func(n int) bool {
		cut := raw[:ends[n-1]]
		if !withBreak {
			cut = bytes.TrimRight(cut, "\r")
		} else if ends[n-1] < len(raw) {
			cut = raw[:ends[n-1]+1]
		}
		err := yaml.Unmarshal(cut, v())
		return err != nil && strings.TrimPrefix(err.Error(), "yaml: ") == msg
	}
	if from > len(ends) {
		return 0, false
	}
	// The smallest n in [from, len(ends)] with fails(n), if fails is
	// monotonic there.
	n := from + sort.Search(len(ends)-from+1, func(i int) bool { return fails(from + i) })
	if n > len(ends) || !fails(n) {
		return 0, false
	}
	return n, true
}

// lineEnds is the byte offset of the end of each line of raw (its '\n',
// or len(raw) for a last line without one).
func lineEnds(raw []byte) []int {
	var ends []int
	for i, b := range raw {
		if b == '\n' {
			ends = append(ends, i)
		}
	}
	if len(raw) == 0 || raw[len(raw)-1] != '\n' {
		ends = append(ends, len(raw))
	}
	return ends
}

// readerError tells the messages of YAML's reader, which checks the
// characters before the parser sees them and gives no position.
func readerError(msg string) bool {
	for _, s := range []string{"control characters", "UTF-8", "UTF-16", "Unicode character", "surrogate", "input error"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// badChar finds the first character of raw that a YAML file may not hold
// (YAML 1.2 allows tab, line breaks, printable ASCII, U+0085 and the
// printable ranges above U+00A0): its 1-based line and byte column and
// what it is. Files in UTF-16 (a byte order mark first) are not searched.
func badChar(raw []byte) (line, col int, what string, ok bool) {
	if bytes.HasPrefix(raw, []byte{0xfe, 0xff}) || bytes.HasPrefix(raw, []byte{0xff, 0xfe}) {
		return 0, 0, "", false
	}
	line, start := 1, 0
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRune(raw[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return line, i - start + 1, fmt.Sprintf("byte 0x%02x is not UTF-8", raw[i]), true
		case r == '\n':
			line, start = line+1, i+1
		case r == '\t' || r == '\r' || r == 0x85 || (r >= 0x20 && r <= 0x7e) ||
			(r >= 0xa0 && r <= 0xd7ff) || (r >= 0xe000 && r <= 0xfffd) || r >= 0x10000:
		default:
			return line, i - start + 1, fmt.Sprintf("character U+%04X", r), true
		}
		i += size
	}
	return 0, 0, "", false
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
		return regexp.MustCompile("(?s)^line (\\d+): cannot unmarshal !!(\\w+)(?: (`.*`))? into (.+)$")
	})
	// What it says of a value with any other tag where a mapping goes:
	// "line 1: cannot unmarshal !x `5` into sweep.File".
	tagRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile("(?s)^line (\\d+): cannot unmarshal (!.*?)(?: (`.*`))? into (.+)$")
	})
	// What yaml.v3 says of a key with no field: "line 3: field foo not
	// found in type sweep.Entry".
	unknownRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^line (\d+): field (.*) not found in type (\S+)$`) })
	lineRE    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^line (\d+): (.*)$`) })
	// What the decoder says of an alias of no anchor.
	unknownAnchorRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^unknown anchor '(.*)' referenced$`) })
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
