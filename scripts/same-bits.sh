#!/usr/bin/env bash
# Checks that a model does not depend on the CPU architecture it was
# trained on (README, "Reproducibility and safety"):
#  1. no function of mhe's own packages, built for arm64, ppc64le or
#     riscv64, holds a fused multiply-add that its source did not ask for
#     (math.FMA, in internal/detmath only): compilers for those fuse
#     a*b + c unless an explicit conversion rounds the product, and that
#     changes bits;
#  2. built for each and run under qemu user emulation, internal/detmath's
#     TestOutputsGolden gives amd64's bits of Exp, Log, Pow, Tanh, Cos… over
#     a million arguments (internal/detmath/testdata/outputs.txt),
#     internal/nn's *MatchesGonum tests give the digests of amd64's kernel
#     results (gonum's amd64 assembly's bits), and cmd/mhe's TestSameBits
#     gives the weights, predictions and metrics that amd64 gives
#     (cmd/mhe/testdata/same_bits.txt);
#  3. on linux/amd64, the same tests built for 386, run natively (Go's 386
#     binaries fail under qemu-i386, but an amd64 kernel runs them).
# Needs qemu-<arch>-static (Debian: qemu-user-static) for step 2; without
# it step 2 is skipped with a message, unless SAME_BITS_REQUIRE=1.
# Big-endian machines are not supported (model files are little-endian):
# last, it checks that mhe refuses s390x with a message and exit code 1.
# Usage: [ARCHS="arm64 ppc64le riscv64"] scripts/same-bits.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The lines of internal/detmath that ask for a fused multiply-add (math.FMA).
asked=$(grep -n 'math\.FMA(' internal/detmath/detmath.go | cut -d: -f1 | sed 's/^/detmath.go:/' | paste -sd'|')
for arch in ${ARCHS:-arm64 ppc64le riscv64}; do
  GOOS=linux GOARCH=$arch go build -o "$tmp/mhe-$arch" ./cmd/mhe
  fused=$(go tool objdump -s 'mhe-xlc/mhe/' "$tmp/mhe-$arch" |
    awk '$4 ~ /^(FMADD|FMSUB|FNMADD|FNMSUB|VFMLA|VFMLS)/ {print $1}' |
    grep -Ev "^($asked)\$" | sort | uniq -c || true)
  if [ -n "$fused" ]; then
    echo "same-bits: fused multiply-adds in the $arch build (round the product: x + float64(a*b)):" >&2
    echo "$fused" >&2
    exit 1
  fi
  echo "same-bits: no fused multiply-add mhe did not ask for in the $arch build"
done

for arch in ${ARCHS:-arm64 ppc64le riscv64}; do
  q=$arch
  [ "$arch" = arm64 ] && q=aarch64
  qemu=$(command -v "qemu-$q-static" || command -v "qemu-$q" || true)
  if [ -z "$qemu" ]; then
    if [ "${SAME_BITS_REQUIRE:-0}" = 1 ]; then
      echo "same-bits: qemu-$q-static not found (apt-get install qemu-user-static)" >&2
      exit 1
    fi
    echo "same-bits: SKIPPED the $arch run: qemu-$q-static not found (apt-get install qemu-user-static)"
    continue
  fi
  GOOS=linux GOARCH=$arch go test -c -o "$tmp/detmath-$arch.test" ./internal/detmath
  (cd internal/detmath && "$qemu" "$tmp/detmath-$arch.test" -test.run '^TestOutputsGolden$' -test.count=1 -test.v) | tail -2
  GOOS=linux GOARCH=$arch go test -c -o "$tmp/nn-$arch.test" ./internal/nn
  (cd internal/nn && "$qemu" "$tmp/nn-$arch.test" -test.run 'MatchesGonum$' -test.count=1 -test.v) | tail -2
  GOOS=linux GOARCH=$arch go test -c -o "$tmp/mhe-$arch.test" ./cmd/mhe
  (cd cmd/mhe && "$qemu" "$tmp/mhe-$arch.test" -test.run '^TestSameBits$' -test.count=1 -test.v) | tail -2
  echo "same-bits: $arch (qemu) gives amd64's function values, kernel results, weights, predictions and metrics"
done

if [ "$(go env GOHOSTOS)/$(go env GOHOSTARCH)" = linux/amd64 ]; then
  GOARCH=386 go test -count=1 -run 'MatchesGonum$|^TestOutputsGolden$|^TestSameBits$' ./internal/detmath ./internal/nn ./cmd/mhe
  echo "same-bits: 386 (native) gives amd64's function values, kernel results, weights, predictions and metrics"
fi

# A big-endian CPU is refused with a message and exit code 1, not a crash.
if qemu=$(command -v qemu-s390x-static); then
  GOOS=linux GOARCH=s390x go build -o "$tmp/mhe-s390x" ./cmd/mhe
  code=0
  msg=$("$qemu" "$tmp/mhe-s390x" version 2>&1) || code=$?
  if [ "$code" != 1 ] || ! grep -q "big-endian" <<<"$msg"; then
    echo "same-bits: on s390x mhe should refuse with exit 1, got exit $code: $msg" >&2
    exit 1
  fi
  echo "same-bits: s390x (big-endian) is refused with exit 1: $msg"
fi
