//go:build !windows

package main

import (
	"errors"
	"syscall"
)

// closedPipe says whether err is a write to a pipe whose reader has gone
// (mhe predict … | head): EPIPE, since mhe ignores SIGPIPE.
func closedPipe(err error) bool { return errors.Is(err, syscall.EPIPE) }
