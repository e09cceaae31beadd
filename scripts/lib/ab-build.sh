# shellcheck shell=bash
# Sourced, from the repository's root, by the scripts that compare mhe at
# a commit with the working tree's (ab-train.sh, load-speed.sh).

# ab_build NAME REV DIR: checks that /usr/bin/time is here and that REV is
# a commit (else exits 2, the message starting with NAME), then builds mhe
# at REV as DIR/mhe-a (from a git worktree in DIR/src) and the working
# tree's as DIR/mhe-b. DIR, with the worktree, is removed when the script
# exits.
ab_build() {
  local name=$1 rev=$2 dir=$3
  # shellcheck disable=SC2064 # DIR is expanded now, on purpose
  trap "git worktree remove --force '$dir/src' 2>/dev/null || true; git worktree prune; rm -rf '$dir'" EXIT
  command -v /usr/bin/time >/dev/null || { echo "$name: needs /usr/bin/time (Debian: apt-get install time)" >&2; exit 2; }
  git rev-parse -q --verify "$rev^{commit}" >/dev/null || { echo "$name: REV=$rev is not a commit" >&2; exit 2; }
  git worktree add -q --detach "$dir/src" "$rev"
  (cd "$dir/src" && go build -o "$dir/mhe-a" ./cmd/mhe)
  go build -o "$dir/mhe-b" ./cmd/mhe
}
