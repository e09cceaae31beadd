#!/usr/bin/env bash
# How scripts/ensemble.sh's recipe was chosen without the test rows: MHC
# ensembles against one model on nested folds of the training rows. The
# config's training rows become a file of their own (the test rows are in
# no run), split by the config's own rule (data.holdout_fold k scores the
# rows j % n == k-1). On each fold, seeds 1-5 train one model each, in the
# config's label order and in a random one; each seed s is scored alone and
# as the first of a 3-member ensemble (seeds s, s+1, s+2, wrapping round
# 5). mhe report pairs every row with the best by seed and fold.
# Usage: [CONFIGS="rcv1-mhc stackex-cooking-mhc stackex-cs-mhc"] scripts/ensemble-nested.sh [OUT]
#   (about 7 min for the three sets on two cores)
set -euo pipefail
cd "$(dirname "$0")/.."
export MHE_DATA_DIR="${MHE_DATA_DIR:-$(cd .. && pwd)/shared/data}"
out="${1:-results/ensemble-nested}"
configs="${CONFIGS:-rcv1-mhc stackex-cooking-mhc stackex-cs-mhc}"
. scripts/lib/training-rows.sh
scripts/build.sh >/dev/null 2>&1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seeds=5
for name in $configs; do
  cfg="configs/$name.yaml"
  every=$(holdout_every "$cfg")
  if [ -z "$every" ]; then
    echo "ensemble-nested: $cfg has no data.holdout_every: its test rows do not come from a rule over one file" >&2
    exit 2
  fi
  rm -rf "$tmp/data"
  training_rows_dir "$cfg" "$every" "$tmp/data"
  for order in index random; do
    for k in $(seq 1 "$every"); do
      for s in $(seq 1 "$seeds"); do
        MHE_DATA_DIR="$tmp/data" bin/mhe train --quiet --config "$cfg" --seed "$s" --set data.holdout_fold="$k" \
          --set head.label_order="$order" --out "$tmp/m-$s" --force >/dev/null
      done
      for s in $(seq 1 "$seeds"); do
        d="$out/$name/$order/fold$k"
        mkdir -p "$d"
        MHE_DATA_DIR="$tmp/data" bin/mhe eval --model "$tmp/m-$s" --result "$d/one-$s.result.json" >/dev/null
        members=()
        for j in 0 1 2; do members+=(--model "$tmp/m-$(( (s - 1 + j) % seeds + 1 ))"); done
        MHE_DATA_DIR="$tmp/data" bin/mhe eval "${members[@]}" --result "$d/ens3-$s.result.json" >/dev/null
      done
    done
  done
done
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "MHC ensembles of 3 against one model, nested folds of the training rows (seeds 1-$seeds per fold); $cpu"
for name in $configs; do
  echo
  echo "$name (rows labelled ensemble=3 are the ensembles; head.label_order as configured or random):"
  echo
  bin/mhe report "$out/$name" --sort p@1 --paired --metrics p@1,p@3,p@5 --format markdown
done
