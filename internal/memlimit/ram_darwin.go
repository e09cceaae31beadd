package memlimit

// ramSysctl names the machine's RAM in bytes.
const ramSysctl = "hw.memsize"
