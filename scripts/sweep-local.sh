#!/usr/bin/env bash
# Run a sweep (see scripts/sweep-example.yaml and `mhe sweep --help`) on this
# machine with at most JOBS runs at a time. Finished runs (result.json
# present) are skipped and interrupted ones resumed, so running the same
# command again completes a half-finished sweep. Exits 1 if any run failed;
# a run that `mhe sweep check` finds would fail stops it before any starts.
# Usage: scripts/sweep-local.sh SWEEP.yaml [JOBS] [THREADS_PER_RUN]
#   JOBS defaults to 1; THREADS_PER_RUN to (cores / JOBS).
set -euo pipefail
cd "$(dirname "$0")/.."
file="${1:?usage: scripts/sweep-local.sh SWEEP.yaml [JOBS] [THREADS_PER_RUN]}"
jobs="${2:-1}"
threads="${3:-$(($(nproc) / jobs > 0 ? $(nproc) / jobs : 1))}"
mhe="${MHE_BIN:-bin/mhe}" # MHE_BIN: use this mhe binary instead of building bin/mhe
[ -n "${MHE_BIN:-}" ] || scripts/build.sh >/dev/null
n=$("$mhe" sweep list "$file" --format count)
"$mhe" sweep check "$file" # every run's config, plan and data files, first
echo "sweep $file: $n runs, $jobs at a time, $threads threads each" >&2
status=0
seq 0 $((n - 1)) | xargs -P "$jobs" -I{} "$mhe" sweep run "$file" --index {} --threads "$threads" || status=1
"$mhe" sweep list "$file" >&2
if [ $status -ne 0 ]; then
  echo "some runs failed (see above); run the same command again to retry them" >&2
fi
exit $status
