#!/usr/bin/env bash
# Compile time and peak compiler memory of every translation unit of the project (tests,
# examples, header checks), measured with /usr/bin/time around each compiler call.
#   bench/compile_time.sh [-j jobs] [--top n] [build-dir] [-- cmake options...]
#     -j jobs     parallel compiler calls (default 1); CPU seconds stay comparable at any -j
#     --top n     print only the n slowest units (default: all)
#     build-dir   a fresh build folder (default: build-compile-time), deleted first
#     -- ...      more cmake options, e.g. the sanitizer build of .ci/run:
#                 bench/compile_time.sh -j 2 build-ct-asan -- -DCMAKE_BUILD_TYPE=Debug
#                   -DCMAKE_CXX_FLAGS_DEBUG=-O1\ -g1 -DNASCENT_BUILD_EXAMPLES=OFF ...
# Prints one line per translation unit, most CPU seconds (user + system) first: those are
# what a shared or busy machine does not inflate, unlike wall seconds. Then the totals, the
# build's wall time and the units over the limits of docs/benchmarks.md (60 s, 1.5 GB).
# The raw log, build-dir/compile_times.tsv, holds per unit:
#   wall-seconds <TAB> user-seconds <TAB> system-seconds <TAB> peak-KiB <TAB> source
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=1
top=0
build=build-compile-time
while (( $# > 0 )); do
  case "$1" in
    -j) jobs=$2; shift 2 ;;
    -j*) jobs=${1#-j}; shift ;;
    --top) top=$2; shift 2 ;;
    --) shift; break ;;
    -*) echo "compile_time.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1; shift ;;
  esac
done
build=$(realpath -m "$build")
log="$build/compile_times.tsv"
rm -rf "$build"
mkdir -p "$build"
: > "$log"
launcher="$build/time_compiler.sh"
cat > "$launcher" <<LAUNCH
#!/usr/bin/env bash
# Runs the compiler under /usr/bin/time; appends the seconds, the peak KiB and the source to the log.
src=unknown
for a in "\$@"; do case "\$a" in *.cpp|*.cxx|*.cc|*.c) src="\$a";; esac; done
exec /usr/bin/time -a -o "$log" -f "%e	%U	%S	%M	\$src" "\$@"
LAUNCH
chmod +x "$launcher"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER="$launcher" "$@" > /dev/null
start=$(date +%s)
cmake --build "$build" -j "$jobs" > "$build/build_output.txt"
elapsed=$(( $(date +%s) - start ))

printf "%8s %8s %9s  %s\n" "cpu s" "wall s" "peak MiB" "translation unit"
awk -F'\t' '{ printf "%.2f\t%.2f\t%.0f\t%s\n", $2 + $3, $1, $4 / 1024, $5 }' "$log" | sort -t$'\t' -k1,1 -gr |
  { if (( top > 0 )); then head -n "$top"; else cat; fi } |
  awk -F'\t' -v root="$PWD/" '{ sub("^" root, "", $4); printf "%8.2f %8.2f %9d  %s\n", $1, $2, $3, $4 }'
awk -F'\t' -v elapsed="$elapsed" -v jobs="$jobs" '
  { cpu += $2 + $3; wall += $1; if ($4 > peak) peak = $4
    if ($2 + $3 > 60) slow++; if ($4 > 1.5 * 1024 * 1024) big++ }
  END {
    printf "total %.1f cpu s (%.1f wall s) over %d translation units, largest peak %.0f MiB\n", cpu, wall, NR, peak / 1024
    printf "build: %d s wall at -j %d (compiling, linking and the build-time steps)\n", elapsed, jobs
    printf "units over 60 cpu s: %d, over 1.5 GB: %d\n", slow, big
  }' "$log"
