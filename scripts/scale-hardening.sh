#!/usr/bin/env bash
# Scale and memory (issue 6): built-in synthetic data with 10^6 examples,
# 10^6 features and 10^6 labels — write it, load it (mhe data stats), train
# MHC (H = 3) for one epoch, predict the held-out rows — then stream 10^6
# and 10^7 generated rows through mhe predict (data synth --out - | mhe
# predict --input -) to show that prediction memory does not grow with the
# row count. Peak RSS of every process (GNU time). Markdown on stdout.
# Usage: scripts/scale-hardening.sh [EXAMPLES] [STREAM_ROWS...]
#   (defaults 1000000 and 1000000 10000000; about 25 minutes on two cores)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null 2>&1
n="${1:-1000000}"
shift || true
streams=("$@")
[ ${#streams[@]} -gt 0 ] || streams=(1000000 10000000)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
measure() { # name cmd... -> "seconds rss_mib"
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$tmp/$name.time" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || {
    cat "$tmp/$name.err" >&2
    exit 1
  }
  awk '{printf "%.1f %.0f\n", $1, $2 / 1024}' "$tmp/$name.time"
}
printf "machine: %s, %s cores, threads 2\n\n" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(nproc)"
echo "| step | rows | wall s | peak RSS MiB | notes |"
echo "|---|---:|---:|---:|---|"
read -r s r < <(measure synth bin/mhe data synth --examples "$n" --features 1000000 --labels 1000000 --seed 1 \
  --out "$tmp/big.txt.gz" --test-examples 10000 --test-out "$tmp/test.txt.gz")
echo "| data synth (gzip) | $n | $s | $r | $(du -h "$tmp/big.txt.gz" | cut -f1) compressed |"
read -r s r < <(measure stats bin/mhe data stats "$tmp/big.txt.gz" --format json)
nnz=$(grep -o '"nnz": [0-9]*' "$tmp/stats.out" | head -1 | awk '{print $2}')
lab=$(grep -o '"label_assignments": [0-9]*' "$tmp/stats.out" | head -1 | awk '{print $2}')
per=$(awk -v r="$r" -v z="$nnz" -v l="${lab:-0}" 'BEGIN { printf "%.1f", r / ((z + l) / 1e6) }')
echo "| load (data stats) | $n | $s | $r | $nnz feature nnz, ${lab:-?} label nnz: $per MiB per 10^6 nnz |"
cat >"$tmp/mhc.yaml" <<YAML
name: synthetic-1m
data: {format: xc, train: $tmp/big.txt.gz, test: $tmp/test.txt.gz, normalize: l2}
encoder: {type: mlp, hidden: [256]}
head: {method: mhc, heads: 3, beam: 10, bottleneck_dim: 64}
train: {epochs: 1, batch_size: 256, lr: 0.003}
YAML
read -r s r < <(measure train bin/mhe train --config "$tmp/mhc.yaml" --out "$tmp/mhc" --threads 2 --quiet --format json)
p1=$(grep -o '"p@1": [0-9.e+-]*' "$tmp/train.out" | head -1 | awk '{printf "%.2f", 100 * $2}')
echo "| train MHC H=3, one epoch (+ predict and evaluate 10,000 test rows) | $n | $s | $r | P@1 $p1 |"
read -r s r < <(measure predict bin/mhe predict --model "$tmp/mhc" --input "$tmp/test.txt.gz" --out "$tmp/pred.txt" --threads 2)
echo "| predict (MHC, C = 10^6) | 10000 | $s | $r | |"
# A small model for the streaming runs: rows are generated on the fly.
bin/mhe data synth --examples 50000 --features 100000 --labels 1000 --seed 2 --out "$tmp/small.txt" --quiet
cat >"$tmp/small.yaml" <<YAML
name: stream
data: {format: xc, train: $tmp/small.txt, normalize: l2}
encoder: {type: mlp, hidden: [128]}
head: {method: mhp, heads: 2}
train: {epochs: 1, batch_size: 256, lr: 0.003}
YAML
bin/mhe train --config "$tmp/small.yaml" --out "$tmp/small" --threads 2 --quiet >/dev/null
for rows in "${streams[@]}"; do
  cat >"$tmp/stream.sh" <<SH
set -o pipefail
bin/mhe data synth --examples $rows --features 100000 --labels 1000 --seed 3 --out - --quiet |
  /usr/bin/time -f "%e %M" -o "$tmp/stream-$rows.time" bin/mhe predict --model "$tmp/small" --input - --input-format xc --out /dev/null --threads 2 --quiet
SH
  bash "$tmp/stream.sh"
  read -r s r < <(awk '{printf "%.1f %.0f\n", $1, $2 / 1024}' "$tmp/stream-$rows.time")
  echo "| predict, streamed from stdin (MHP, C = 1,000) | $rows | $s | $r | $(awk -v n="$rows" -v s="$s" 'BEGIN { printf "%.0f rows/s", n / s }') |"
done
