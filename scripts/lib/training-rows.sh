# shellcheck shell=bash
# Sourced by scripts that study nested folds (plt-resplit.sh,
# ensemble-nested.sh); needs MHE_DATA_DIR.

# training_rows_dir CONFIG EVERY DIR: DIR gets the config's data.train path
# holding only its training rows (row i of the file is a test row iff
# i % EVERY == EVERY-1), header rewritten, gzipped. Pointing MHE_DATA_DIR at
# DIR then splits those rows by the config's own rule (data.holdout_fold),
# and the test rows are in no run.
training_rows_dir() {
  local cfg=$1 every=$2 dir=$3 train
  train=$(sed -nE 's/^  train: *([^ #]+).*/\1/p' "$cfg")
  mkdir -p "$dir/$(dirname "$train")"
  zcat -f "$MHE_DATA_DIR/$train" | awk -v n="$every" -v OFS=' ' '
    NR == 1 { f = $2; l = $3; next }
    (NR - 2) % n != n - 1 { rows[++m] = $0 }
    END { print m, f, l; for (i = 1; i <= m; i++) print rows[i] }' | gzip >"$dir/$train"
}

# holdout_every CONFIG: the config's data.holdout_every (empty if none).
holdout_every() {
  sed -nE 's/^  holdout_every: *([0-9]+).*/\1/p' "$1"
}
