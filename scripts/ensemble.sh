#!/usr/bin/env bash
# MHC ensembles (mhe predict/eval with --model repeated) on every
# multi-label dataset in $MHE_DATA_DIR, beside napkinXC's PLT (TARGETS.md's
# figures, this machine kind) and the members alone. Each dataset's config
# trains M members (seeds 1..M) with SETS (default: a random label order
# per member, so the members group labels differently, as Parabel's trees
# do); the ensemble is scored on the config's test split.
# "ens train s" is the members' training wall times added up (they are
# independent jobs: on a cluster, run them side by side); "ens predict s"
# is one mhe predict process with every member (loading included).
# Usage: [M=3] [SETS="head.label_order=random"] [CONFIGS="bibtex-mhc ..."] scripts/ensemble.sh [OUT]
#   OUT (default results/ensemble) keeps every member's result.json and the
#   ensemble's eval record; models go to a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
export MHE_DATA_DIR="${MHE_DATA_DIR:-$(cd .. && pwd)/shared/data}"
out="${1:-results/ensemble}"
m="${M:-3}"
sets="${SETS-head.label_order=random}"
scripts/build.sh >/dev/null 2>&1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
. scripts/lib/plt-targets.sh   # plt_rows: dataset config PLT P@1, train s, predict s (CONFIGS applied)
rows=("${plt_rows[@]}")
setargs=()
for s in $sets; do setargs+=(--set "$s"); done
. scripts/lib/stats.sh   # now
pct() { jq -r ".metrics[\"$1\"] * 100 | . * 100 | round / 100" "$2"; }
printf "machine: %s, %s cores, threads 2; %s members (seeds 1-%s), sets: %s\n\n" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(nproc)" "$m" "$m" "${sets:-none}"
echo "| dataset | ensemble P@1 | PLT P@1 | ensemble P@3 | ensemble P@5 | members' P@1 | best member P@1 | ens train s | PLT train s | ens predict s | PLT predict s |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in "${rows[@]}"; do
  read -r name cfg plt1 pltt pltp <<<"$r"
  models=()
  train_s=0
  for s in $(seq 1 "$m"); do
    t0=$(now)
    bin/mhe train --config "configs/$cfg.yaml" --seed "$s" "${setargs[@]}" --out "$tmp/$cfg-$s" --threads 2 --quiet \
      --result "$out/$cfg-member$s.result.json" >/dev/null
    t1=$(now)
    train_s=$(awk -v a="$train_s" -v b="$t0" -v c="$t1" 'BEGIN {print a + c - b}')
    models+=(--model "$tmp/$cfg-$s")
  done
  t0=$(now)
  bin/mhe predict "${models[@]}" --threads 2 --quiet --out "$tmp/$cfg.pred"
  t1=$(now)
  bin/mhe eval "${models[@]}" --threads 2 --result "$out/$cfg-ensemble.result.json" >/dev/null
  e="$out/$cfg-ensemble.result.json"
  members=$(for s in $(seq 1 "$m"); do pct p@1 "$out/$cfg-member$s.result.json"; done)
  msd=$(echo $members | awk '{for (i = 1; i <= NF; i++) {s += $i; q += $i * $i; if ($i > b) b = $i}; n = NF; mu = s / n; v = n > 1 ? (q - n * mu * mu) / (n - 1) : 0; if (v < 0) v = 0; printf "%.2f ± %.2f | %.2f", mu, sqrt(v), b}')
  printf "| %s | %.2f | %s | %.2f | %.2f | %s | %.2f | %s | %.2f | %s |\n" "$name" "$(pct p@1 "$e")" "$plt1" \
    "$(pct p@3 "$e")" "$(pct p@5 "$e")" "$msd" "$train_s" "$pltt" "$(awk -v b="$t0" -v c="$t1" 'BEGIN {print c - b}')" "$pltp"
done
