#!/usr/bin/env bash
# Loading a large training file: builds mhe at REV (default HEAD) and from
# the working tree, writes a synthetic XC file (ROWS rows of about 170
# features each: 1.5 million rows make a 1 GB file), and trains one epoch
# of a small MHC model on it with each binary in alternation, ROUNDS times
# (default 3). Prints, per run, the seconds until training logs its data
# line (the file read and parsed), the whole run's wall time and peak RSS,
# and whether the two builds' weights are byte-identical. Markdown on stdout.
# Usage: [REV=HEAD] [ROUNDS=3] scripts/load-speed.sh [ROWS]   (default 1500000)
set -euo pipefail
cd "$(dirname "$0")/.."
rev="${REV:-HEAD}" rounds="${ROUNDS:-3}" rows="${1:-1500000}"
tmp=$(mktemp -d)
. scripts/lib/ab-build.sh
ab_build load-speed "$rev" "$tmp"
"$tmp/mhe-b" data synth --examples "$rows" --features 100000 --labels 10000 --avg-features 200 --seed 2 \
  --out "$tmp/train.txt" --test-examples 1000 --test-out "$tmp/test.txt" --quiet
cat >"$tmp/c.yaml" <<YAML
name: load-speed
data: {dir: $tmp, train: train.txt, test: test.txt, normalize: l2}
encoder: {type: mlp, hidden: [16]}
head: {method: mhc, heads: 2, beam: 8, bottleneck_dim: 0}
train: {epochs: 1, batch_size: 256, lr: 0.006}
YAML
printf "machine: %s, %s cores; %s (%s rows); A = %s (%s), B = working tree\n\n" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(nproc)" \
  "$(du -h "$tmp/train.txt" | cut -f1)" "$rows" "$rev" "$(git rev-parse --short "$rev")"
echo "| round | build | data read s | run wall s | peak RSS MiB |"
echo "|---:|---|---:|---:|---:|"
for r in $(seq "$rounds"); do
  for b in a b; do
    start=$(date +%s.%N)
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$tmp/mhe-$b" train --config "$tmp/c.yaml" --out "$tmp/m-$b" --force --threads 2 2>&1 >/dev/null |
      while IFS= read -r line; do
        case $line in data:*) echo "$(date +%s.%N) - $start" | bc >"$tmp/read" ;; esac
      done
    read -r wall rss <"$tmp/time"
    printf "| %d | %s | %.1f | %.1f | %.0f |\n" "$r" "$(echo $b | tr ab AB)" "$(cat "$tmp/read")" "$wall" "$(echo "$rss / 1024" | bc)"
  done
done
same=no
cmp -s "$tmp/m-a"/weights-*.bin "$tmp/m-b"/weights-*.bin && same=yes
echo
echo "weights identical: $same"
