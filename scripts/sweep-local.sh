#!/usr/bin/env bash
# Run a sweep (see scripts/sweep-example.yaml and `mhe sweep --help`) on this
# machine with at most JOBS runs at a time. Finished runs (result.json
# present) are not started again and interrupted ones are resumed, so
# running the same command again completes a half-finished sweep. Exits 1
# if any run failed; a run that `mhe sweep check` finds would fail stops it
# before any starts.
# Usage: scripts/sweep-local.sh SWEEP.yaml [JOBS] [THREADS_PER_RUN]
#   JOBS defaults to 1; THREADS_PER_RUN to (cores / JOBS). With JOBS > 1,
#   each run's memory limit is 1/JOBS of the machine's or the job's
#   (MHE_MEMORY_LIMIT, unless already set).
# The sweep file may be named from any directory. The runs work from the
# repository root, as sweep-slurm.sh's tasks do, so relative paths inside
# the sweep file (configs, out) are read from there, as in the shipped
# sweeps; a sweep kept elsewhere gives absolute paths.
set -euo pipefail
file="${1:?usage: scripts/sweep-local.sh SWEEP.yaml [JOBS] [THREADS_PER_RUN]}"
[ -f "$file" ] || { echo "sweep-local: no sweep file $file" >&2; exit 2; }
file="$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"
# MHE_BIN: use this mhe binary instead of building bin/mhe (a relative path
# is taken from the directory the script was started in).
if [ -n "${MHE_BIN:-}" ] && [ "${MHE_BIN#/}" = "$MHE_BIN" ] && [ -e "$MHE_BIN" ]; then
  MHE_BIN="$PWD/$MHE_BIN"
fi
cd "$(dirname "$0")/.."
jobs="${2:-1}"
threads="${3:-$(($(nproc) / jobs > 0 ? $(nproc) / jobs : 1))}"
mhe="${MHE_BIN:-bin/mhe}"
[ -n "${MHE_BIN:-}" ] || scripts/build.sh >/dev/null
n=$("$mhe" sweep list "$file" --format count)
# Every run's config, plan and data files, first (and each done run's data
# against what it trained on).
"$mhe" sweep check "$file"
# Only the runs not done yet (and done runs whose weights a keep_weights:
# false sweep has still to remove).
. scripts/lib/sweep.sh
array=$("$mhe" sweep list "$file" --format array)
todo=$(array_indices "$array")
if [ -z "$todo" ]; then
  echo "sweep $file: every one of its $n runs is done" >&2
  "$mhe" sweep list "$file" >&2
  exit 0
fi
# Runs at a time share this machine's (or job's) memory: each takes its
# share as its limit (Go's collector, mhe's memory checks) unless the
# caller set MHE_MEMORY_LIMIT.
if [ "$jobs" -gt 1 ] && [ -z "${MHE_MEMORY_LIMIT:-}" ]; then
  export MHE_MEMORY_LIMIT="$((100 / jobs))%"
fi
echo "sweep $file: $n runs, $(wc -l <<<"$todo") to run ($array), $jobs at a time, $threads threads each${MHE_MEMORY_LIMIT:+, memory limit $MHE_MEMORY_LIMIT each}" >&2
status=0
xargs -P "$jobs" -I{} "$mhe" sweep run "$file" --index {} --threads "$threads" <<<"$todo" || status=1
"$mhe" sweep list "$file" >&2
if [ $status -ne 0 ]; then
  echo "some runs failed (see above); run the same command again to retry them" >&2
fi
exit $status
