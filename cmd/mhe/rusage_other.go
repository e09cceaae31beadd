//go:build !unix && !windows

package main

// resourceUsage is unknown here (no getrusage): records show 0 for CPU time
// and peak RSS.
func resourceUsage() usage { return usage{} }
