#!/usr/bin/env bash
# The search program's speed-up from judging candidates in parallel (docs/search_program.md,
# "Parallel and distributed evaluation"): the same search, --evaluation train, timed four ways on
# this machine, each run's search time (state.json's search_seconds, the final models excluded):
#   1 process, 1 OpenBLAS thread   |  1 process, 2 threads  |  --jobs 2 (2 x 1 thread)  |  mpirun -np 2 (2 x 1 thread)
# and the archives compared: those of --jobs 2 and mpirun must be the one-thread run's (two
# OpenBLAS threads split their sums differently, so the two-thread run's figures may differ).
#
#   bench/parallel_search.sh [--build-dir DIR] [--images N] [--candidates N] [--iterations N]
#     --build-dir DIR   a build folder with nascent_search (default: build)
#     --images N        training images of each candidate's one epoch (default 3000)
#     --candidates N    candidates per iteration, the first population included (default 24, the program's)
#     --iterations N    iterations after the first population (default 1)
#     --keep            keep the four output folders (their path is printed)
# Needs Fashion-MNIST; the mpirun run needs nascent_search built with MPI. Exit status 1 on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
images=3000
candidates=24
iterations=1
keep=0
while (( $# > 0 )); do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --images) images=$2; shift 2 ;;
    --candidates) candidates=$2; shift 2 ;;
    --iterations) iterations=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "parallel_search: unknown option $1" >&2; exit 1 ;;
  esac
done
source bench/search_runs.sh
search_setup parallel_search "$build" "$keep"

job=(--strategy aging --evaluation train --candidate-epochs 1 --population "$candidates" --per-iteration "$candidates"
     --iterations "$iterations" --search-images "$images" --validation 1000 --also-ram "" --final-epochs 1
     --final-images 1000 --test-images 1000 --calibration 100 --firmware-images 0)

seconds() { grep -o '"search_seconds": [0-9.e+-]*' "$1/state.json" | awk '{print $2}'; }

run() {  # run NAME COMMAND...: the search time of NAME
  search_run parallel_search "$@"
  echo "$1: $(seconds "$1") s"
}

run one_thread "$program" "${job[@]}" --threads 1
run two_threads "$program" "${job[@]}" --threads 2
run jobs_2 "$program" "${job[@]}" --threads 2 --jobs 2
ranks=""
if command -v mpirun > /dev/null && ldd "$program" | grep -q libmpi; then
  run mpirun_2 mpirun --allow-run-as-root -np 2 "$program" "${job[@]}" --threads 1
  ranks=mpirun_2
fi

for other in jobs_2 $ranks; do
  cmp -s one_thread/candidates.csv "$other/candidates.csv" || { echo "parallel_search: $other's archive differs from one_thread's" >&2; exit 1; }
done
echo "archives: jobs_2 ${ranks:+and $ranks }judged the same $(( $(wc -l < one_thread/candidates.csv) - 1 )) candidates as one_thread, with the same results"
cmp -s one_thread/candidates.csv two_threads/candidates.csv || echo "(two_threads: other figures, as expected with two OpenBLAS threads)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "speed-up of --jobs 2: $(ratio "$(seconds one_thread)" "$(seconds jobs_2)") against 1 thread, $(ratio "$(seconds two_threads)" "$(seconds jobs_2)") against 2 threads"
[[ -n $ranks ]] && echo "speed-up of mpirun -np 2: $(ratio "$(seconds one_thread)" "$(seconds mpirun_2)") against 1 thread, $(ratio "$(seconds two_threads)" "$(seconds mpirun_2)") against 2 threads"
exit 0
