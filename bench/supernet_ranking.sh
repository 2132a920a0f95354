#!/usr/bin/env bash
# How well the supernet ranks (issue: a supernet that ranks): Kendall's tau-b between the accuracy
# a candidate has with the weights it inherits from the trained supernet and the accuracy it
# reaches trained alone from scratch, both on the same held-out validation images.
#
#   bench/supernet_ranking.sh [--build-dir DIR] [--space NAME] [--architectures N] [--images N]
#                             [--supernet-epochs N] [--candidate-epochs N] [--jobs N] [--keep]
#     --build-dir DIR        a build folder with nascent_search (default: build)
#     --space NAME           the space (default mcu_cnn)
#     --architectures N      feasible architectures drawn at random within the default budgets (default 30)
#     --images N             training images of the supernet and of each candidate (default 20000)
#     --supernet-epochs N    epochs of the supernet (default 4, the program's)
#     --candidate-epochs N   epochs of each candidate trained alone (default 2)
#     --jobs N               processes judging the candidates (default 2)
#     --keep                 keep the two output folders (their path is printed)
#
# Two runs of nascent_search with the same seed draw the same first population (--strategy random
# --iterations 0): one judges it with the supernet (--evaluation supernet), one trains each
# candidate (--evaluation train). Prints each architecture's two accuracies, tau-b over all of
# them and over the better half by stand-alone accuracy, the part of the space a search keeps.
# Needs Fashion-MNIST. Exit status 1 on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
space=mcu_cnn
architectures=30
images=20000
supernet_epochs=4
candidate_epochs=2
jobs=2
keep=0
while (( $# > 0 )); do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --space) space=$2; shift 2 ;;
    --architectures) architectures=$2; shift 2 ;;
    --images) images=$2; shift 2 ;;
    --supernet-epochs) supernet_epochs=$2; shift 2 ;;
    --candidate-epochs) candidate_epochs=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "supernet_ranking: unknown option $1" >&2; exit 1 ;;
  esac
done
source bench/search_runs.sh
search_setup supernet_ranking "$build" "$keep"

job=(--space "$space" --strategy random --predictor none --iterations 0 --population "$architectures" --search-images "$images"
     --supernet-epochs "$supernet_epochs" --candidate-epochs "$candidate_epochs" --jobs "$jobs" --also-ram "" --final-epochs 1
     --final-images 1000 --test-images 1000 --calibration 100 --firmware-images 0)
for evaluation in supernet train; do
  start=$(date +%s)
  search_run supernet_ranking $evaluation "$program" "${job[@]}" --evaluation $evaluation
  echo "$evaluation: $(( $(date +%s) - start )) s"
done
cut -d, -f3 supernet/candidates.csv > supernet.arch
cut -d, -f3 train/candidates.csv > train.arch
cmp -s supernet.arch train.arch || { echo "supernet_ranking: the two runs drew other architectures" >&2; exit 1; }

# architecture, MACs, inherited and stand-alone accuracy; then tau-b over all of them, and over the
# better half by stand-alone accuracy (where a search picks its models)
paste -d, <(cut -d, -f3,10,4 supernet/candidates.csv) <(cut -d, -f4 train/candidates.csv) | tail -n +2 |
  awk -F, 'function tau_b(m, keep,    i, j, da, db, c, d, ta, tb, s) {
             c = 0; d = 0; ta = 0; tb = 0
             for (i = 1; i <= m; ++i) for (j = i + 1; j <= m; ++j) {
               if (!(i in keep) || !(j in keep)) continue
               da = a[i] - a[j]; db = b[i] - b[j]
               if (da == 0 && db == 0) continue
               if (da == 0) { ++ta; continue }
               if (db == 0) { ++tb; continue }
               if (da * db > 0) ++c; else ++d
             }
             s = sqrt((c + d + ta) * (c + d + tb))
             return s > 0 ? (c - d) / s : 0
           }
           { a[NR] = $2; b[NR] = $4; printf "%-28s MACs %9d  inherited %.3f  alone %.3f\n", $1, $3, $2, $4 }
           END {
             n = NR
             for (i = 1; i <= n; ++i) { all[i] = 1; sorted[i] = b[i] }
             for (i = 2; i <= n; ++i) for (j = i; j > 1 && sorted[j - 1] < sorted[j]; --j) { t = sorted[j]; sorted[j] = sorted[j - 1]; sorted[j - 1] = t }
             half = int(n / 2)
             for (i = 1; i <= n; ++i) if (b[i] >= sorted[half]) better[i] = 1
             printf "Kendall tau-b over %d architectures: %.3f\n", n, tau_b(n, all)
             printf "Kendall tau-b over the better half by stand-alone accuracy (%d): %.3f\n", length(better), tau_b(n, better)
           }'
