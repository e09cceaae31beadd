#!/usr/bin/env bash
# Run every fuzz target for a while: scripts/fuzz.sh [seconds per target]
# [target regexp] (defaults 60, all). New crashers land in
# testdata/fuzz/<Target>/ of the package and stay there as regression tests
# (go test runs them). FUZZ_PARALLEL=N limits the fuzzing workers (default:
# one per core).
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
filter=${2:-.}
par=()
if [ -n "${FUZZ_PARALLEL:-}" ]; then par=(-parallel "$FUZZ_PARALLEL"); fi
targets=$(grep -rho --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . | sed 's/^func //' | sort -u | grep -E "$filter")
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in $targets; do
  pkg=$(grep -rl --include='*_test.go' "^func $t(" . | head -1 | xargs dirname)
  echo "== $t ($pkg, ${secs}s)"
  if go test "$pkg" -run '^$' -fuzz "^$t\$" -fuzztime "${secs}s" "${par[@]}" >"$log" 2>&1; then
    grep -E '^fuzz: elapsed' "$log" | tail -1
  else
    status=1
    tail -30 "$log"
  fi
done
exit $status
