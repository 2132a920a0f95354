#!/usr/bin/env bash
# The early-exit network against its single-exit backbone on the device: accuracy, avg_macs and
# the instructions a Cortex-M4 runs per image (docs/early_exits.md).
#
#   bench/early_exit_firmware.sh [--build-dir DIR] [--epochs N] [--train-limit N] [--images N]
#     --build-dir DIR   build folder of this measurement (default: build-early-exit), configured with
#                       the export's settings; only the exporter, the firmware and the plugin are built
#     --epochs N        training epochs of both networks (default 5)
#     --train-limit N   training images (default 0: all but the 5,000 held out)
#     --images N        test images embedded in the firmware (default 48; the plugin reports up to 100 regions)
#
# The exporter (examples/export_early_exit.cpp) trains both networks, chooses the thresholds on
# held-out images and measures both int8 programs on the whole test split: accuracy, the share of
# images leaving at each exit, avg_macs. The firmware runs the embedded images in QEMU under the
# instruction-counting plugin (bench/firmware_instructions.sh), the early-exit network and the
# backbone each between markers. An exit's instruction count is the mean over the embedded images
# that left there; the average per image weighs those by the shares of the whole test split.
# Needs the cross compiler, QEMU and Fashion-MNIST. Exit status 1 on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build-early-exit
epochs=5
train_limit=0
images=48
while (( $# > 0 )); do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --train-limit) train_limit=$2; shift 2 ;;
    --images) images=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "early_exit_firmware: unknown option $1" >&2; exit 1 ;;
  esac
done

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNASCENT_BUILD_BENCH=ON -DNASCENT_EARLY_EXIT_EPOCHS="$epochs" \
  -DNASCENT_EARLY_EXIT_TRAIN_LIMIT="$train_limit" -DNASCENT_EARLY_EXIT_IMAGES="$images" > /dev/null
cmake --build "$build" --target firmware_early_exit nascent_qemu_insn
summary="$build/examples/early_exit_model/early_exit_summary.txt"
expected="$build/examples/early_exit_model/early_exit_expected.txt"
counts=$(bash bench/firmware_instructions.sh --no-build --build-dir "$build" --expect-regions $(( 2 * images )) \
  "$build/examples/firmware/firmware_early_exit.elf" | awk '/regions between the markers:/ { sub(/.*markers: /, ""); print }')
[[ -n "$counts" ]] || { echo "early_exit_firmware: no instruction counts" >&2; exit 1; }

exits=$(awk '/^image [0-9]+:/ { sub(/.*, exit /, ""); print $1 }' "$expected" | tr '\n' ' ')
awk -v counts="$counts" -v exits="$exits" '
  $1 == "shares" { s0 = $2; s1 = $3; s2 = $4 }
  $1 == "accuracy_exits" { ae = $2 } $1 == "accuracy_backbone" { ab = $2 }
  $1 == "avg_macs" { am = $2 } $1 == "device_macs" { dm = $2 } $1 == "backbone_macs" { bm = $2 }
  $1 == "thresholds" { t = $2 " " $3 } $1 == "test_images" { n = $2 }
  END {
    nc = split(counts, c, " "); ne = split(exits, e, " ")
    if (nc != 2 * ne) { print "early_exit_firmware: " nc " counts for " ne " images" > "/dev/stderr"; exit 1 }
    for (i = 1; i <= ne; ++i) { k = e[i]; sum[k] += c[2 * i - 1]; num[k]++; back += c[2 * i] }
    back /= ne
    share[0] = s0; share[1] = s1; share[2] = s2; avg = 0
    for (k = 0; k <= 2; ++k) {
      if (num[k] == 0 && share[k] > 0) { print "early_exit_firmware: no embedded image left at exit " k + 1 "; embed more (--images)" > "/dev/stderr"; exit 1 }
      mean[k] = num[k] > 0 ? sum[k] / num[k] : 0; avg += share[k] * mean[k]
    }
    printf "thresholds %s; %d test images (accuracy, shares, MACs); %d embedded images in QEMU (instructions)\n\n", t, n, ne
    printf "| exit | leaving there (%%) | instructions per image there |\n|---|---:|---:|\n"
    for (k = 0; k <= 2; ++k) printf "| %s | %.1f | %.0f (%d images) |\n", k < 2 ? k + 1 : "final", 100 * share[k], mean[k], num[k]
    printf "\n| model | test accuracy (%%) | avg_macs | MACs run on average | instructions per image, average |\n|---|---:|---:|---:|---:|\n"
    printf "| single-exit backbone | %.2f | %d | %d | %.0f |\n", ab, bm, bm, back
    printf "| early exits | %.2f | %.0f | %.0f | %.0f |\n", ae, am, dm, avg
    printf "\nearly exits against the backbone: %.3f of its MACs (avg_macs), %.3f of its instructions\n", am / bm, avg / back
  }' "$summary"
