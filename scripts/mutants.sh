#!/usr/bin/env bash
# Mutation testing of one or more packages with gremlins (pinned, fetched
# through the Go module proxy like the dependencies): each mutant changes
# one operator in the package's code (< to <=, == to !=, + to -, a sign)
# and runs the package's own tests against it. The report lists the mutants
# no test caught (LIVED) and those that ran past the time limit (TIMED OUT,
# a loop that no longer ends: caught).
#
# A LIVED line is a place to look, not a verdict: many are equivalent
# mutants (a bound that an equal value passes either way, a buffer grown
# by another rule, an early exit), and some are caught by tests of other
# packages (cmd/mhe, tests/corpus) that a package's own run does not see.
# The rest are behaviour no test pins; the tests added from such lists are
# named in the commits that cite this script.
#
# Usage: scripts/mutants.sh [PACKAGE...]   (default ./internal/eval)
#   e.g. scripts/mutants.sh ./internal/eval ./internal/heads ./cmd/mhe
# MUTANTS_EXCLUDE=REGEXP leaves out the files it matches (gremlins -E),
# e.g. to mutate a few files of a large package.
# MUTANTS_WORKERS=N sets the parallel test runs (default 2). Tests that read
# the shared data use MHE_DATA_DIR as everywhere else. About 5 minutes for
# internal/eval and 17 for internal/heads on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
export MHE_DATA_DIR="${MHE_DATA_DIR:-$(cd .. && pwd)/shared/data}"
# gremlins sets each mutant's time limit from its own first run of the
# tests: a result go test had cached made that run take a fraction of a
# second, and every mutant of internal/train "timed out". No caching.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-count=1"
gremlins=github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0
pkgs=("$@")
if [ ${#pkgs[@]} -eq 0 ]; then pkgs=(./internal/eval); fi
# gremlins names a mutant's package by finding the package's name in its
# directory's path; "main" (cmd/mhe) is in none, so every mutant there ran
# `go test` of the module's root, which has no package, and was counted as
# killed: 100% of a run that tested nothing. A main package is therefore
# mutated in a copy of the tree in which it is named after its directory
# (its tests do not depend on the name).
root=$(pwd)
copy=""
trap '[ -z "$copy" ] || rm -rf "$copy"' EXIT
status=0
for pkg in "${pkgs[@]}"; do
  echo "== $pkg"
  dir=$root
  if grep -qx 'package main' "$pkg"/*.go 2>/dev/null; then
    if [ -z "$copy" ]; then
      copy=$(mktemp -d)
      tar -C "$root" --exclude=./.git --exclude=./bin --exclude=./runs --exclude=./results -cf - . | tar -C "$copy" -xf -
    fi
    sed -i "s/^package main\$/package $(basename "$pkg")/" "$copy/$pkg"/*.go
    dir=$copy
  fi
  if ! (cd "$dir" && go run "$gremlins" unleash --workers "${MUTANTS_WORKERS:-2}" -S lt ${MUTANTS_EXCLUDE:+-E "$MUTANTS_EXCLUDE"} "$pkg"); then
    status=1
  fi
done
exit $status
