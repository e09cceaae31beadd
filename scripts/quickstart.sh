#!/usr/bin/env bash
# The README's main command: build mhe and train an MHP model on the built-in
# synthetic dataset (generated in memory: no downloads, no shared data).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
bin/mhe train --config configs/quickstart.yaml --out runs/quickstart --force
bin/mhe predict --model runs/quickstart --out runs/quickstart-predictions.txt
bin/mhe eval --model runs/quickstart --format markdown
