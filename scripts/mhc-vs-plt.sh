#!/usr/bin/env bash
# MHC against napkinXC's label tree (PLT), the closest CPU peer, on every
# multi-label dataset in $MHE_DATA_DIR: P@1 and wall-clock seconds of whole
# processes (file reading included), two threads, beside the PLT figures of
# ../shared/docs/TARGETS.md (measured on this machine kind).
# mhe's "train s" includes predicting the test split at the end of training.
# SEEDS="1 2 3 4 5" adds a column: MHC's P@1 mean ± sample sd over those
# training seeds (one PLT run cannot show its spread; ours can).
# With LIBLINEAR's liblinear-train on PATH (apt-get install liblinear-tools),
# the table adds scripts/pltreplica, a replica of napkinXC's PLT trained on
# the same rows (for SEEDS, with those seeds of its k-means tree), so the
# peer's own spread shows too. CONFIGS="rcv1-mhc yeast-mhc" runs those
# configs only.
set -euo pipefail
cd "$(dirname "$0")/.."
export MHE_DATA_DIR="${MHE_DATA_DIR:-$(cd .. && pwd)/shared/data}"
scripts/build.sh >/dev/null 2>&1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. scripts/lib/plt-targets.sh   # plt_rows: dataset config PLT P@1, train s, predict s (CONFIGS applied)
rows=("${plt_rows[@]}")
. scripts/lib/stats.sh   # now, meansd
printf "machine: %s, %s cores, threads 2\n\n" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(nproc)"
read -ra seeds <<<"${SEEDS:-}"
replica=""
if command -v liblinear-train >/dev/null; then
  go build -o bin/pltreplica ./scripts/pltreplica && replica=1
fi
head="| dataset | MHC P@1 | PLT P@1 | MHC train s | PLT train s | MHC predict s | PLT predict s | MHC P@3 | MHC P@5 |"
rule="|---|---:|---:|---:|---:|---:|---:|---:|---:|"
if [ ${#seeds[@]} -gt 0 ]; then
  head="$head MHC P@1, seeds ${SEEDS// /,} |"
  rule="$rule---:|"
fi
if [ -n "$replica" ]; then
  head="$head PLT replica P@1 |"
  rule="$rule---:|"
  if [ ${#seeds[@]} -gt 0 ]; then
    head="$head PLT replica P@1, seeds ${SEEDS// /,} |"
    rule="$rule---:|"
  fi
fi
echo "$head"
echo "$rule"
replicaP1() { bin/pltreplica --config "configs/$1.yaml" --seed "$2" | sed 's/.*P@1 \([0-9.]*\) .*/\1/'; }
for r in "${rows[@]}"; do
  read -r name cfg plt1 pltt pltp <<<"$r"
  t0=$(now)
  bin/mhe train --config "configs/$cfg.yaml" --out "$tmp/$cfg" --threads 2 --quiet --format json >"$tmp/$cfg.json"
  t1=$(now)
  bin/mhe predict --model "$tmp/$cfg" --threads 2 --quiet --out "$tmp/$cfg.pred"
  t2=$(now)
  get() { grep -o "\"$1\": [0-9.e+-]*" "$tmp/$cfg.json" | head -1 | awk '{printf "%.2f", 100*$2}'; }
  spread=""
  if [ ${#seeds[@]} -gt 0 ]; then
    vals=""
    own=$(grep -o '"seed": [0-9]*' "$tmp/$cfg/result.json" | head -1 | awk '{print $2}')
    for sd in "${seeds[@]}"; do
      out="$tmp/$cfg.json" # the config's own seed was trained above
      if [ "$sd" != "$own" ]; then
        out="$tmp/$cfg-s$sd.json"
        bin/mhe train --config "configs/$cfg.yaml" --out "$tmp/$cfg-s$sd" --threads 2 --quiet --format json --set "train.seed=$sd" >"$out"
        rm -rf "$tmp/$cfg-s$sd"
      fi
      vals="$vals $(grep -o '"p@1": [0-9.e+-]*' "$out" | head -1 | awk '{print 100*$2}')"
    done
    spread=" $(meansd <<<"$vals") |"
  fi
  if [ -n "$replica" ]; then
    spread="$spread $(replicaP1 "$cfg" 1) |"
    if [ ${#seeds[@]} -gt 0 ]; then
      vals=""
      for sd in "${seeds[@]}"; do
        vals="$vals $(replicaP1 "$cfg" "$sd")"
      done
      spread="$spread $(meansd <<<"$vals") |"
    fi
  fi
  awk -v n="$name" -v p1="$(get 'p@1')" -v q1="$plt1" -v a="$t0" -v b="$t1" -v c="$t2" -v qt="$pltt" -v qp="$pltp" -v p3="$(get 'p@3')" -v p5="$(get 'p@5')" -v sp="$spread" \
    'BEGIN{printf "| %s | %s | %s | %.2f | %s | %.2f | %s | %s | %s |%s\n", n, p1, q1, b-a, qt, c-b, qp, p3, p5, sp}'
done
