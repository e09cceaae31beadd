# shellcheck shell=bash
# Sourced, from the repository's root, by the sweep runners (sweep-local.sh,
# sweep-slurm.sh).

# array_indices LIST: the indices of a SLURM --array list such as
# 0-3,7,9-12 (`mhe sweep list --format array`), one a line.
array_indices() {
  local part
  for part in ${1//,/ }; do
    seq "${part%-*}" "${part#*-}"
  done
}
