# shellcheck shell=bash
# Sourced by scripts that time runs and summarise them over seeds
# (mhc-vs-plt.sh, rowwise-tables.sh, ensemble.sh).

# now: the time in seconds, with nanoseconds.
now() { date +%s.%N; }

# meansd: the numbers on stdin as "mean ± sample sd", two decimals (sd 0
# for one number).
meansd() { awk '{for (i = 1; i <= NF; i++) {s += $i; q += $i * $i}; m = s / NF; v = NF > 1 ? (q - NF * m * m) / (NF - 1) : 0; if (v < 0) v = 0; printf "%.2f ± %.2f", m, sqrt(v)}'; }

# median: the median of the numbers on stdin, two decimals.
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {printf "%.2f", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
