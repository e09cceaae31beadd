#!/usr/bin/env bash
# Run every fuzz target for a while: scripts/fuzz.sh [seconds per target]
# (default 60). New crashers land in testdata/fuzz/<Target>/ of the package
# and stay there as regression tests.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
targets=$(grep -rho --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . | sed 's/^func //' | sort -u)
status=0
for t in $targets; do
  pkg=$(grep -rl --include='*_test.go' "^func $t(" . | head -1 | xargs dirname)
  echo "== $t ($pkg, ${secs}s)"
  if ! go test "$pkg" -run '^$' -fuzz "^$t\$" -fuzztime "${secs}s" 2>&1 | tail -3; then
    status=1
  fi
done
exit $status
