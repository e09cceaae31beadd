#!/usr/bin/env bash
# MHC's prediction beam (mhe predict/eval --beam): one model per dataset,
# trained with its config's beam, then predicted with each width; P@1/3/5
# and prediction rows/s of the test split as one Markdown table on stdout.
# Usage: scripts/predict-beam.sh ["datasets"] ["beams"]
#   defaults: "bibtex delicious" and "1 2 4 8 16 32 64"
set -euo pipefail
cd "$(dirname "$0")/.."
export MHE_DATA_DIR="${MHE_DATA_DIR:-$(cd .. && pwd)/shared/data}"
scripts/build.sh >/dev/null 2>&1
datasets=${1:-bibtex delicious}
beams=${2:-1 2 4 8 16 32 64}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
metric() { grep -o "\"$1\": [0-9.e+-]*" "$2" | head -1 | awk '{print $2}'; }
echo "| dataset | training beam | level-1 nodes | prediction beam | P@1 | P@3 | P@5 | predict rows/s |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for ds in $datasets; do
  model="$tmp/$ds"
  bin/mhe train --config "configs/$ds-mhc.yaml" --out "$model" --quiet --threads 2 >/dev/null
  train_beam=$(grep -o '"beam": [0-9]*' "$model/manifest.json" | head -1 | awk '{print $2}')
  l1=$(bin/mhe plan --model "$model" --format json | grep -A1 '"lengths"' | tail -1 | tr -dc '0-9')
  for b in $beams; do
    bin/mhe eval --model "$model" --beam "$b" --threads 2 --format json --result "$tmp/r.json" >"$tmp/m.json"
    awk -v d="$ds" -v t="$train_beam" -v l="$l1" -v b="$b" -v p1="$(metric 'p@1' "$tmp/m.json")" \
      -v p3="$(metric 'p@3' "$tmp/m.json")" -v p5="$(metric 'p@5' "$tmp/m.json")" -v r="$(metric predict_rows_per_sec "$tmp/r.json")" \
      'BEGIN{printf "| %s | %d | %d | %d | %.2f | %.2f | %.2f | %.0f |\n", d, t, l, b, 100*p1, 100*p3, 100*p5, r}'
  done
done
echo
echo "Seed 1, two threads; rows/s is the prediction of the whole test split (load excluded). A beam holding every level-1 node ranks all labels exactly by the model's path score."
