package atomicfile

import (
	"errors"

	"golang.org/x/sys/windows"
)

// processGone reports whether no process with this pid is running (on
// this host): OpenProcess refuses a pid no process has, and a process
// that has exited while a handle keeps it known has an exit code other
// than STILL_ACTIVE. A pid in use again by another process counts as
// alive, which only keeps a file.
func processGone(pid int) bool {
	if pid <= 0 {
		return false
	}
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return errors.Is(err, windows.ERROR_INVALID_PARAMETER)
	}
	defer windows.CloseHandle(h)
	var code uint32
	if windows.GetExitCodeProcess(h, &code) != nil {
		return false
	}
	return code != stillActive
}

// stillActive is the exit code of a process that has not exited
// (STILL_ACTIVE).
const stillActive = 259
