#!/usr/bin/env bash
# MHS training cost on built-in synthetic data with 10^5 labels (issue 5):
# one epoch of configs/synthetic-100k-mhs.yaml (1,000 heads of 100 labels,
# MLP encoder of 256 units, batch 128) as MHS-1, MHS-2 and the vanilla
# classifier (head.method=vanilla), same data and encoder. Prints seconds per
# epoch, training examples/s, the share of the classifier a step computed
# and the epoch time as a fraction of vanilla's. Markdown on stdout.
# Usage: scripts/mhs-speed.sh [EXAMPLES]   (training rows, default 20000;
# vanilla takes ~10 ms per row on two cores, so ~4 minutes at the default)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null 2>&1
examples="${1:-20000}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
field() { { grep -o "\"$1\":[0-9.e+-]*" "$2" || true; } | head -1 | cut -d: -f2; }
printf "machine: %s, %s cores, threads 2; C = 100,000, %s training rows, one epoch\n\n" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(nproc)" "$examples"
echo "| head | s / epoch | train ex/s | classifier share computed | epoch time / vanilla's |"
echo "|---|---:|---:|---:|---:|"
declare -A secs share rate
for run in vanilla mhs1 mhs2; do
  case $run in
    vanilla) set=(--set head.method=vanilla) ;;
    mhs1) set=(--set head.samples=1) ;;
    mhs2) set=(--set head.samples=2) ;;
  esac
  bin/mhe train --config configs/synthetic-100k-mhs.yaml "${set[@]}" \
    --set data.synth.examples="$examples" --set data.synth.test_examples=1000 --set train.epochs=1 \
    --out "$tmp/$run" --threads 2 --quiet >/dev/null
  m="$tmp/$run/metrics.jsonl"
  secs[$run]=$(field seconds "$m")
  rate[$run]=$(field examples_per_sec "$m")
  share[$run]=$(field selected_share "$m")
  share[$run]=${share[$run]:-1}
done
for run in mhs1 mhs2 vanilla; do
  name=$run
  case $run in mhs1) name="MHS-1" ;; mhs2) name="MHS-2" ;; esac
  awk -v n="$name" -v s="${secs[$run]}" -v r="${rate[$run]}" -v sh="${share[$run]}" -v v="${secs[vanilla]}" \
    'BEGIN { printf "| %s | %.1f | %.0f | %.3f | %.3f |\n", n, s, r, sh, s / v }'
done
