// nascent/runtime/int8/hard_swish.hpp - the int8 standalone hard swish: a 256-entry lookup table.
//
//     int8::hard_swish(step, weights, params, arena);   // op_type::hard_swish, int8 program
// The table maps every int8 input q to its output: entry q + 128 is
// quantise_out(hard_swish(scale_in * (q - z_in))), computed at quantisation time from the
// input's and output's scales and zero points (deploy/quantize.hpp), as TF Lite's LUT kernels do.
// params (int32): the 256 int8 entries packed four to a word, little end first
// (param_layout::hard_swish). May run in place; no scratch, no weights. Freestanding.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/geometry.hpp"

namespace nascent::deploy::param_layout {

// int8 hard swish: entry e (0..255, for input e - 128) is byte e % 4 of word e / 4
namespace hard_swish {
inline constexpr int entries = 256;
inline constexpr int count = entries / 4;
} // namespace hard_swish

} // namespace nascent::deploy::param_layout

namespace nascent::deploy::int8 {

/// Parameters of an int8 hard swish step (int32): the packed table, 64 words.
[[nodiscard]] constexpr std::uint32_t hard_swish_param_count(int) noexcept { return param_layout::hard_swish::count; }

/// The table entry of input q from the packed words `table`.
[[nodiscard]] constexpr std::int8_t hard_swish_entry(const std::int32_t* table, std::int32_t q) noexcept {
    const auto e = static_cast<std::uint32_t>(q + 128);
    const auto word = static_cast<std::uint32_t>(table[e >> 2U]);
    return static_cast<std::int8_t>(static_cast<std::uint8_t>(word >> ((e & 3U) * 8U)));
}

/// y = table[x + 128] element-wise; may run in place.
inline void hard_swish(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    using namespace nascent::deploy::detail;
    const std::int32_t* table = params + s.params;
    const std::int8_t* x = element_at<const std::int8_t>(arena, s.in[0].offset);
    std::int8_t* y = element_at<std::int8_t>(arena, s.out.offset);
    const int c = s.out.extent.c;
    const int sx = stride_of(s.in[0]), sy = stride_of(s.out);
    const bool flat = sx == c && sy == c;
    const int rows = flat ? 1 : pixels(s.out.extent);
    const int len = flat ? static_cast<int>(s.out.extent.size()) : c;
    for (int p = 0; p < rows; ++p, x += sx, y += sy)
        for (int k = 0; k < len; ++k) y[k] = hard_swish_entry(table, x[k]);
}

} // namespace nascent::deploy::int8

/// This kernel runs op_type::hard_swish at precision int8 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::hard_swish, nascent::precision::int8> {
    static constexpr auto run = &nascent::deploy::int8::hard_swish;
};
