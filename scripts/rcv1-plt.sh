#!/usr/bin/env bash
# MHC (configs/rcv1-mhc.yaml) against a replica of napkinXC's PLT, the peer
# issue 4 compares with, on RCV1-Sub1: on the test rows TARGETS.md's figure
# comes from, and on validation rows, which resolve far smaller differences
# than one split of 1,200 test rows.
#
# The replica (scripts/pltreplica: napkinXC's defaults, LIBLINEAR node
# classifiers) is trained on exactly the rows mhe train uses: for the test
# rows, the 4,800 training rows, with seeds (of its k-means tree) 1..5; for validation, each
# seed's train.validation_fraction 0.2 split (a different random 20% of the
# training rows per seed), paired with MHC's run of the same seed by
# mhe report --paired.
#
# Needs LIBLINEAR's liblinear-train (Debian/Ubuntu: apt-get install
# liblinear-tools). About 6 min on two cores (10 validation seeds).
# Usage: scripts/rcv1-plt.sh [OUT] [VALIDATION_SEEDS] [TEST_SEEDS]
#   OUT defaults to results/rcv1-plt, VALIDATION_SEEDS to "1 2 ... 10",
#   TEST_SEEDS to "1 2 3 4 5".
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-results/rcv1-plt}"
vseeds="${2:-1 2 3 4 5 6 7 8 9 10}"
tseeds="${3:-1 2 3 4 5}"
export MHE_DATA_DIR="${MHE_DATA_DIR:-$(cd .. && pwd)/shared/data}"
if ! command -v liblinear-train >/dev/null; then
  echo "rcv1-plt: liblinear-train not found; install LIBLINEAR (Debian/Ubuntu: apt-get install liblinear-tools)" >&2
  exit 2
fi
scripts/build.sh >/dev/null
go build -o bin/pltreplica ./scripts/pltreplica
cfg=configs/rcv1-mhc.yaml
mkdir -p "$out/validation" "$out/test"
models=$(mktemp -d)
trap 'rm -rf "$models"' EXIT

for s in $vseeds; do
  bin/mhe train --quiet --config $cfg --seed "$s" --set train.validation_fraction=0.2 --set eval.score_test=false \
    --out "$models/val-$s" --result "$out/validation/mhc-$s.result.json" >/dev/null
  rm -rf "$models/val-$s"
  bin/pltreplica --config $cfg --seed "$s" --validation-fraction 0.2 --result "$out/validation/plt-$s.result.json"
done
for s in $tseeds; do
  bin/mhe train --quiet --config $cfg --seed "$s" --out "$models/test-$s" --result "$out/test/mhc-$s.result.json" >/dev/null
  bin/pltreplica --config $cfg --seed "$s" --pred "$out/test/plt-$s.pred" --result "$out/test/plt-$s.result.json"
done

echo
echo "RCV1-Sub1, MHC against the napkinXC PLT replica; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo
echo "Validation rows (train.validation_fraction 0.2, seeds $vseeds; the same rows for both in each seed):"
echo
bin/mhe report "$out/validation" --split validation --sort p@1 --paired --metrics p@1,p@3,p@5 --format markdown
echo
echo "Test rows (every 5th row; MHC seeds $tseeds, PLT seeds $tseeds; napkinXC itself: P@1 63.25, TARGETS.md):"
echo
bin/mhe report "$out/test" --sort p@1 --metrics p@1,p@3,p@5 --format markdown
s=$(echo $tseeds | cut -d' ' -f1)
echo
echo "Seed $s on the test rows, MHC (A) against the PLT replica (B), paired bootstrap and randomization test:"
echo
bin/mhe eval --model "$models/test-$s" --against "$out/test/plt-$s.pred" --resamples 10000 --format markdown
