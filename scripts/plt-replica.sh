#!/usr/bin/env bash
# MHC against a replica of napkinXC's PLT, the peer issue 4 compares with,
# on the test rows TARGETS.md's figures come from and on validation rows,
# which resolve far smaller differences than one test split.
#
# The replica (scripts/pltreplica: napkinXC's defaults, LIBLINEAR node
# classifiers) is trained on exactly the rows mhe train uses: for the test
# rows, the config's training rows, with seeds (of its k-means tree) TEST_SEEDS;
# for validation, each seed's train.validation_fraction 0.2 split (a
# different random 20% of the training rows per seed), paired with MHC's run
# of the same seed by mhe report --paired.
#
# Needs LIBLINEAR's liblinear-train (Debian/Ubuntu: apt-get install
# liblinear-tools). RCV1-Sub1 alone takes about 2 min on two cores; all seven
# multi-label sets about 15 min.
# Usage: scripts/plt-replica.sh [OUT]
#   CONFIGS  MHC configs (default configs/rcv1-mhc.yaml; ALL = the seven
#            multi-label sets of scripts/mhc-vs-plt.sh)
#   VALIDATION_SEEDS (default 1..10), TEST_SEEDS (default 1..5)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-results/plt-replica}"
configs="${CONFIGS:-configs/rcv1-mhc.yaml}"
if [ "$configs" = ALL ]; then
  configs="configs/bibtex-mhc.yaml configs/delicious-mhc.yaml configs/stackex-cooking-mhc.yaml configs/stackex-cs-mhc.yaml configs/rcv1-mhc.yaml configs/corel5k-mhc.yaml configs/yeast-mhc.yaml"
fi
vseeds="${VALIDATION_SEEDS:-1 2 3 4 5 6 7 8 9 10}"
tseeds="${TEST_SEEDS:-1 2 3 4 5}"
export MHE_DATA_DIR="${MHE_DATA_DIR:-$(cd .. && pwd)/shared/data}"
if ! command -v liblinear-train >/dev/null; then
  echo "plt-replica: liblinear-train not found; install LIBLINEAR (Debian/Ubuntu: apt-get install liblinear-tools)" >&2
  exit 2
fi
scripts/build.sh >/dev/null
go build -o bin/pltreplica ./scripts/pltreplica
mkdir -p "$out/validation" "$out/test"
models=$(mktemp -d)
trap 'rm -rf "$models"' EXIT

for cfg in $configs; do
  name=$(basename "$cfg" .yaml)
  for s in $vseeds; do
    bin/mhe train --quiet --config "$cfg" --seed "$s" --set train.validation_fraction=0.2 --set eval.score_test=false \
      --out "$models/$name-val-$s" --result "$out/validation/$name-mhc-$s.result.json" >/dev/null
    rm -rf "$models/$name-val-$s"
    bin/pltreplica --config "$cfg" --seed "$s" --validation-fraction 0.2 --result "$out/validation/$name-plt-$s.result.json"
  done
  for s in $tseeds; do
    bin/mhe train --quiet --config "$cfg" --seed "$s" --out "$models/$name-test-$s" --result "$out/test/$name-mhc-$s.result.json" >/dev/null
    bin/pltreplica --config "$cfg" --seed "$s" --pred "$out/test/$name-plt-$s.pred" --result "$out/test/$name-plt-$s.result.json"
    # keep the first seed's model for the paired test below
    [ "$s" = "${tseeds%% *}" ] || rm -rf "$models/$name-test-$s"
  done
done

echo
echo "MHC against the napkinXC PLT replica; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo
echo "Validation rows (train.validation_fraction 0.2, seeds $vseeds; the same rows for both in each seed):"
echo
bin/mhe report "$out/validation" --split validation --sort p@1 --paired --metrics p@1,p@3,p@5 --format markdown
echo
echo "Test rows (MHC seeds $tseeds, PLT seeds $tseeds; napkinXC's own P@1 is in TARGETS.md):"
echo
bin/mhe report "$out/test" --sort p@1 --metrics p@1,p@3,p@5 --format markdown
s=${tseeds%% *}
for cfg in $configs; do
  name=$(basename "$cfg" .yaml)
  echo
  echo "$name, seed $s on the test rows, MHC (A) against the PLT replica (B), paired bootstrap and randomization test:"
  echo
  bin/mhe eval --model "$models/$name-test-$s" --against "$out/test/$name-plt-$s.pred" --resamples 10000 --format markdown |
    grep -E '^\| (metric|P@)|^\|---'
done
