#!/usr/bin/env bash
#SBATCH --job-name=mhe-sweep
#SBATCH --cpus-per-task=4
#SBATCH --mem=16G
#SBATCH --time=08:00:00
#SBATCH --output=slurm-%A_%a.out
# Run a sweep on a SLURM cluster as a job array, one array task per run:
#   scripts/sweep-slurm.sh SWEEP.yaml [sbatch options...]   submit the array
#   scripts/sweep-slurm.sh SWEEP.yaml --dry-run             print every task's command
# Both first run `mhe sweep check` (every run's config, plan and data files)
# and stop with its exit code when a run would fail.
# Submit from the repository root on shared storage (after scripts/build.sh):
# each task runs `bin/mhe sweep run SWEEP.yaml --index $SLURM_ARRAY_TASK_ID`,
# which skips a run whose result.json exists and resumes an interrupted one;
# only the runs not done are submitted, so resubmitting the same sweep
# queues what is left and finishes it. The model directories and
# results land under the sweep's `out`, on the same shared storage;
# `bin/mhe report OUT` aggregates them. The #SBATCH lines above are defaults
# (override them on the command line, e.g. --cpus-per-task=8 --partition=cpu).
# The submitting shell's MHE_* variables (MHE_DATA_DIR, MHE_TRAIN_EPOCHS, …)
# are passed to the tasks as arguments, whatever the site's --export policy.
# MHE_CHECKPOINT_INTERVAL (default 1m) is each run's --checkpoint-interval:
# shorten it on preemptible partitions, where a killed task loses the work
# since its last checkpoint. MHE_SWEEP_MAX_RUNNING=N lets at most N of the
# array's tasks run at once (SLURM's --array=LIST%N), for sites that ask
# large arrays to hold back.
set -euo pipefail
file="${1:?usage: scripts/sweep-slurm.sh SWEEP.yaml [--dry-run | sbatch options...]}"
shift
if [ -n "${SLURM_ARRAY_TASK_ID:-}" ]; then
  # Inside an array task: SLURM runs a copy of this script, so work from the
  # submission directory (the repository root). The submitting shell's
  # MHE_* variables follow the sweep file as arguments (MHE_X=value), so
  # that every task runs what `mhe sweep check` checked even where the
  # site does not pass the environment on (SBATCH_EXPORT=NONE).
  for kv in "$@"; do
    case $kv in
      MHE_*=*) export "${kv?}" ;;
      *) echo "sweep-slurm: unexpected task argument $kv (want MHE_NAME=value)" >&2; exit 2 ;;
    esac
  done
  cd "${SLURM_SUBMIT_DIR:-.}"
  exec "${MHE_BIN:-bin/mhe}" sweep run "$file" --index "$SLURM_ARRAY_TASK_ID" --threads "${SLURM_CPUS_PER_TASK:-0}" \
    --checkpoint-interval "${MHE_CHECKPOINT_INTERVAL:-1m}"
fi
# The sweep file by its absolute path: the submission works from the
# repository root, and the user may have named the file from anywhere.
[ -f "$file" ] || { echo "sweep-slurm: no sweep file $file" >&2; exit 2; }
file="$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"
cd "$(dirname "$0")/.."
mhe="${MHE_BIN:-bin/mhe}"
[ -x "$mhe" ] || scripts/build.sh >/dev/null
case ${MHE_SWEEP_MAX_RUNNING:-1} in
  *[!0-9]* | 0*) echo "sweep-slurm: MHE_SWEEP_MAX_RUNNING=$MHE_SWEEP_MAX_RUNNING: want a whole number of tasks above 0, e.g. 8" >&2; exit 2 ;;
esac
# Every run's config, plan file and data files, before anything is queued:
# a typo in one override set fails here, not in a task hours later (and a
# done run whose data has changed since it trained fails too).
"$mhe" sweep check "$file"
# Only the runs not done yet are submitted (a SLURM --array list such as
# 0-3,7,9-12; each task's index is its run's), so resubmitting a sweep
# after some of its tasks failed or timed out queues only those.
array=$("$mhe" sweep list "$file" --format array)
if [ -z "$array" ]; then
  echo "sweep-slurm: every run of $file is done; nothing to submit (bin/mhe report on the sweep's out aggregates them)"
  exit 0
fi
if [ -n "${MHE_SWEEP_MAX_RUNNING:-}" ]; then
  array="$array%$MHE_SWEEP_MAX_RUNNING"
fi
# The MHE_* variables the check saw, for the tasks (see above).
envargs=()
for name in $(compgen -e | grep '^MHE_' || true); do
  envargs+=("$name=${!name}")
done
. scripts/lib/sweep.sh
if [ "${1:-}" = "--dry-run" ]; then
  shift
  echo "would submit: sbatch --array=$array $* scripts/sweep-slurm.sh $file${envargs[*]:+$(printf ' %q' "${envargs[@]}")}"
  for i in $(array_indices "${array%\%*}"); do
    printf "task %d: " "$i"
    SLURM_CPUS_PER_TASK=4 "$mhe" sweep run "$file" --index "$i" --threads 4 \
      --checkpoint-interval "${MHE_CHECKPOINT_INTERVAL:-1m}" --dry-run 2>&1
  done
  exit 0
fi
sbatch --array="$array" "$@" scripts/sweep-slurm.sh "$file" "${envargs[@]}"
