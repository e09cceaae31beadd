#!/usr/bin/env bash
# Build bin/mhe with the version and commit stamped in (manifests and run
# records carry them).
set -euo pipefail
cd "$(dirname "$0")/.."
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then commit="$commit-dirty"; fi
mkdir -p bin
go build -trimpath -ldflags "-X github.com/mhe-xlc/mhe/internal/buildinfo.Commit=$commit" -o bin/mhe ./cmd/mhe
echo "built bin/mhe ($commit)" >&2
