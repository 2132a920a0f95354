#!/usr/bin/env bash
# Instructions executed by a firmware in QEMU (mps2-an386, Cortex-M4F), counted exactly by the
# plugin of bench/qemu_insn/: the whole run and each region between nascent_bench_begin() and
# nascent_bench_end() (e.g. one inference). Every firmware runs twice; the counts must agree.
#
#   bench/firmware_instructions.sh [options] [firmware.elf ...]
#     --build-dir DIR     build folder (default: build); configured and built when needed
#     --no-build          use what DIR holds, build nothing
#     --runs N            runs per firmware (default 2)
#     --expect-regions N  fail unless each firmware has exactly N regions
#     --qemu FILE --nm FILE --plugin FILE   tools (default: qemu-system-arm, arm-none-eabi-nm,
#                         DIR/bench/qemu_insn/nascent_qemu_insn.so)
#   Without an ELF: DIR/examples/firmware/firmware_proof.elf.
#
# Exit status: 0 when every firmware exits with 0 and its counts repeat, 77 when this QEMU
# cannot load plugins, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
do_build=1
runs=2
expect_regions=""
qemu=qemu-system-arm
nm=arm-none-eabi-nm
plugin=""
elves=()
while (( $# > 0 )); do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    --runs) runs=$2; shift 2 ;;
    --expect-regions) expect_regions=$2; shift 2 ;;
    --qemu) qemu=$2; shift 2 ;;
    --nm) nm=$2; shift 2 ;;
    --plugin) plugin=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) echo "firmware_instructions: unknown option $1" >&2; exit 1 ;;
    *) elves+=("$1"); shift ;;
  esac
done
build=$(realpath -m "$build")
plugin=${plugin:-$build/bench/qemu_insn/nascent_qemu_insn.so}
if (( ${#elves[@]} == 0 )); then
  elves=("$build/examples/firmware/firmware_proof.elf")
fi

if (( do_build )); then
  if [[ ! -f "$build/CMakeCache.txt" ]]; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNASCENT_BUILD_BENCH=ON > /dev/null
  fi
  cmake --build "$build" --target nascent_qemu_insn firmware_proof > /dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run <elf> <plugin options> <report file>: runs the firmware once; its output goes to $work/out.
run() {
  local status=0
  timeout "${NASCENT_QEMU_TIMEOUT:-600}" "$qemu" -M mps2-an386 -nographic -semihosting -kernel "$1" \
    -plugin "$plugin$2,out=$3" < /dev/null > "$work/out" 2>&1 || status=$?
  if grep -qiE "invalid option|plugin.*(not supported|disabled)|unknown option.*plugin" "$work/out"; then
    echo "firmware_instructions: this QEMU cannot load TCG plugins: skipped" >&2
    cat "$work/out" >&2
    exit 77
  fi
  if (( status != 0 )); then
    echo "firmware_instructions: $1 ended with exit code $status:" >&2
    cat "$work/out" >&2
    exit 1
  fi
  if [[ ! -s "$3" ]]; then
    echo "firmware_instructions: the plugin wrote no report ($plugin):" >&2
    cat "$work/out" >&2
    exit 1
  fi
}

field() { awk -v k="$2" '$1 == "nascent-insn:" && $2 == k { print $3 }' "$1"; }

for elf in "${elves[@]}"; do
  name=$(basename "$elf")
  begin=$("$nm" "$elf" | awk '$3 == "nascent_bench_begin" { print $1 }')
  end=$("$nm" "$elf" | awk '$3 == "nascent_bench_end" { print $1 }')
  markers=""
  if [[ -n "$begin" && -n "$end" ]]; then
    markers=",begin=0x$begin,end=0x$end"
  fi
  for (( r = 1; r <= runs; ++r )); do
    run "$elf" "$markers" "$work/report.$r"
  done
  for (( r = 2; r <= runs; ++r )); do
    if ! cmp -s "$work/report.1" "$work/report.$r"; then
      echo "firmware_instructions: $name: run $r counted differently from run 1:" >&2
      diff "$work/report.1" "$work/report.$r" >&2 || true
      exit 1
    fi
  done

  report="$work/report.1"
  echo "$name: $(field "$report" total) instructions in all (identical in $runs runs)"
  if [[ -z "$markers" ]]; then
    echo "$name: no nascent_bench_begin/nascent_bench_end markers"
    regions=0
  else
    regions=$(field "$report" regions)
    if (( regions > 0 )); then
      counts=$(awk '$1 == "nascent-insn:" && $2 == "region" { printf "%s ", $4 }' "$report")
      min=$(field "$report" region-min)
      max=$(field "$report" region-max)
      sum=$(field "$report" region-sum)
      echo "$name: $regions regions between the markers: ${counts% }"
      echo "$name: per region min $min, max $max, mean $(( sum / regions )) instructions" \
           "(each includes 2 for the markers themselves)"
    else
      echo "$name: 0 regions between the markers"
    fi
    unbalanced=$(field "$report" unbalanced)
    if [[ -n "$unbalanced" ]]; then
      echo "firmware_instructions: $name: $unbalanced unbalanced markers (begin without end or the reverse)" >&2
      exit 1
    fi
  fi
  if [[ -n "$expect_regions" && "$regions" != "$expect_regions" ]]; then
    echo "firmware_instructions: $name: $regions regions, expected $expect_regions" >&2
    exit 1
  fi
done
