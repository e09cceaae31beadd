# shellcheck shell=bash
# Sourced by scripts that set MHC beside napkinXC's PLT (mhc-vs-plt.sh,
# ensemble.sh): the PLT figures for every multi-label dataset in
# ../shared/data, TARGETS.md's, measured on this machine kind with two threads, one line
# per dataset: "name config P@1 train_s predict_s" (config under configs/,
# without .yaml; predict_s includes loading).
# TARGETS.md has no PLT figure for Yeast, the seventh multi-label set there:
# its P@1 is scripts/pltreplica's (napkinXC's defaults with LIBLINEAR,
# trained on the config's rows on this machine: with 14 labels the tree is
# one level, so every tree seed gives 74.70) and its times are "–", since
# the replica's are not napkinXC's.
# CONFIGS="rcv1-mhc yeast-mhc" keeps those configs' rows only.
plt_rows=(
  "Bibtex bibtex-mhc 61.79 0.87 0.09"
  "Delicious delicious-mhc 66.44 6.87 0.09"
  "StackEx-Cooking stackex-cooking-mhc 56.39 1.40 0.06"
  "StackEx-CS stackex-cs-mhc 55.61 1.00 0.06"
  "RCV1-Sub1 rcv1-mhc 63.25 0.78 0.17"
  "Corel5k corel5k-mhc 33.20 0.66 0.04"
  "Yeast yeast-mhc 74.70(replica) – –"
)
# With CONFIGS set (config names, space-separated), only their rows.
if [ -n "${CONFIGS:-}" ]; then
  _keep=()
  for _r in "${plt_rows[@]}"; do
    read -r _ _cfg _ <<<"$_r"
    if [[ " $CONFIGS " == *" $_cfg "* ]]; then _keep+=("$_r"); fi
  done
  plt_rows=("${_keep[@]}")
  unset _keep _r _cfg
fi
