#!/usr/bin/env bash
# Compile time and peak compiler memory of every translation unit of the project
# (tests, examples, header checks), measured with /usr/bin/time around each compiler call.
#   bench/compile_time.sh [build-dir]     (default: build-compile-time)
# Prints one line per translation unit, slowest first, and the totals.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath -m "${1:-build-compile-time}")
log="$build/compile_times.tsv"
rm -rf "$build"
mkdir -p "$build"
launcher="$build/time_compiler.sh"
cat > "$launcher" <<LAUNCH
#!/usr/bin/env bash
# Runs the compiler under /usr/bin/time; appends seconds, peak KiB and the source file to the log.
src=unknown
for a in "\$@"; do case "\$a" in *.cpp) src="\$a";; esac; done
exec /usr/bin/time -a -o "$log" -f "%e	%M	\$src" "\$@"
LAUNCH
chmod +x "$launcher"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER="$launcher" > /dev/null
cmake --build "$build" -j 1 > /dev/null
printf "%8s %10s  %s\n" "seconds" "peak MiB" "translation unit"
sort -t$'\t' -k1,1 -gr "$log" | awk -F'\t' '{ printf "%8.2f %10.0f  %s\n", $1, $2 / 1024, $3 }'
awk -F'\t' '{ s += $1; if ($2 > m) m = $2 } END { printf "total %.1f s over %d translation units, largest peak %.0f MiB\n", s, NR, m / 1024 }' "$log"
