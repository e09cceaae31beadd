#!/usr/bin/env bash
# Checks that a model does not depend on the CPU architecture it was
# trained on (README, "Reproducibility and safety"):
#  1. no function of mhe's own packages, built for arm64, holds a fused
#     multiply-add that its source did not ask for (math.FMA, in
#     internal/detmath only): compilers for arm64 fuse a*b + c unless an
#     explicit conversion rounds the product, and that changes bits;
#  2. cmd/mhe's TestSameBits, built for arm64 and run under qemu user
#     emulation, gives the weights and predictions that amd64 gives
#     (cmd/mhe/testdata/same_bits.txt).
# Needs qemu-aarch64-static (Debian: qemu-user-static) for step 2; without
# it step 2 is skipped with a message, unless SAME_BITS_REQUIRE=1.
# Usage: scripts/same-bits.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

GOOS=linux GOARCH=arm64 go build -o "$tmp/mhe-arm64" ./cmd/mhe
fused=$(go tool objdump -s 'mhe-xlc/mhe/' "$tmp/mhe-arm64" |
  awk '$4 ~ /^(FMADD|FMSUB|FNMADD|FNMSUB|VFMLA|VFMLS)/ {print $1}' |
  grep -v '^detmath.go:' | sort | uniq -c || true)
if [ -n "$fused" ]; then
  echo "same-bits: fused multiply-adds in the arm64 build (round the product: x + float64(a*b)):" >&2
  echo "$fused" >&2
  exit 1
fi
echo "same-bits: no unasked-for fused multiply-add in mhe's packages for arm64"

qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
if [ -z "$qemu" ]; then
  if [ "${SAME_BITS_REQUIRE:-0}" = 1 ]; then
    echo "same-bits: qemu-aarch64-static not found (apt-get install qemu-user-static)" >&2
    exit 1
  fi
  echo "same-bits: SKIPPED the arm64 run: qemu-aarch64-static not found (apt-get install qemu-user-static)"
  exit 0
fi
GOOS=linux GOARCH=arm64 go test -c -o "$tmp/mhe.test" ./cmd/mhe
(cd cmd/mhe && "$qemu" "$tmp/mhe.test" -test.run '^TestSameBits$' -test.count=1 -test.v) | tail -3
echo "same-bits: arm64 (qemu) gives amd64's weights and predictions"
