#!/usr/bin/env bash
# train.rowwise_tables against Adam's per-weight state for MHC's label
# tables, on every multi-label dataset in $MHE_DATA_DIR: P@1 and P@5 of the
# test split as mean ± sample sd over training seeds, and the training
# process's median wall time, for each config as shipped (Adam) and with
# --set train.rowwise_tables=true, and the training memory `mhe plan
# --config` prices for each (model and batch buffers). These sets' label
# tables are small; on the paper's large sets, where they are most of the
# model, scripts/paper-shapes.sh with SET=train.rowwise_tables=true
# measures time and peak RSS. Markdown on stdout.
# Usage: scripts/rowwise-tables.sh [SEEDS]   (default "1 2 3 4 5")
# CONFIGS="rcv1-mhc yeast-mhc" runs those configs only.
set -euo pipefail
cd "$(dirname "$0")/.."
export MHE_DATA_DIR="${MHE_DATA_DIR:-$(cd .. && pwd)/shared/data}"
scripts/build.sh >/dev/null 2>&1
read -ra seeds <<<"${1:-1 2 3 4 5}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. scripts/lib/plt-targets.sh
. scripts/lib/stats.sh   # now, meansd, median
printf "machine: %s, %s cores, threads 2; seeds %s\n\n" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(nproc)" "${seeds[*]}"
echo "| dataset | Adam P@1 | row-wise P@1 | Adam P@5 | row-wise P@5 | Adam train s | row-wise train s | Adam plan MiB | row-wise plan MiB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in "${plt_rows[@]}"; do
  read -r name cfg _ <<<"$r"
  line="| $name |"
  declare -A p1 p5 secs
  for rw in false true; do
    p1[$rw]="" p5[$rw]="" secs[$rw]=""
    for sd in "${seeds[@]}"; do
      t0=$(now)
      bin/mhe train --config "configs/$cfg.yaml" --set train.rowwise_tables=$rw --seed "$sd" --out "$tmp/m" --force --threads 2 --quiet --format json >"$tmp/r.json"
      t1=$(now)
      get() { grep -o "\"$1\": [0-9.e+-]*" "$tmp/r.json" | head -1 | awk '{printf "%.2f", 100*$2}'; }
      p1[$rw]+=" $(get 'p@1')"
      p5[$rw]+=" $(get 'p@5')"
      secs[$rw]+=" $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}')"
    done
  done
  # What mhe plan --config prices for training (model and batch buffers).
  mib() { bin/mhe plan --config "configs/$cfg.yaml" --set train.rowwise_tables=$1 --format json | tr -d ' \n' | grep -o '"train_memory_bytes":[0-9]*' | cut -d: -f2 | awk '{printf "%.1f", $1 / 1048576}'; }
  line+=" $(meansd <<<"${p1[false]}") | $(meansd <<<"${p1[true]}") | $(meansd <<<"${p5[false]}") | $(meansd <<<"${p5[true]}") |"
  line+=" $(median <<<"${secs[false]}") | $(median <<<"${secs[true]}") | $(mib false) | $(mib true) |"
  echo "$line"
  unset p1 p5 secs
done
