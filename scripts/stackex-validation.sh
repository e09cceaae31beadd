#!/usr/bin/env bash
# StackEx-Cooking and StackEx-CS settings compared on validation rows only
# (the study that chose configs/stackex-*-mhc.yaml's head, the first row of
# each block below): every setting trains with train.validation_fraction
# 0.2, so each seed holds out its own random 20% of the training rows, and
# the table is the validation P@k of the weights each run kept, best first,
# with each row's paired difference from the top row. The test rows are
# held out of training and never scored (eval.score_test=false). A sweep
# with keep_weights: false, so an interrupted run continues where it stopped.
# Usage: scripts/stackex-validation.sh [OUT] [SEEDS]
#   OUT defaults to results/stackex-validation; SEEDS to "1 2 ... 10"
#   (about 2.5 s per run on two cores; 2 x 10 settings, ~9 min for 10 seeds).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-results/stackex-validation}"
seeds="${2:-1 2 3 4 5 6 7 8 9 10}"
export MHE_DATA_DIR="${MHE_DATA_DIR:-$(cd .. && pwd)/shared/data}"
scripts/build.sh >/dev/null
mkdir -p "$out"
seedlist=$(echo $seeds | tr ' ' ',')
# PLANNED: let mhe plan choose the lengths for the bottleneck given.
PLANNED='"head.lengths=[]"'
block() { # config, the earlier config's planned lengths
  local L="\"head.lengths=[$2]\""
  cat <<YAML
  - configs: [$1]
    set: [train.validation_fraction=0.2, eval.score_test=false]
    overrides:
      - []                                              # the shipped config
      - [head.path_score=product]
      - [head.method=vanilla]
      - [$PLANNED, head.bottleneck_dim=128]
      - [$PLANNED, head.bottleneck_dim=256]
      - [$L, head.bottleneck_dim=64, head.path_score=product]   # the earlier config
      - [$L, head.bottleneck_dim=64]
      - [$L, head.path_score=product]
      - [$PLANNED, head.bottleneck_dim=64, head.path_score=product, "encoder.hidden=[1024]"]
      - [$L, head.bottleneck_dim=64, head.path_score=product, encoder.input_dropout=0.5]
      - [$L, head.bottleneck_dim=64, head.path_score=product, train.epochs=30]
    seeds: [$seedlist]
YAML
}
{
  echo "out: $out/runs"
  echo "keep_weights: false"
  echo "runs:"
  block configs/stackex-cooking-mhc.yaml 29,14
  block configs/stackex-cs-mhc.yaml 23,12
} >"$out/sweep.yaml"
scripts/validation-sweep.sh "$out" "StackEx, validation rows only (train.validation_fraction 0.2, seeds $seeds)"
