// Command mhe trains and evaluates Multi-Head Encoding classifiers for
// extreme label classification. See README.md.
package main

import (
	"os"

	"golang.org/x/term"
)

func main() {
	s := &streams{
		in: os.Stdin, out: os.Stdout, errOut: os.Stderr,
		errTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
	gcLimit = setGCLimit(os.Getenv("GOMEMLIMIT"), memoryLimit)
	os.Exit(Main(os.Args[1:], s))
}
