// Proof firmware: real work whose result the host checks (tests/firmware), on the same start-up,
// linker script and semihosting as every nascent firmware.
//   - the start-up code's work: an initialised variable (.data), a zeroed one (.bss), a
//     constructor (.init_array) and the FPU;
//   - CRC-32 (bitwise, reflected polynomial 0xEDB88320) over a constant array that stays in flash;
//   - a float dot product with exactly representable terms (same result on any FPU);
//   - an int8 dense layer with requantization (a Q31 multiplier and a shift, rounding half away
//     from zero), run three times between the instruction-counting markers.
// The constants come from proof_data.hpp, which proof_data_gen writes at build time, together
// with the text this program must print. Exit code: 0 on success, 1 when the CRC-32 known-answer
// check fails, 2 when repeated runs of the dense layer disagree, 3 when the start-up check fails.
#include <array>
#include <cstddef>
#include <cstdint>

#include "proof_data.hpp"
#include "nascent/platform/bench_markers.hpp"
#include "nascent/platform/semihosting.hpp"

namespace {

// Start-up checks: volatile, so that the compiler reads them at run time.
volatile std::uint32_t initialised = 0x6e617363u;  // .data: copied from flash at reset
volatile std::uint32_t zeroed[8];                  // .bss: zeroed at reset
volatile std::uint32_t seen_by_constructor = 0;

[[gnu::noinline]] std::uint32_t construct() {
  seen_by_constructor = initialised;  // .data is ready before constructors run
  return 0x636f6e73u;
}
const volatile std::uint32_t constructed = construct();  // dynamic initialisation: .init_array

bool start_up_worked() {
  for (std::uint32_t w : zeroed) {
    if (w != 0) return false;
  }
  return initialised == 0x6e617363u && constructed == 0x636f6e73u && seen_by_constructor == 0x6e617363u;
}

// sum((w / 16) * (x / 16)) over the first row of the dense layer, times 256: the terms are
// multiples of 1/256 and the sums stay below 2^12, so single precision holds them exactly.
std::int32_t float_dot() {
  volatile float sixteenth = 1.0f / 16.0f;  // read at run time: the FPU does the work
  const float scale = sixteenth;
  float sum = 0.0f;
  for (int i = 0; i < proof_data::inputs; ++i) sum += (proof_data::weights[i] * scale) * (proof_data::input[i] * scale);
  return static_cast<std::int32_t>(sum * 256.0f);
}

std::uint32_t crc32(const std::uint8_t* data, std::size_t size) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// round(acc * multiplier / 2^(31 + shift)), halves away from zero, in 64-bit integers.
std::int32_t requantize(std::int32_t acc, std::int32_t multiplier, int shift) {
  const std::int64_t product = static_cast<std::int64_t>(acc) * multiplier;
  const int total_shift = 31 + shift;
  const std::uint64_t magnitude = product < 0 ? 0u - static_cast<std::uint64_t>(product) : static_cast<std::uint64_t>(product);
  const auto rounded = static_cast<std::int64_t>((magnitude + (std::uint64_t{1} << (total_shift - 1))) >> total_shift);
  return static_cast<std::int32_t>(product < 0 ? -rounded : rounded);
}

using dense_output = std::array<std::int8_t, proof_data::outputs>;

void dense(dense_output& y) {
  using namespace proof_data;
  for (int o = 0; o < outputs; ++o) {
    std::int32_t acc = bias[o];
    const std::int8_t* w = &weights[static_cast<std::size_t>(o * inputs)];
    for (int i = 0; i < inputs; ++i) acc += w[i] * (input[i] - input_zero_point);
    std::int32_t v = requantize(acc, multiplier, shift) + output_zero_point;
    v = v < -128 ? -128 : (v > 127 ? 127 : v);
    y[o] = static_cast<std::int8_t>(v);
  }
}

}  // namespace

int main() {
  nascent::firmware::semihosting::console out;

  if (!start_up_worked()) {
    out.text("proof: start-up failed (.data, .bss or constructors)").line();
    return 3;
  }
  out.text("proof: start-up ok (.data copied, .bss zeroed, constructors run)").line();

  constexpr std::uint8_t check[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  if (crc32(check, sizeof check) != 0xCBF43926u) {
    out.text("proof: CRC-32 of \"123456789\" is not 0xcbf43926").line();
    return 1;
  }
  out.text("proof: crc32 of ").dec(proof_data::bytes.size()).text(" flash bytes ")
      .hex(crc32(proof_data::bytes.data(), proof_data::bytes.size())).line();

  out.text("proof: float dot ").dec(proof_data::inputs).text(" x 256: ").dec(float_dot()).line();

  dense_output runs[3] = {};
  for (int run = 0; run < 3; ++run) {
    nascent_bench_begin();
    dense(runs[run]);
    nascent_bench_end();
  }
  const dense_output& first = runs[0];
  for (int run = 1; run < 3; ++run) {
    if (runs[run] != first) {
      out.text("proof: run ").dec(run).text(" of the dense layer differs from the first").line();
      return 2;
    }
  }
  out.text("proof: int8 dense ").dec(proof_data::inputs).text("->").dec(proof_data::outputs).character(':');
  for (std::int8_t v : first) out.character(' ').dec(v);
  out.line();
  out.text("proof: done").line();
  return 0;
}
