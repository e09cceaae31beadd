#!/usr/bin/env bash
# Training and prediction throughput on Bibtex and Delicious, with two threads
# (THREADS="1 2" measures each config with one thread, then two: the model
# bytes do not depend on it, the time does, and not always in favour of two).
# Usage: [THREADS="1 2"] scripts/throughput.sh [configs...]   (default: the four below)
# Needs the shared datasets ($MHE_DATA_DIR, default ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
export MHE_DATA_DIR="${MHE_DATA_DIR:-$(cd .. && pwd)/shared/data}"
scripts/build.sh >/dev/null 2>&1
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(bibtex-vanilla bibtex-mhp delicious-vanilla delicious-mhp)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf "machine: %s, %s cores\n" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(nproc)"
printf "%-20s %7s %8s %14s %14s %16s %10s\n" config threads P@1 "train ex/s" "train s" "predict rows/s" "RSS MiB"
for c in "${configs[@]}"; do
for th in ${THREADS:-2}; do
  log="$tmp/$c.log"
  rm -rf "${tmp:?}/$c"
  bin/mhe train --config "configs/$c.yaml" --out "$tmp/$c" --threads "$th" --format json >"$tmp/$c.json" 2>"$log"
  p1=$(grep -o '"p@1": [0-9.]*' "$tmp/$c.json" | awk '{printf "%.2f", 100*$2}')
  tr=$(grep -o 'train: [0-9]* examples/s' "$log" | awk '{print $2}')
  secs=$(grep -o 'done: [0-9]* epochs in [0-9.]*s wall' "$log" | awk '{print $5}')
  rss=$(grep -o 'peak RSS [0-9]* MiB' "$log" | awk '{print $3}')
  # Prediction throughput with loading included: a separate process.
  pr=$(bin/mhe predict --model "$tmp/$c" --threads "$th" --out "$tmp/$c.pred" 2>&1 | grep '^predict: [0-9]* rows in' | grep -o '[0-9]* rows/s' | awk '{print $1}')
  printf "%-20s %7s %8s %14s %14s %16s %10s\n" "$c" "$th" "$p1" "$tr" "$secs" "$pr" "$rss"
done
done
