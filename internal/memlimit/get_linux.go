package memlimit

// Get returns this process's memory limit.
func Get() Limit { return FromRoot("/") }
