# Sourced by scripts that set MHC beside napkinXC's PLT (mhc-vs-plt.sh,
# ensemble.sh): TARGETS.md's PLT figures for every multi-label dataset in
# ../shared/data, measured on this machine kind with two threads, one line
# per dataset: "name config P@1 train_s predict_s" (config under configs/,
# without .yaml; predict_s includes loading).
plt_rows=(
  "Bibtex bibtex-mhc 61.79 0.87 0.09"
  "Delicious delicious-mhc 66.44 6.87 0.09"
  "StackEx-Cooking stackex-cooking-mhc 56.39 1.40 0.06"
  "StackEx-CS stackex-cs-mhc 55.61 1.00 0.06"
  "RCV1-Sub1 rcv1-mhc 63.25 0.78 0.17"
  "Corel5k corel5k-mhc 33.20 0.66 0.04"
)
