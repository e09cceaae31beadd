#!/usr/bin/env bash
# How long and how much memory the paper datasets' MHC configs take on this
# machine, before their data is downloaded: each config trains one epoch on
# built-in synthetic rows shaped like the dataset (its features, labels, and
# mean labels and features per row, as the Extreme Classification
# Repository lists them for the BoW files), and the rates are extrapolated
# to the dataset's training rows and the config's epochs. Synthetic rows are
# not the real ones (their feature draws repeat a little, so rows hold
# slightly fewer distinct features, and the label frequencies follow the
# generator's power law), so the times are estimates; memory is the model's
# and the batch buffers' (the real data adds its own: about 8 bytes a
# nonzero and 4 a label). Markdown on stdout.
# Usage: scripts/paper-shapes.sh [ROWS [CONFIG...]]
#   ROWS: training rows per run (default 20000; a dataset with fewer rows
#   uses all of them), CONFIG: eurlex4k wiki10-31k amazoncat-13k
#   amazon-670k wiki-500k amazon-3m (default: all six; Amazon-3M's model
#   needs about 12 GiB, 5.2 GiB with train.rowwise_tables).
# SET="train.rowwise_tables=true ..." adds those --set overrides to every
# config (plan and training alike).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null 2>&1
rows="${1:-20000}"
shift || true
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(eurlex4k wiki10-31k amazoncat-13k amazon-670k wiki-500k amazon-3m)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# name: train rows, features, labels, mean labels a row, mean features a row
shape() {
  case $1 in
    eurlex4k)      echo 15539 5000 3993 5.31 236.8 ;;
    wiki10-31k)    echo 14146 101938 30938 18.64 673.45 ;;
    amazoncat-13k) echo 1186239 203882 13330 5.04 71.09 ;;
    amazon-670k)   echo 490449 135909 670091 5.45 75.68 ;;
    wiki-500k)     echo 1779881 2381304 501070 4.75 385.33 ;;
    amazon-3m)     echo 1717899 337067 2812281 36.04 36.17 ;;
    *) echo "paper-shapes: unknown config $1" >&2; exit 2 ;;
  esac
}
printf "machine: %s, %s cores, threads 2; %s synthetic training rows a run (fewer where the dataset has fewer)%s\n\n" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(nproc)" "$rows" "${SET:+; --set ${SET}}"
echo "| config | C | lengths | beam | train rows | train ex/s | est. epoch | epochs | est. training | predict rows/s | peak RSS MiB | plan MiB |"
echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for s in "${sets[@]}"; do
  read -r n d c l f <<<"$(shape "$s")"
  cfg="configs/$s-mhc.yaml"
  r=$((rows < n ? rows : n))
  # The synthetic generator's feature draws per row: a little above the
  # distinct features wanted, as draws repeat.
  draws=$(awk -v f="$f" 'BEGIN{printf "%d", f + 0.5}')
  set_args=(--set data.train= --set data.test= --set data.synth.examples="$r" --set data.synth.test_examples=$((r / 10))
    --set data.synth.features="$d" --set data.synth.labels="$c" --set data.synth.avg_labels="$l"
    --set data.synth.avg_features="$draws" --set train.epochs=1)
  for kv in ${SET:-}; do set_args+=(--set "$kv"); done
  epochs=$(grep -E '^  epochs:' "$cfg" | awk '{print $2}')
  planjson=$(bin/mhe plan --config "$cfg" "${set_args[@]}" --format json | tr -d ' \n')
  lengths=$(grep -o '"lengths":\[[0-9,]*\]' <<<"$planjson" | sed 's/"lengths"://')
  beam=$(grep -o '"beam":[0-9]*' <<<"$planjson" | head -1 | cut -d: -f2)
  planmib=$(grep -o '"train_memory_bytes":[0-9]*' <<<"$planjson" | awk -F: '{printf "%.0f", $2/1048576}')
  /usr/bin/time -f "%M" -o "$tmp/$s.rss" bin/mhe train --config "$cfg" "${set_args[@]}" --out "$tmp/$s" --threads 2 --quiet >/dev/null 2>"$tmp/$s.err" || {
    cat "$tmp/$s.err" >&2
    exit 1
  }
  tr=$(grep -o '"train_examples_per_sec": [0-9.e+-]*' "$tmp/$s/result.json" | awk '{printf "%.0f", $2}')
  pr=$(grep -o '"predict_rows_per_sec": [0-9.e+-]*' "$tmp/$s/result.json" | awk '{printf "%.0f", $2}')
  rss=$(awk '{printf "%.0f", $1/1024}' "$tmp/$s.rss")
  awk -v s="$s" -v c="$c" -v len="$lengths" -v b="$beam" -v r="$r" -v tr="$tr" -v n="$n" -v e="$epochs" -v pr="$pr" -v rss="$rss" -v pm="$planmib" '
    function dur(x) { return x < 120 ? sprintf("%.0f s", x) : (x < 7200 ? sprintf("%.0f min", x / 60) : sprintf("%.1f h", x / 3600)) }
    BEGIN { printf "| %s | %d | %s | %s | %d | %d | %s | %d | %s | %d | %d | %d |\n", s, c, len, b, r, tr, dur(n / tr), e, dur(e * n / tr), pr, rss, pm }'
  rm -rf "${tmp:?}/$s"
done
