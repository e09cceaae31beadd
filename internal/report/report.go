// Package report renders small tables as aligned text, CSV or Markdown and
// writes JSON with a stable key order, for the reporting commands.
package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Format is an output format of a reporting command.
type Format string

const (
	Table    Format = "table"
	JSON     Format = "json"
	CSV      Format = "csv"
	Markdown Format = "markdown"
	LaTeX    Format = "latex"
)

// ParseFormat validates a format against the allowed ones.
func ParseFormat(s string, allowed ...Format) (Format, error) {
	f := Format(strings.ToLower(s))
	if f == "md" {
		f = Markdown
	}
	for _, a := range allowed {
		if f == a {
			return f, nil
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return "", fmt.Errorf("unknown format %q (want one of %s)", s, strings.Join(names, ", "))
}

// Grid is a table: a header row and data rows of cells.
type Grid struct {
	Header []string
	Rows   [][]string
	// RightAlign marks columns to right-align in text and Markdown output
	// (numbers).
	RightAlign []bool
}

// Write renders g in format f (Table, CSV, Markdown or LaTeX). A row
// shorter than the header is padded with empty cells (a CSV reader expects
// as many fields on every line). Outside CSV, which quotes them, a cell's
// line breaks become spaces, so that each row stays one line of the table.
func (g *Grid) Write(w io.Writer, f Format) error {
	g = g.normalized(f != CSV)
	switch f {
	case CSV:
		cw := csv.NewWriter(w)
		if err := cw.Write(g.Header); err != nil {
			return err
		}
		if err := cw.WriteAll(g.Rows); err != nil {
			return err
		}
		return cw.Error()
	case LaTeX:
		var b bytes.Buffer
		b.WriteString("\\begin{tabular}{")
		for i := range g.Header {
			if g.right(i) {
				b.WriteByte('r')
			} else {
				b.WriteByte('l')
			}
		}
		b.WriteString("}\n\\toprule\n" + strings.Join(escapeTeX(g.Header), " & ") + " \\\\\n\\midrule\n")
		for _, r := range g.Rows {
			b.WriteString(strings.Join(escapeTeX(r), " & ") + " \\\\\n")
		}
		b.WriteString("\\bottomrule\n\\end{tabular}\n")
		_, err := w.Write(b.Bytes())
		return err
	case Markdown:
		var b bytes.Buffer
		b.WriteString("| " + strings.Join(escapeMD(g.Header), " | ") + " |\n|")
		for i := range g.Header {
			if g.right(i) {
				b.WriteString("---:|")
			} else {
				b.WriteString("---|")
			}
		}
		b.WriteByte('\n')
		for _, r := range g.Rows {
			b.WriteString("| " + strings.Join(escapeMD(r), " | ") + " |\n")
		}
		_, err := w.Write(b.Bytes())
		return err
	default:
		all := g.Rows
		if g.Header != nil {
			all = append([][]string{g.Header}, g.Rows...)
		}
		ncol := len(g.Header)
		for _, r := range g.Rows {
			ncol = max(ncol, len(r))
		}
		widths := make([]int, ncol)
		for _, r := range all {
			for i, c := range r {
				if i < len(widths) {
					widths[i] = max(widths[i], utf8.RuneCountInString(c))
				}
			}
		}
		var b bytes.Buffer
		for _, r := range all {
			start := b.Len()
			for i, c := range r {
				if i >= len(widths) {
					break
				}
				pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
				if i > 0 {
					b.WriteString("  ")
				}
				if g.right(i) {
					b.WriteString(pad + c)
				} else if i == len(r)-1 {
					b.WriteString(c)
				} else {
					b.WriteString(c + pad)
				}
			}
			b.Truncate(start + len(bytes.TrimRight(b.Bytes()[start:], " "))) // an empty last cell
			b.WriteByte('\n')
		}
		_, err := w.Write(b.Bytes())
		return err
	}
}

// normalized returns a copy of g whose rows are at least as long as the
// header, with line breaks in cells made spaces when oneLine is set.
func (g *Grid) normalized(oneLine bool) *Grid {
	fix := func(r []string, n int) []string {
		out := make([]string, max(len(r), n))
		for i, c := range r {
			if oneLine && strings.ContainsAny(c, "\r\n") {
				c = strings.Join(strings.Fields(c), " ") // Fields splits at line breaks too
			}
			out[i] = c
		}
		return out
	}
	n := &Grid{RightAlign: g.RightAlign}
	if g.Header != nil {
		n.Header = fix(g.Header, 0)
	}
	for _, r := range g.Rows {
		n.Rows = append(n.Rows, fix(r, len(g.Header)))
	}
	return n
}

func (g *Grid) right(i int) bool { return i < len(g.RightAlign) && g.RightAlign[i] }

func escapeMD(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	return out
}

// escapeTeX escapes LaTeX's special characters; "±" becomes $\pm$ and
// "×" $\times$ (booktabs tables, as papers print them).
func escapeTeX(cells []string) []string {
	r := strings.NewReplacer(`\`, `\textbackslash{}`, "&", `\&`, "%", `\%`, "$", `\$`, "#", `\#`, "_", `\_`,
		"{", `\{`, "}", `\}`, "~", `\textasciitilde{}`, "^", `\textasciicircum{}`, "±", `$\pm$`, "×", `$\times$`)
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = r.Replace(c)
	}
	return out
}

// Object is a JSON object that keeps its keys in insertion order.
type Object struct {
	keys []string
	vals map[string]any
}

// Set adds or replaces a key.
func (o *Object) Set(key string, v any) *Object {
	if o.vals == nil {
		o.vals = map[string]any{}
	}
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = v
	return o
}

// MarshalJSON writes the keys in insertion order.
func (o *Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// WriteJSON writes v indented, with a final newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Percent formats a fraction as a percentage with 2 decimals.
func Percent(v float64) string { return fmt.Sprintf("%.2f", 100*v) }
