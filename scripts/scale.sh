#!/usr/bin/env bash
# Cost against the label count on built-in synthetic data: vanilla vs MHC at
# C = 10^4, 10^5, 10^6 (100,000 training rows, 10,000 test rows, an MLP
# encoder of 256 units, one epoch): training examples/s, prediction rows/s
# and peak RSS of each training process, beside what mhe plan prices
# (model and batch buffers, data not included). Vanilla runs on fewer rows where a
# full epoch would take hours (its rate per example is what the table
# compares). Markdown on stdout.
# Usage: scripts/scale.sh [labels...]   (default: 10000 100000 1000000)
#   SCALE_ROWS=N sets the MHC runs' training rows (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null 2>&1
labels=("$@")
base="${SCALE_ROWS:-100000}" # training rows of the MHC runs (environment)
[ ${#labels[@]} -gt 0 ] || labels=(10000 100000 1000000)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cfg() { # name method labels examples test_examples head-extra
  cat >"$tmp/$1.yaml" <<YAML
name: synthetic-$3
data:
  synth: {examples: $4, test_examples: $5, features: 100000, labels: $3, seed: 1}
  normalize: l2
encoder: {type: mlp, hidden: [256]}
head: {method: $2, $6}
train: {epochs: 1, batch_size: 256, lr: 0.003}
YAML
}
run() { # name -> "train_ex_per_s predict_rows_per_s rss_mib p@1"
  /usr/bin/time -f "%M" -o "$tmp/$1.rss" bin/mhe train --config "$tmp/$1.yaml" --out "$tmp/$1" --threads 2 --quiet --format json >"$tmp/$1.json"
  local tr pr rss p1
  tr=$(grep -o '"train_examples_per_sec": [0-9.e+-]*' "$tmp/$1/result.json" | awk '{printf "%.0f", $2}')
  pr=$(bin/mhe predict --model "$tmp/$1" --threads 2 --out /dev/null 2>&1 | grep '^predict: [0-9]* rows in' | grep -o '[0-9]* rows/s' | awk '{print $1}')
  rss=$(awk '{printf "%.0f", $1/1024}' "$tmp/$1.rss")
  p1=$(grep -o '"p@1": [0-9.e+-]*' "$tmp/$1.json" | awk '{printf "%.2f", 100*$2}')
  echo "$tr $pr $rss $p1"
}
printf "machine: %s, %s cores, threads 2\n\n" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(nproc)"
echo "| C | head | lengths | train rows | train ex/s | µs / train ex | predict rows/s | peak RSS MiB | plan MiB | P@1 |"
echo "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|"
for c in "${labels[@]}"; do
  for h in "mhc H=2" "mhc H=3" vanilla; do
    case $h in
      "mhc H=2") extra="heads: 2, beam: 16, bottleneck_dim: 64"; rows=$base; test=$((base / 10)) ;;
      "mhc H=3") extra="heads: 3, beam: 16, bottleneck_dim: 64"; rows=$base; test=$((base / 10)) ;;
      vanilla)   extra="loss: bce"; rows=$((base * 10000 / c)); test=$((base * 1000 / c))
                 [ $rows -gt $base ] && rows=$base; [ $test -gt $((base / 10)) ] && test=$((base / 10))
                 [ $rows -lt 2000 ] && rows=2000; [ $test -lt 1000 ] && test=1000 ;;
    esac
    name="c$c-${h// /}"; name=${name//=/}
    cfg "$name" "${h%% *}" "$c" "$rows" "$test" "$extra"
    planjson=$(bin/mhe plan --config "$tmp/$name.yaml" --format json | tr -d ' \n')
    lengths=$(grep -o '"lengths":\[[0-9,]*\]' <<<"$planjson" | sed 's/"lengths"://')
    planmib=$(grep -o '"train_memory_bytes":[0-9]*' <<<"$planjson" | awk -F: '{printf "%.0f", $2/1048576}')
    read -r tr pr rss p1 <<<"$(run "$name")"
    awk -v c="$c" -v h="$h" -v l="$lengths" -v n="$rows" -v tr="$tr" -v pr="$pr" -v rss="$rss" -v pm="$planmib" -v p1="$p1" \
      'BEGIN{printf "| %d | %s | %s | %d | %d | %.1f | %d | %d | %d | %s |\n", c, h, l, n, tr, 1e6/tr, pr, rss, pm, p1}'
  done
done
