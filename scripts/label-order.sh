#!/usr/bin/env bash
# The label-order ablation of SPEC §7 ("clustering is unnecessary"): MHC on
# Bibtex and Delicious with the labels in index order, a random order, and
# balanced 2-means cluster order; one Markdown table on stdout.
# Usage: scripts/label-order.sh [seeds]   (default 1; e.g. "1 2 3" averages)
set -euo pipefail
cd "$(dirname "$0")/.."
export MHE_DATA_DIR="${MHE_DATA_DIR:-$(cd .. && pwd)/shared/data}"
scripts/build.sh >/dev/null 2>&1
seeds=${1:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
metric() { grep -o "\"$1\": [0-9.e+-]*" "$2" | head -1 | awk '{print $2}'; }
echo "| dataset | label order | P@1 | P@3 | P@5 | PSP@1 | train s |"
echo "|---|---|---:|---:|---:|---:|---:|"
for ds in bibtex delicious; do
  for order in index random cluster; do
    sum1=0 sum3=0 sum5=0 sump=0 sumt=0 n=0
    for s in $seeds; do
      out="$tmp/$ds-$order-$s"
      bin/mhe train --config "configs/$ds-mhc.yaml" --out "$out" --quiet --threads 2 --format json \
        --set head.label_order=$order --set train.seed=$s --result "$out.json" >"$out.metrics"
      sum1=$(awk -v a="$sum1" -v b="$(metric 'p@1' "$out.metrics")" 'BEGIN{print a+100*b}')
      sum3=$(awk -v a="$sum3" -v b="$(metric 'p@3' "$out.metrics")" 'BEGIN{print a+100*b}')
      sum5=$(awk -v a="$sum5" -v b="$(metric 'p@5' "$out.metrics")" 'BEGIN{print a+100*b}')
      sump=$(awk -v a="$sump" -v b="$(metric 'psp@1' "$out.metrics")" 'BEGIN{print a+100*b}')
      sumt=$(awk -v a="$sumt" -v b="$(metric train_seconds "$out.json")" 'BEGIN{print a+b}')
      n=$((n+1))
    done
    awk -v d="$ds" -v o="$order" -v a="$sum1" -v b="$sum3" -v c="$sum5" -v p="$sump" -v t="$sumt" -v n="$n" \
      'BEGIN{printf "| %s | %s | %.2f | %.2f | %.2f | %.2f | %.1f |\n", d, o, a/n, b/n, c/n, p/n, t/n}'
  done
done
echo
echo "Seeds: $seeds. Same encoder, head lengths, beam and epochs in every row; only head.label_order changes."
