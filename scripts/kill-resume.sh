#!/usr/bin/env bash
# Fault test: train a synthetic model, SIGKILL it at a random moment (and,
# in every other trial, SIGKILL the resumed run too), then `mhe train
# --resume` until it finishes; the final weights and manifest must be
# byte-identical to an uninterrupted run's, and no temporary file a kill
# left may remain. Exits 1 on any difference.
# With a weight average and validation rows, the average's validation
# metrics (result.json average_validation) must match too.
# Usage: scripts/kill-resume.sh [TRIALS] [METHOD]   (default 20, mhc)
#   KILL_RESUME_TRAIN="average: swa, validation_fraction: 0.1" adds train keys.
set -euo pipefail
cd "$(dirname "$0")/.."
trials="${1:-20}"
method="${2:-mhc}"
scripts/build.sh >/dev/null 2>&1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case $method in
  mhc) head="{method: mhc, heads: 2, beam: 8, bottleneck_dim: 32}" ;;
  mhs) head="{method: mhs, heads: 20, samples: 2}" ;;
  *) head="{method: $method}" ;;
esac
cat >"$tmp/cfg.yaml" <<YAML
name: kill-resume
data:
  synth: {examples: 30000, test_examples: 500, features: 2000, labels: 300, seed: 5}
  normalize: l2
encoder: {type: mlp, hidden: [128], dropout: 0.2}
head: $head
train: {epochs: 4, batch_size: 64, lr: 0.003, schedule: cosine, seed: 3${KILL_RESUME_TRAIN:+, $KILL_RESUME_TRAIN}}
YAML
# sums DIR: the sha256 of the weights and manifest, and of the average's
# validation metrics in result.json. A kill in the milliseconds between the
# manifest's commit and result.json leaves no record: that shows as a
# missing-record mark, and as a difference.
sums() {
  sha256sum "$1"/weights-*.bin "$1/manifest.json" | awk '{print $1}' | tr '\n' ' '
  if [ -f "$1/result.json" ]; then
    sed -n '/"average_validation"/,/}/p' "$1/result.json" | sha256sum | cut -c1-16
  else
    echo "no-result.json"
  fi
}
start=$(date +%s.%N)
bin/mhe train --config "$tmp/cfg.yaml" --out "$tmp/ref" --quiet >/dev/null
dur=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
want=$(sums "$tmp/ref")
printf "machine: %s, %s cores; head %s; reference run %.1f s; weights+manifest sha256 %s\n\n" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(nproc)" "$method" "$dur" "${want:0:16}…"
echo "| trial | kills at (s after start) | state at last kill | resumes | identical |"
echo "|---:|---|---|---:|---|"
# kill_at DIR DELAY [resume]: start (or resume) training, SIGKILL after DELAY s.
kill_at() {
  if [ "${3:-}" = resume ]; then
    bin/mhe train --resume "$1" --quiet --checkpoint-interval 0 >/dev/null 2>&1 &
  else
    bin/mhe train --config "$tmp/cfg.yaml" --out "$1" --quiet --checkpoint-interval 0 >/dev/null 2>&1 &
  fi
  local pid=$!
  sleep "$2"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
fail=0
for i in $(seq 1 "$trials"); do
  dir="$tmp/t$i"
  d1=$(awk -v s="$RANDOM" -v d="$dur" 'BEGIN { srand(s); printf "%.2f", 0.05 + rand() * d * 0.95 }')
  kills="$d1"
  kill_at "$dir" "$d1"
  if [ $((i % 2)) -eq 0 ] && [ ! -f "$dir/manifest.json" ]; then
    d2=$(awk -v s="$RANDOM" -v d="$dur" 'BEGIN { srand(s); printf "%.2f", 0.3 + rand() * d * 0.5 }')
    kills="$kills, then $d2 into the resume"
    kill_at "$dir" "$d2" resume
  fi
  if [ -f "$dir/manifest.json" ]; then
    state="finished before the kill"
  elif [ -f "$dir/training/checkpoint.json" ]; then
    state="checkpoint $(grep -o '"epoch": *[0-9]*' "$dir/training/checkpoint.json" | head -1 | grep -o '[0-9]*$') epochs"
  else
    state="no checkpoint yet"
  fi
  resumes=0
  while [ ! -f "$dir/manifest.json" ]; do
    if [ -f "$dir/training/config.yaml" ]; then
      bin/mhe train --resume "$dir" --quiet >/dev/null
    else # killed before the run staged its config: start it again
      bin/mhe train --config "$tmp/cfg.yaml" --out "$dir" --force --quiet >/dev/null
    fi
    resumes=$((resumes + 1))
  done
  got=$(sums "$dir")
  same=yes
  if [ "$got" != "$want" ]; then same=NO; fail=1; fi
  # A run that commits removes the temporary files killed runs left; a
  # kill after the commit (while the record is written) can still leave one.
  left=$(find "$dir" -name '.*.tmp-*' | wc -l)
  if [ "$left" -gt 0 ] && [ "$state" != "finished before the kill" ]; then same="$same, $left temporary files left"; fail=1; fi
  echo "| $i | $kills | $state | $resumes | $same |"
  rm -rf "$dir"
done
exit $fail
