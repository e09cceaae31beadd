#!/usr/bin/env bash
# mhe train inside a memory cgroup (what SLURM's --mem, a Kubernetes pod or
# systemd-run -p MemoryMax= set up), with mhe's soft limit for Go's garbage
# collector (the default) and without it (GOMEMLIMIT=off: Go collects only
# when the heap has doubled). Data: 500,000 synthetic rows of 100,000
# features (a 330 MiB file, 333 MiB in memory); an MHC model of 81 MiB.
# A second table runs two such trainings at once in one cgroup (a SLURM job
# running two tasks), each taking the whole limit as its own (the default)
# or half of it (MHE_MEMORY_LIMIT=50%, what scripts/sweep-local.sh sets for
# two parallel runs). Needs root and a cgroup v1 or v2 memory controller.
# Markdown on stdout.
# Usage: sudo [SHARED="1200M"] scripts/memory-limit.sh [limit...]
#   limits default to 600M 700M; SHARED lists the second table's (cgroup syntax)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "memory-limit.sh: run it as root (it makes memory cgroups)" >&2; exit 2; }
scripts/build.sh >/dev/null 2>&1
limits=("$@")
[ ${#limits[@]} -gt 0 ] || limits=(600M 700M)
read -r -a shared <<<"${SHARED:-1200M}"
tmp=$(mktemp -d)
cg=""
trap 'rm -rf "$tmp"; [ -z "$cg" ] || rmdir "$cg" 2>/dev/null || true' EXIT
bin/mhe data synth --examples 500000 --features 100000 --labels 10000 --avg-features 200 --seed 1 \
  --out "$tmp/train.txt" --test-examples 1000 --test-out "$tmp/test.txt" --quiet
sed -e 's/^  dir: .*/  dir: '"${tmp//\//\\/}"'/' configs/template-mhc.yaml >"$tmp/c.yaml"
if [ -d /sys/fs/cgroup/memory ]; then root=/sys/fs/cgroup/memory; file=memory.limit_in_bytes; peak=memory.max_usage_in_bytes
else root=/sys/fs/cgroup; file=memory.max; peak=memory.peak; fi
printf "machine: %s, %s cores, %s GiB; cgroup: %s\n\n" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
  "$(nproc)" "$(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo)" "$root/.../$file"
# new_cgroup LIMIT makes the cgroup runs go into ($cg); end_cgroup prints
# its peak usage in MiB and removes it. train_in OUT [ARG...] trains the
# template model into $tmp/OUT inside it, with env's variables.
new_cgroup() {
  cg="$root/mhe-memory-limit-$$"
  mkdir "$cg"
  echo "$1" >"$cg/$file"
  start=$(date +%s.%N)
}
end_cgroup() {
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  usage=$(awk '{printf "%.0f", $1/1048576}' "$cg/$peak" 2>/dev/null || echo "?")
  rmdir "$cg"; cg=""
}
train_in() {
  local out=$1; shift
  sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg" env -u GOMEMLIMIT "${env[@]}" \
    bin/mhe train --config "$tmp/c.yaml" --out "$tmp/$out" --force --set train.epochs=1 --set encoder.hidden=[64] --quiet "$@" >/dev/null 2>"$tmp/err-$out"
}

echo "| cgroup limit | collector | exit | outcome | cgroup peak MiB | wall s |"
echo "|---|---|---:|---|---:|---:|"
for lim in "${limits[@]}"; do
  for mode in mhe off; do
    env=(-u MHE_MEMORY_LIMIT)
    [ "$mode" = off ] && env=(-u MHE_MEMORY_LIMIT GOMEMLIMIT=off)
    new_cgroup "$lim"
    set +e
    train_in m
    rc=$?
    set -e
    end_cgroup
    case $rc in
      0) outcome=finished ;;
      137) outcome="OOM-killed" ;;
      *) outcome="failed: $(tail -1 "$tmp/err-m")" ;;
    esac
    label="mhe's soft limit"
    [ "$mode" = off ] && label="GOMEMLIMIT=off"
    printf "| %s | %s | %d | %s | %s | %.1f |\n" "$lim" "$label" "$rc" "$outcome" "$usage" "$wall"
  done
done

# Two trainings at once in one cgroup.
echo
echo "Two trainings at once in one cgroup (one thread each):"
echo
echo "| cgroup limit | each process's limit | exits | cgroup peak MiB | wall s |"
echo "|---|---|---|---:|---:|"
for lim in "${shared[@]}"; do
  for mode in whole half; do
    env=(-u MHE_MEMORY_LIMIT)
    [ "$mode" = half ] && env=(MHE_MEMORY_LIMIT=50%)
    new_cgroup "$lim"
    pids=()
    for i in 1 2; do
      train_in "m$i" --threads 1 &
      pids+=($!)
    done
    codes=()
    for p in "${pids[@]}"; do
      set +e; wait "$p"; codes+=($?); set -e
    done
    end_cgroup
    label="the whole cgroup's (default)"
    [ "$mode" = half ] && label="half (MHE_MEMORY_LIMIT=50%)"
    printf "| %s | %s | %s | %s | %.1f |\n" "$lim" "$label" "${codes[*]}" "$usage" "$wall"
  done
done
