#!/usr/bin/env bash
# Run every fuzz target for a while: scripts/fuzz.sh [seconds per target]
# [target regexp] (defaults 60, all). New crashers land in
# testdata/fuzz/<Target>/ of the package and stay there as regression tests
# (go test runs them). FUZZ_PARALLEL=N limits the fuzzing workers (default:
# one per core).
#
# FUZZ_MINIMIZE (default 3s) bounds the time spent shrinking each input the
# fuzzer keeps. Go's default, 60s, applies to every new interesting input
# too, not only to crashers: FuzzLoadConfig, whose seeds are the shipped
# configs (a kilobyte each, a config load a step), spent all of a 45 s run
# shrinking one input and ran 62 inputs; with 3s it ran about 2,700 in 30 s
# and kept 20 new ones. A crasher is written either way.
#
# Go 1.26's fuzz coordinator can end a duration-bounded run with a bare
# "context deadline exceeded" failure and no crasher (a shutdown race at the
# -fuzztime boundary, golang/go#75804, fixed in Go 1.27). A failure that
# says so and writes no new file under testdata/fuzz/<Target>/ is reported
# as that flake and does not fail the script; any other failure, and any
# failure that leaves a crasher, does (exit 1).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
secs=${1:-60}
filter=${2:-.}
par=()
if [ -n "${FUZZ_PARALLEL:-}" ]; then par=(-parallel "$FUZZ_PARALLEL"); fi
targets=$(grep -rho --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . | sed 's/^func //' | sort -u | grep -E "$filter")
status=0
passed=0 failed=0 flaked=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
crashers() { ls "$1/testdata/fuzz/$2" 2>/dev/null | sort; }
for t in $targets; do
  pkg=$(grep -rl --include='*_test.go' "^func $t(" . | head -1 | xargs dirname)
  echo "== $t ($pkg, ${secs}s)"
  before=$(crashers "$pkg" "$t")
  if go test "$pkg" -run '^$' -fuzz "^$t\$" -fuzztime "${secs}s" -fuzzminimizetime "${FUZZ_MINIMIZE:-3s}" "${par[@]}" >"$log" 2>&1; then
    grep -E '^fuzz: elapsed' "$log" | tail -1
    passed=$((passed + 1))
  elif [ "$(crashers "$pkg" "$t")" = "$before" ] && grep -q 'context deadline exceeded' "$log" &&
    ! grep -qE 'panic:|Failing input written' "$log"; then
    grep -E '^fuzz: elapsed' "$log" | tail -1
    echo "flake: 'context deadline exceeded' at the -fuzztime boundary and no crasher written (Go's golang/go#75804); not a failure"
    flaked=$((flaked + 1))
  else
    status=1
    failed=$((failed + 1))
    tail -30 "$log"
  fi
done
echo "fuzz: $passed passed, $failed failed, $flaked flaked (golang/go#75804)"
exit $status
