#!/usr/bin/env bash
# Runs a validation sweep written by scripts/*-validation.sh (every run with
# train.validation_fraction and eval.score_test=false) and prints its table:
# validation P@k of the weights each run kept, best first, with each row's
# paired difference from the top row. Run again to finish an interrupted
# sweep.
# Usage: scripts/validation-sweep.sh OUT TITLE   (OUT holds sweep.yaml)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: scripts/validation-sweep.sh OUT TITLE}"
title="${2:?usage: scripts/validation-sweep.sh OUT TITLE}"
MHE_BIN=bin/mhe scripts/sweep-local.sh "$out/sweep.yaml" 1 "$(nproc)" >"$out/sweep.log" 2>&1 || {
  tail -20 "$out/sweep.log" >&2
  echo "$(basename "$out"): some runs failed (log: $out/sweep.log); run the script again to retry them" >&2
  exit 1
}
echo "$title; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo
bin/mhe report "$out/runs" --split validation --sort p@1 --paired --metrics p@1,p@3,p@5 --format markdown
