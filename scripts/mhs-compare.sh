#!/usr/bin/env bash
# MHS against vanilla (issue 5): for Letter, the Sector subset, Bibtex split 1
# and Delicious, train vanilla, MHS-1 and MHS-2 with the same data, encoder
# and epochs, and print P@1 (acc@1 on single-label data), P@5, the share of
# the classifier a step computed, and training time. About 6 minutes on two
# cores. Usage: scripts/mhs-compare.sh [DATASET...] (default: all four).
set -euo pipefail
cd "$(dirname "$0")/.."
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(letter sector bibtex delicious)
runs=()
for d in "${sets[@]}"; do
  runs+=("$d-vanilla" "$d-mhs,head.samples=1" "$d-mhs,head.samples=2")
done
exec scripts/compare.sh "${runs[@]}"
