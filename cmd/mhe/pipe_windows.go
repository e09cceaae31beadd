package main

import (
	"errors"
	"syscall"

	"golang.org/x/sys/windows"
)

// closedPipe says whether err is a write to a pipe whose reader has gone
// (mhe predict … | more): Windows reports ERROR_NO_DATA ("the pipe is
// being closed"), or ERROR_BROKEN_PIPE, where Unix reports EPIPE.
func closedPipe(err error) bool {
	return errors.Is(err, windows.ERROR_NO_DATA) || errors.Is(err, windows.ERROR_BROKEN_PIPE) || errors.Is(err, syscall.EPIPE)
}
