#!/usr/bin/env bash
# MHC against the napkinXC PLT replica (scripts/pltreplica) on other splits
# of ALL rows of a dataset whose test rows are a fixed rule
# (data.holdout_every n: row i is a test row iff i % n == n-1; RCV1-Sub1,
# StackEx-Cooking, StackEx-CS). It asks how much of a gap on the official
# test rows (TARGETS.md's figures) belongs to that one choice of rows. The
# config's settings are used as shipped; nothing here chooses them.
#
# 1. The n folds of the rule: fold k (data.holdout_fold k) scores the rows
#    i % n == k-1 and trains on the others (fold n is the config's own
#    split), so every row of the file is scored once per seed (FOLD_SEEDS).
#    mhe report pools a config's folds into one row and pairs the two
#    models' runs by seed and fold.
# 2. Random re-splits: each seed in SEEDS draws its own random 20% of the
#    file's rows as the scored rows (train.validation_fraction 0.2 on
#    a copy of the config without its test rule) and trains on the rest.
# 3. Nested folds of the training rows only: the config's training rows,
#    in file order, become a file of their own (in a temporary data
#    directory; the test rows are left out), and the n folds of the same
#    rule over that file are scored as in 1. This is the question a user
#    choosing a model without the test rows can ask: which model wins on
#    splits built like the test split?
#
# Needs LIBLINEAR's liblinear-train (Debian/Ubuntu: apt-get install
# liblinear-tools). RCV1-Sub1 with the defaults takes about 9 min on two
# cores; all three sets about 24 min.
# Usage: scripts/plt-resplit.sh [OUT]
#   CONFIGS     MHC configs with data.holdout_every (default
#               configs/rcv1-mhc.yaml; ALL = RCV1-Sub1 and both StackEx sets)
#   FOLD_SEEDS  (default "1 2 3"), SEEDS (default 1..20)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-results/plt-resplit}"
configs="${CONFIGS:-configs/rcv1-mhc.yaml}"
if [ "$configs" = ALL ]; then
  configs="configs/rcv1-mhc.yaml configs/stackex-cooking-mhc.yaml configs/stackex-cs-mhc.yaml"
fi
fseeds="${FOLD_SEEDS:-1 2 3}"
seeds="${SEEDS:-$(seq -s ' ' 1 20)}"
export MHE_DATA_DIR="${MHE_DATA_DIR:-$(cd .. && pwd)/shared/data}"
if ! command -v liblinear-train >/dev/null; then
  echo "plt-resplit: liblinear-train not found; install LIBLINEAR (Debian/Ubuntu: apt-get install liblinear-tools)" >&2
  exit 2
fi
. scripts/lib/training-rows.sh
scripts/build.sh >/dev/null
go build -o bin/pltreplica ./scripts/pltreplica
mkdir -p "$out/configs"
models=$(mktemp -d)
trap 'rm -rf "$models"' EXIT

# train_mhc_and_plt CONFIG SEED RESULT_PREFIX [mhe train flags...]: one run
# of each model on the same rows.
train_mhc_and_plt() {
  local cfg=$1 seed=$2 prefix=$3
  shift 3
  bin/mhe train --quiet --config "$cfg" --seed "$seed" "$@" --out "$models/run" --force \
    --result "$prefix-mhc-$seed.result.json" >/dev/null
  local vf=()
  if [ "$#" -gt 0 ]; then vf=(--validation-fraction 0.2); fi
  bin/pltreplica --config "$cfg" --seed "$seed" "${vf[@]}" --result "$prefix-plt-$seed.result.json"
}

# folds NAME EVERY DEST: MHC and the replica on each fold's config (written
# in section 1), seeds FOLD_SEEDS, results under DEST/fold<k>/. MHE_DATA_DIR
# chooses the file they split.
folds() {
  local name=$1 every=$2 dest=$3 k s
  for k in $(seq 1 "$every"); do
    mkdir -p "$dest/fold$k"
    for s in $fseeds; do
      train_mhc_and_plt "$out/configs/$name-fold$k.yaml" "$s" "$dest/fold$k/$name"
    done
  done
}

for cfg in $configs; do
  name=$(basename "$cfg" .yaml)
  every=$(holdout_every "$cfg")
  if [ -z "$every" ]; then
    echo "plt-resplit: $cfg has no data.holdout_every: its test rows do not come from a rule over one file" >&2
    exit 2
  fi
  # 1. Folds: one config per fold (the replica reads a config file; mhe
  # report pools data.holdout_fold like a seed).
  for k in $(seq 1 "$every"); do
    sed -E "s|^  holdout_every:.*|&\n  holdout_fold: $k|" "$cfg" >"$out/configs/$name-fold$k.yaml"
  done
  folds "$name" "$every" "$out/folds/$name"
  # 2. Random re-splits of all rows.
  grep -vE '^  holdout_every:' "$cfg" >"$out/configs/$name-all-rows.yaml"
  mkdir -p "$out/random/$name"
  for s in $seeds; do
    train_mhc_and_plt "$out/configs/$name-all-rows.yaml" "$s" "$out/random/$name/$name" --set train.validation_fraction=0.2
  done
  # 3. Nested folds of the training rows.
  training_rows_dir "$cfg" "$every" "$models/data"
  MHE_DATA_DIR="$models/data" folds "$name" "$every" "$out/nested/$name"
done

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
# table TITLE DIR [report flags...]: a titled paired P@k table of the runs under DIR.
table() {
  echo
  echo "$1"
  echo
  bin/mhe report "$2" "${@:3}" --sort p@1 --paired --metrics p@1,p@3,p@5 --format markdown
}
echo
echo "MHC against the napkinXC PLT replica on other splits of all rows; $cpu"
for cfg in $configs; do
  name=$(basename "$cfg" .yaml)
  table "$name: the folds of the test rule (fold k scores the rows i % n == k-1; fold n is the config's own test rows), seeds $fseeds each:" "$out/folds/$name"
  for d in "$out/folds/$name"/fold*; do
    table "$name, $(basename "$d"):" "$d"
  done
done
for cfg in $configs; do
  name=$(basename "$cfg" .yaml)
  table "$name: nested folds of the training rows only (the test rows left out; fold k scores the training rows j % n == k-1), seeds $fseeds each:" "$out/nested/$name"
done
table "Random re-splits (each seed scores its own random 20% of the file's rows, the same rows for both models; seeds $seeds):" "$out/random" --split validation
