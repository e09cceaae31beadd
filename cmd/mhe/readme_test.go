package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/testutil"
)

// The documentation's command lines name real commands and real flags:
// every `mhe …` line of a shell block in README.md and configs/README.md,
// their inline code spans that start with "mhe ", every command's examples
// (its --help), and every mhe command line of scripts/*.sh (code and
// comments) is looked up in the command tree; each of its --flags must be
// one the command has, and each --set key a config key. A renamed or
// dropped flag then fails here, not in a new user's shell or a CI job's
// script.
func TestDocumentedCommandLines(t *testing.T) {
	root := newRootCmd(&streams{in: strings.NewReader(""), out: &bytes.Buffer{}, errOut: &bytes.Buffer{}}, &profiler{})
	// What cobra adds when it executes: help, completion, --version.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.InitDefaultVersionFlag()
	keys := configKeys()
	checked := 0
	// check checks the command lines of a Markdown text (shell blocks and
	// inline spans); where names a line of it in a message.
	check := func(text string, where func(line int) string) {
		for _, l := range documentedLines(text) {
			for _, seg := range commandSegments(l.text) {
				if problem := checkCommandLine(root, keys, seg); problem != "" {
					t.Errorf("%s: %s\n\t%s", where(l.line), problem, strings.Join(seg, " "))
				}
				checked++
			}
		}
	}
	repo := testutil.RepoRoot(t)
	for _, doc := range userDocs {
		check(readDoc(t, repo, doc), func(line int) string { return fmt.Sprintf("%s:%d", doc, line) })
	}
	for _, c := range allCommands(root) {
		check("```\n"+c.Example+"\n```", func(int) string { return "example of " + c.CommandPath() })
	}
	// The scripts' own command lines, and those of their usage comments.
	scripts, err := filepath.Glob(filepath.Join(repo, "scripts", "*.sh"))
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts/*.sh (%v)", err)
	}
	for _, path := range scripts {
		name := filepath.Join("scripts", filepath.Base(path))
		code := strings.ReplaceAll(readDoc(t, repo, name), "\n# ", "\n")
		check("```\n"+code+"\n```", func(line int) string { return fmt.Sprintf("%s:%d", name, line-1) })
	}
	t.Logf("%d command lines checked", checked)
	if checked < 50 {
		t.Errorf("checked only %d command lines: the documents' shape changed and the test no longer finds them", checked)
	}
}

// configKeys is the set of config keys.
func configKeys() map[string]bool {
	keys := map[string]bool{}
	for _, k := range config.Keys() {
		keys[k] = true
	}
	return keys
}

// The config keys the documents name in code spans (`train.rowwise_tables`,
// `head.lengths: [172, 23]`) are keys of the config.
func TestDocumentedConfigKeys(t *testing.T) {
	keys := configKeys()
	span := regexp.MustCompile("`((?:data|encoder|head|train|eval)\\.[a-z_0-9.]*[a-z_0-9])")
	repo := testutil.RepoRoot(t)
	seen := 0
	for _, doc := range userDocs {
		for i, l := range strings.Split(readDoc(t, repo, doc), "\n") {
			for _, m := range span.FindAllStringSubmatch(l, -1) {
				k := m[1]
				if ext := filepath.Ext(k); ext == ".txt" || ext == ".gz" || ext == ".yaml" || ext == ".json" {
					continue // a file name: train.txt
				}
				seen++
				if !keys[k] && !config.IsSection(k) {
					hint := ""
					if s := config.Suggest(k); s != "" {
						hint = " (did you mean " + s + "?)"
					}
					t.Errorf("%s:%d: `%s` is not a config key%s", doc, i+1, k, hint)
				}
			}
		}
	}
	if seen < 50 {
		t.Errorf("found only %d config keys in code spans: the documents' shape changed", seen)
	}
}

// userDocs are the documents a new user reads, relative to the repository.
var userDocs = []string{"README.md", "configs/README.md"}

func readDoc(t *testing.T, repo, doc string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repo, doc))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

type docLine struct {
	line int
	text string
}

var (
	inlineMHE     = regexp.MustCompile("`((?:bin/)?mhe [^`]*)`")
	envAssignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)
)

// documentedLines lists the shell lines of a Markdown document's ``` blocks
// (continuations joined) and its inline `mhe …` spans, with line numbers.
func documentedLines(doc string) []docLine {
	var out []docLine
	inBlock := false
	var cont strings.Builder
	start := 0
	for i, l := range strings.Split(doc, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			inBlock = !inBlock
			continue
		}
		if !inBlock {
			for _, m := range inlineMHE.FindAllStringSubmatch(l, -1) {
				out = append(out, docLine{i + 1, m[1]})
			}
			continue
		}
		if cont.Len() == 0 {
			start = i + 1
		}
		if s, ok := strings.CutSuffix(strings.TrimRight(l, " "), `\`); ok {
			cont.WriteString(s + " ")
			continue
		}
		cont.WriteString(l)
		out = append(out, docLine{start, cont.String()})
		cont.Reset()
	}
	return out
}

// commandSegments splits a shell line into the mhe invocations in it (after
// |, &&, || and ;, comments dropped), each as its words without the program.
func commandSegments(line string) [][]string {
	var out [][]string
	words := shellWords(line)
	var cur []string
	flush := func() {
		for len(cur) > 0 && (cur[0] == "$" || envAssignment.MatchString(cur[0])) {
			cur = cur[1:] // a prompt, or MHE_DATA_DIR=… mhe …
		}
		if len(cur) > 0 && (cur[0] == "mhe" || strings.HasSuffix(cur[0], "/mhe")) {
			out = append(out, cur[1:])
		}
		cur = nil
	}
	for _, w := range words {
		switch w {
		case "|", "&&", "||", ";":
			flush()
		default:
			cur = append(cur, w)
		}
	}
	flush()
	return out
}

// shellWords splits s into words as a shell would for the purpose here:
// quotes group, a # starting a word begins a comment, and the operators
// |, &&, || and ; are words of their own.
func shellWords(s string) []string {
	var words []string
	var w strings.Builder
	inWord := false
	var quote rune
	end := func() {
		if inWord {
			words = append(words, w.String())
		}
		w.Reset()
		inWord = false
	}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				w.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '#' && !inWord:
			end()
			return words
		case r == ' ' || r == '\t':
			end()
		case r == ';' || r == '|' || r == '&':
			end()
			op := string(r)
			if i+1 < len(rs) && (r == '|' || r == '&') && rs[i+1] == r {
				op += string(r)
				i++
			}
			if op != "&" { // a background job: the command before it stands
				words = append(words, op)
			}
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	end()
	return words
}

// checkCommandLine finds args' command in root and checks each --flag
// against it, and each --set key against keys; it returns what is wrong, or
// "".
func checkCommandLine(root *cobra.Command, keys map[string]bool, args []string) string {
	if len(args) > 0 && strings.ToUpper(args[0]) == args[0] && !strings.HasPrefix(args[0], "-") {
		return "" // a placeholder: mhe COMMAND --help
	}
	cmd, rest, err := root.Find(args) // an unknown command is an error
	if err != nil {
		return err.Error()
	}
	for i, a := range rest {
		if a == "--" {
			break
		}
		// --set KEY=VALUE names a config key.
		set, isSet := strings.CutPrefix(a, "--set=")
		if a == "--set" && i+1 < len(rest) {
			set, isSet = rest[i+1], true
		}
		if key, _, ok := strings.Cut(set, "="); isSet && ok && !keys[key] && strings.ToUpper(key) != key && !strings.Contains(key, "…") {
			return "--set " + key + ": no such config key"
		}
		name, ok := strings.CutPrefix(a, "--")
		if !ok || name == "" || strings.Contains(name, "…") || strings.ToUpper(name) == name {
			continue // not a flag, or a placeholder such as --FLAG
		}
		name, _, _ = strings.Cut(name, "=")
		if cmd.Flags().Lookup(name) == nil && cmd.InheritedFlags().Lookup(name) == nil && name != "help" {
			return cmd.CommandPath() + " has no flag --" + name
		}
	}
	return ""
}
