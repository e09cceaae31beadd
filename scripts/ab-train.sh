#!/usr/bin/env bash
# Is the working tree faster to train than a commit? Builds mhe at REV
# (default HEAD) and from the working tree, then trains each config with
# both binaries in alternation, ROUNDS times (default 6), and prints every
# wall time sorted, with the median, and whether the two models' weights are
# byte-identical. Alternating rounds spread a noisy machine's slow spells
# over both binaries; on a 2-core VM runs of one binary vary by 20%, so
# look at the medians of 6 or more rounds.
# Usage: [REV=HEAD] [ROUNDS=6] [THREADS=2] scripts/ab-train.sh config...
#   (configs by name, e.g. bibtex-mhc; needs $MHE_DATA_DIR, default ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
export MHE_DATA_DIR="${MHE_DATA_DIR:-$(cd .. && pwd)/shared/data}"
rev="${REV:-HEAD}" rounds="${ROUNDS:-6}" threads="${THREADS:-2}"
[ $# -gt 0 ] || { echo "usage: scripts/ab-train.sh config... (e.g. bibtex-mhc)" >&2; exit 2; }
for c in "$@"; do
  [ -f "configs/$c.yaml" ] || { echo "ab-train: no configs/$c.yaml (give config names, e.g. bibtex-mhc)" >&2; exit 2; }
done
tmp=$(mktemp -d)
. scripts/lib/ab-build.sh
ab_build ab-train "$rev" "$tmp"
echo "A = $rev ($(git rev-parse --short "$rev")), B = working tree; $rounds rounds, --threads $threads"
for c in "$@"; do
  for _ in $(seq "$rounds"); do
    for b in a b; do
      /usr/bin/time -f "%e" -o "$tmp/t" "$tmp/mhe-$b" train --config "configs/$c.yaml" --out "$tmp/$c-$b" --force --threads "$threads" --quiet >/dev/null
      cat "$tmp/t" >>"$tmp/$c-$b.times"
    done
  done
  same=no
  cmp -s "$tmp/$c-a"/weights-*.bin "$tmp/$c-b"/weights-*.bin && same=yes
  for b in a b; do
    sort -n "$tmp/$c-$b.times" | awk -v c="$c" -v b="$(echo $b | tr ab AB)" '{t[NR]=$1} END {m=(NR%2)?t[(NR+1)/2]:(t[NR/2]+t[NR/2+1])/2; s=""; for(i=1;i<=NR;i++) s=s" "t[i]; printf "%-20s %s  median %.2f s  (%s)\n", c, b, m, s}'
  done
  echo "$c: weights identical: $same"
done
