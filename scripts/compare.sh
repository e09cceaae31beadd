#!/usr/bin/env bash
# Train pairs of configs (same data, encoder and epochs; different heads) and
# print one row each: accuracy, classifier parameters and their ratio to
# vanilla (as mhe plan computes them), training time.
# Usage: scripts/compare.sh RUN... where RUN is a config name under configs/
# (without .yaml), optionally followed by ,key=value overrides passed as
# --set (e.g. letter-mhs,head.samples=1).
# Default: the single-label MHP-vs-vanilla pairs of issue 3.
set -euo pipefail
cd "$(dirname "$0")/.."
export MHE_DATA_DIR="${MHE_DATA_DIR:-$(cd .. && pwd)/shared/data}"
scripts/build.sh >/dev/null 2>&1
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(letter-vanilla letter-mhp sector-vanilla sector-mhp synthetic-10k-vanilla synthetic-10k-mhp)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf "machine: %s, %s cores, threads 2\n" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(nproc)"
printf "%-36s %8s %8s %8s %14s %10s %9s %10s\n" run P@1 acc@1 P@5 "clf params" "vs vanilla" "computed" "train s"
for run in "${configs[@]}"; do
  IFS=, read -r -a parts <<<"$run"
  sets=()
  for kv in "${parts[@]:1}"; do sets+=(--set "$kv"); done
  c=$(echo "$run" | tr ',=/' '_-_')
  bin/mhe train --config "configs/${parts[0]}.yaml" "${sets[@]}" --out "$tmp/$c" --threads 2 --quiet --format json --result "$tmp/$c.result.json" >"$tmp/$c.json"
  get() { { grep -o "\"$1\": [0-9.e+-]*" "$2" || true; } | head -1 | awk '{print $2}'; }
  p1=$(get 'p@1' "$tmp/$c.json" | awk '{printf "%.2f", 100*$1}')
  a1=$(get 'acc@1' "$tmp/$c.json" | awk '{ if ($1 == "") print "-"; else printf "%.2f", 100*$1}')
  p5=$(get 'p@5' "$tmp/$c.json" | awk '{printf "%.2f", 100*$1}')
  params=$(get params "$tmp/$c.result.json")
  ratio=$(get param_ratio "$tmp/$c.result.json" | awk '{printf "%.4f", $1}')
  secs=$(get train_seconds "$tmp/$c.result.json" | awk '{printf "%.1f", $1}')
  # Share of the classifier a training step computed (MHS; 1 otherwise).
  share=$({ grep -o '"selected_share":[0-9.e+-]*' "$tmp/$c/metrics.jsonl" || true; } | cut -d: -f2 | awk '{s+=$1; n++} END {if (n) printf "%.3f", s/n; else print "1"}')
  printf "%-36s %8s %8s %8s %14s %10s %9s %10s\n" "$run" "$p1" "${a1:--}" "$p5" "$params" "$ratio" "$share" "$secs"
done
