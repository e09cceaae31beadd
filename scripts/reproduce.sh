#!/usr/bin/env bash
# Reproduce the paper's claims on the data in MHE_DATA_DIR (default
# ../shared/data) and built-in synthetic data; write Markdown tables and
# plots (PNG and SVG) into DIR:
#   a-methods.md      vanilla vs MHP vs MHC vs MHS on Bibtex, Delicious, Letter, Sector
#   b-heads.md        number of heads H = 2, 3, 4 (accuracy vs classifier parameters)
#   c-lengths.md      balanced vs unbalanced MHP lengths; descending vs ascending MHC lengths
#   d-label-order.md  label order index / random / cluster (MHC, Bibtex and Delicious)
#   e-cost-vs-C.md    cost against the label count C (synthetic data, scripts/scale.sh)
#   plots/<table>/    per dataset: training curves and P@1 against classifier parameters
#   runs/             every run's model directory and result.json (the run record)
# Every run is a sweep run (mhe sweep), so an interrupted reproduction picks up
# where it stopped when run again. --quick trains 2 epochs per run on the real
# sets and smaller synthetic problems (minutes; CI runs it); the full version
# uses the shipped configs unchanged (under an hour on two cores).
# Usage: scripts/reproduce.sh [--quick] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
out=results
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --out) out="$2"; shift ;;
    *) echo "usage: scripts/reproduce.sh [--quick] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
export MHE_DATA_DIR="${MHE_DATA_DIR:-$(cd .. && pwd)/shared/data}"
if [ ! -d "$MHE_DATA_DIR" ]; then
  echo "reproduce: the datasets are missing at $MHE_DATA_DIR (set MHE_DATA_DIR)" >&2
  exit 1
fi
scripts/build.sh >/dev/null
mkdir -p "$out/sweeps" "$out/plots"
# Quick runs: 2 epochs everywhere (one more override in every set), and a
# smaller synthetic problem.
extra=""
synth_rows=50000
if [ $quick -eq 1 ]; then
  extra='"train.epochs=2", '
  synth_rows=10000
fi
q() { # q OVERRIDE... -> a YAML flow list with the quick override first
  local s="[${extra}"
  local first=1
  for o in "$@"; do
    if [ $first -eq 0 ]; then s+=", "; fi
    s+="\"$o\""
    first=0
  done
  s="${s%, }]"
  echo "$s"
}
sweep() { # sweep NAME < YAML body (runs:) -> runs it, prints the expected row count
  local name=$1
  { echo "out: $out/runs/$name"; cat; } >"$out/sweeps/$name.yaml"
  MHE_BIN=bin/mhe scripts/sweep-local.sh "$out/sweeps/$name.yaml" 1 2 >"$out/sweeps/$name.log" 2>&1 || {
    tail -20 "$out/sweeps/$name.log" >&2
    echo "reproduce: sweep $name failed (log: $out/sweeps/$name.log); run the script again to retry" >&2
    exit 1
  }
}
table() { # table NAME TITLE EXPECTED_ROWS METRICS -> DIR/NAME.md, checked
  local name=$1 title=$2 want=$3 metrics=$4
  {
    echo "# $title"
    echo
    echo "$(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(bin/mhe version | head -1)$([ $quick -eq 1 ] && echo ', --quick: 2 epochs per run')"
    echo
    bin/mhe report "$out/runs/$name" --format markdown --metrics "$metrics" --plots "$out/plots/$name"
  } >"$out/$name.md"
  local got
  got=$(bin/mhe report "$out/runs/$name" --format csv --metrics "$metrics" | tail -n +2 | wc -l)
  if [ "$got" -ne "$want" ]; then
    echo "reproduce: $out/$name.md has $got rows, want $want" >&2
    exit 1
  fi
  echo "wrote $out/$name.md ($got rows)" >&2
}

# (a) the four heads against vanilla, same encoder and epochs.
sweep a-methods <<YAML
runs:
  - configs: [configs/bibtex-vanilla.yaml, configs/bibtex-mhp.yaml, configs/bibtex-mhc.yaml, configs/bibtex-mhs.yaml,
              configs/delicious-vanilla.yaml, configs/delicious-mhp.yaml, configs/delicious-mhc.yaml, configs/delicious-mhs.yaml,
              configs/letter-vanilla.yaml, configs/letter-mhp.yaml, configs/letter-mhs.yaml,
              configs/sector-vanilla.yaml, configs/sector-mhp.yaml, configs/sector-mhs.yaml]
    overrides: [$(q)]
    seeds: [1]
YAML
table a-methods "Vanilla vs MHP vs MHC vs MHS (same encoder and epochs)" 14 "p@1,p@3,p@5,ndcg@3,psp@1,psp@5"

# (b) number of heads: MHP on 10^4 synthetic classes and on Sector, H = 2, 3, 4.
sweep b-heads <<YAML
runs:
  - configs: [configs/synthetic-10k-mhp.yaml]
    overrides: [$(q "data.synth.examples=$synth_rows" head.heads=2), $(q "data.synth.examples=$synth_rows" head.heads=3), $(q "data.synth.examples=$synth_rows" head.heads=4)]
  - configs: [configs/sector-mhp.yaml]
    overrides: [$(q head.heads=2), $(q head.heads=3), $(q head.heads=4)]
YAML
table b-heads "Number of heads H (accuracy vs classifier parameters)" 6 "acc@1,acc@5"

# (c) head lengths: balanced vs unbalanced MHP (10^4 synthetic classes), and
# descending vs ascending MHC (Delicious).
sweep c-lengths <<YAML
runs:
  - configs: [configs/synthetic-10k-mhp.yaml]
    overrides: [$(q "data.synth.examples=$synth_rows" "head.lengths=[100, 100]"), $(q "data.synth.examples=$synth_rows" "head.lengths=[1000, 10]"), $(q "data.synth.examples=$synth_rows" "head.lengths=[2500, 4]")]
  - configs: [configs/delicious-mhc.yaml]
    overrides: [$(q "head.lengths=[62, 16]"), $(q "head.lengths=[16, 62]")]
YAML
table c-lengths "Head lengths: balanced vs unbalanced MHP, descending vs ascending MHC" 5 "p@1,p@3,p@5"

# (d) label order for MHC.
sweep d-label-order <<YAML
runs:
  - configs: [configs/bibtex-mhc.yaml, configs/delicious-mhc.yaml]
    overrides: [$(q head.label_order=index), $(q head.label_order=random), $(q head.label_order=cluster)]
YAML
table d-label-order "Label order for MHC: index, random, cluster (SPEC §7)" 6 "p@1,p@3,p@5"

# (e) cost against C (vanilla vs MHC on synthetic data).
{
  echo "# Cost against the label count C (built-in synthetic data)"
  echo
  if [ $quick -eq 1 ]; then SCALE_ROWS=10000 scripts/scale.sh 1000 10000; else scripts/scale.sh 10000 100000; fi
} >"$out/e-cost-vs-C.md"
rows=$(grep -c '^| [0-9]' "$out/e-cost-vs-C.md" || true)
if [ "$rows" -lt 6 ]; then
  echo "reproduce: $out/e-cost-vs-C.md has $rows rows, want 6" >&2
  exit 1
fi
echo "wrote $out/e-cost-vs-C.md ($rows rows)" >&2
echo "reproduce: tables and plots in $out" >&2
