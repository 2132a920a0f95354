// Host side of the proof firmware: writes the constants the firmware embeds (a C++ header) and
// the text the firmware must print, computed here independently of the firmware's code:
// CRC-32 with zlib's crc32() (the firmware uses its own bitwise loop), the float dot product as
// an integer sum, the int8 dense layer's requantization in long double with llround (the firmware
// uses 64-bit integer rounding).
//
//   proof_data_gen <header.hpp> <expected.txt> [seed]
//
// The same seed gives the same files, byte for byte.
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr int byte_count = 4096;
constexpr int inputs = 64;
constexpr int outputs = 16;
constexpr int shift = 9;  // right shift after the Q31 multiplier: a scale of 2^-10 to 2^-9

struct xorshift32 {
  std::uint32_t state;
  std::uint32_t next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
  int in(int low, int high) { return low + static_cast<int>(next() % static_cast<std::uint32_t>(high - low + 1)); }
};

template <class T>
void write_array(std::ostream& out, const char* type, const char* name, const std::vector<T>& values) {
  out << "inline constexpr std::array<" << type << ", " << values.size() << "> " << name << " = {";
  for (std::size_t i = 0; i < values.size(); ++i) {
    out << (i % 16 == 0 ? "\n    " : " ") << static_cast<long long>(values[i]) << ',';
  }
  out << "\n};\n";
}

std::string hex8(std::uint32_t v) {
  static const char digits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift_bits = 28; shift_bits >= 0; shift_bits -= 4) s += digits[(v >> shift_bits) & 0xF];
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::cerr << "usage: proof_data_gen <header.hpp> <expected.txt> [seed]\n";
    return 2;
  }
  const std::uint32_t seed = argc == 4 ? static_cast<std::uint32_t>(std::strtoul(argv[3], nullptr, 0)) : 1;
  xorshift32 random{seed == 0 ? 1u : seed};

  std::vector<std::uint8_t> bytes(byte_count);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(random.next() >> 24);
  std::vector<std::int8_t> input(inputs), weights(inputs * outputs);
  for (auto& x : input) x = static_cast<std::int8_t>(random.in(-128, 127));
  for (auto& w : weights) w = static_cast<std::int8_t>(random.in(-127, 127));
  std::vector<std::int32_t> bias(outputs);
  for (auto& b : bias) b = random.in(-5000, 5000);
  const std::int32_t input_zero_point = random.in(-8, 8);
  const std::int32_t output_zero_point = random.in(-8, 8);
  const auto multiplier = static_cast<std::int32_t>((1u << 30) + (random.next() >> 2));  // [2^30, 2^31)

  std::ofstream header(argv[1]);
  header << "#pragma once\n"
            "// Constants of the proof firmware, written by proof_data_gen (seed "
         << seed << "). Do not edit.\n"
            "#include <array>\n#include <cstdint>\n\nnamespace proof_data {\n\n"
            "// Pseudo-random bytes whose CRC-32 the firmware computes.\n";
  write_array(header, "std::uint8_t", "bytes", bytes);
  header << "\n// An int8 dense layer: y = clamp(zero_point_out + round(acc * multiplier * 2^-(31 + shift))),\n"
            "// acc = bias + sum(w * (x - zero_point_in)), rounding half away from zero.\n"
            "inline constexpr int inputs = "
         << inputs << ";\ninline constexpr int outputs = " << outputs
         << ";\ninline constexpr std::int32_t input_zero_point = " << input_zero_point
         << ";\ninline constexpr std::int32_t output_zero_point = " << output_zero_point
         << ";\ninline constexpr std::int32_t multiplier = " << multiplier << ";\ninline constexpr int shift = " << shift
         << ";\n";
  write_array(header, "std::int8_t", "input", input);
  write_array(header, "std::int8_t", "weights", weights);
  write_array(header, "std::int32_t", "bias", bias);
  header << "\n}  // namespace proof_data\n";

  const auto crc = static_cast<std::uint32_t>(crc32(0L, bytes.data(), static_cast<uInt>(bytes.size())));
  std::ofstream expected(argv[2]);
  expected << "proof: start-up ok (.data copied, .bss zeroed, constructors run)\n";
  expected << "proof: crc32 of " << byte_count << " flash bytes " << hex8(crc) << '\n';
  long long dot = 0;  // the firmware's float dot product, times 256, is this integer
  for (int i = 0; i < inputs; ++i) dot += static_cast<long long>(weights[i]) * input[i];
  expected << "proof: float dot " << inputs << " x 256: " << dot << '\n';
  expected << "proof: int8 dense " << inputs << "->" << outputs << ':';
  for (int o = 0; o < outputs; ++o) {
    long long acc = bias[o];
    for (int i = 0; i < inputs; ++i) acc += static_cast<long long>(weights[o * inputs + i]) * (input[i] - input_zero_point);
    const long double scaled = std::ldexp(static_cast<long double>(acc) * multiplier, -(31 + shift));
    long long y = std::llround(scaled) + output_zero_point;
    y = y < -128 ? -128 : (y > 127 ? 127 : y);
    expected << ' ' << y;
  }
  expected << "\nproof: done\n";
  if (!header || !expected) {
    std::cerr << "proof_data_gen: cannot write the output files\n";
    return 1;
  }
  return 0;
}
