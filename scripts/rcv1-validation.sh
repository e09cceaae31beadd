#!/usr/bin/env bash
# RCV1-Sub1 settings compared on validation rows only (issue 4's RCV1 study):
# every setting trains with train.validation_fraction 0.2, so each seed holds
# out its own random 20% of the 4,800 training rows, and the table is the
# validation P@k of the weights each run kept, best first. The test rows are
# never scored. A sweep (keep_weights: false: only the records are kept; an
# RCV1 model is 93 MB), so an interrupted run continues where it stopped.
# Usage: scripts/rcv1-validation.sh [OUT] [SEEDS]
#   OUT defaults to results/rcv1-validation; SEEDS to "1 2 3 4 5 6 7 8 9 10"
#   (about 2.5 s per run on two cores; 22 settings, so ~10 min for 10 seeds).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-results/rcv1-validation}"
seeds="${2:-1 2 3 4 5 6 7 8 9 10}"
export MHE_DATA_DIR="${MHE_DATA_DIR:-$(cd .. && pwd)/shared/data}"
scripts/build.sh >/dev/null
mkdir -p "$out"
seedlist=$(echo $seeds | tr ' ' ',')
# B: the best learning rate and epochs of the earlier dev-split search.
B='train.lr=0.016, train.epochs=15, head.bottleneck_dim=0'
cat >"$out/sweep.yaml" <<YAML
out: $out/runs
keep_weights: false
runs:
  - configs: [configs/rcv1-mhc.yaml]
    set: [train.validation_fraction=0.2]
    overrides:
      - []                                    # the shipped config
      - [train.lr=0.004]
      - [train.lr=0.008]
      - [head.beam=16]
      - [head.method=vanilla]
      - [$B]
      - [$B, head.method=vanilla]
      - [$B, encoder.dropout=0.7]
      - [$B, encoder.input_dropout=0.7]
      - [$B, "encoder.hidden=[256]"]
      - [$B, "encoder.hidden=[1024]"]
      - [$B, encoder.activation=gelu]
      - [$B, train.average=swa, train.average_start=8]
      - [$B, head.path_score=last]
      - [$B, head.label_order=cluster]
      - [$B, head.label_order=random]
      - [$B, "head.lengths=[34,3]"]
      - [$B, "head.lengths=[51,2]"]
      - [$B, data.tfidf=true]
      - [encoder.type=linear, "encoder.hidden=[]", encoder.dropout=0, head.method=vanilla, train.lr=0.03, train.epochs=30, encoder.input_dropout=0]
      - [encoder.type=linear, "encoder.hidden=[]", encoder.dropout=0, head.method=vanilla, train.lr=0.03, train.epochs=30]
      - [encoder.type=linear, "encoder.hidden=[]", encoder.dropout=0, train.lr=0.03, train.epochs=30]
    seeds: [$seedlist]
YAML
MHE_BIN=bin/mhe scripts/sweep-local.sh "$out/sweep.yaml" 1 "$(nproc)" >"$out/sweep.log" 2>&1 || {
  tail -20 "$out/sweep.log" >&2
  echo "rcv1-validation: some runs failed (log: $out/sweep.log); run the script again to retry them" >&2
  exit 1
}
echo "RCV1-Sub1, validation rows only (train.validation_fraction 0.2, seeds $seeds); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo
bin/mhe report "$out/runs" --split validation --sort p@1 --paired --metrics p@1,p@3,p@5 --format markdown
