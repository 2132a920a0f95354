// nascent/runtime/int8/lookup_table.hpp - the int8 kernel of an element-wise function: a 256-entry table.
//
//     template <> struct runtime::kernel<op_type::hard_swish, precision::int8> {
//         static constexpr auto run = &int8::lookup_table;
//         static constexpr auto param_count = &int8::lookup_table_param_count;
//         static constexpr auto table_of = &float32::hard_swish_of<double>;   // the real function sampled
//     };
// The table maps every int8 input q to its output: entry q + 128 is
// quantise_out(f(scale_in * (q - z_in))), computed at quantisation time from the input's and
// output's scales and zero points (deploy/quantize.hpp fills it for every kernel that names its
// `table_of`), as TF Lite's LUT kernels do. params (int32): the 256 int8 entries packed four to a
// word, little end first. May run in place; no scratch, no weights. Freestanding.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/geometry.hpp"

namespace nascent::deploy::param_layout {

// int8 lookup table: entry e (0..255, for input e - 128) is byte e % 4 of word e / 4
namespace lookup_table {
inline constexpr int entries = 256;
inline constexpr int count = entries / 4;
} // namespace lookup_table

} // namespace nascent::deploy::param_layout

namespace nascent::deploy::int8 {

/// Parameters of an int8 lookup-table step (int32): the packed table, 64 words.
[[nodiscard]] constexpr std::uint32_t lookup_table_param_count(int) noexcept { return param_layout::lookup_table::count; }

/// The table entry of input q from the packed words `table`.
[[nodiscard]] constexpr std::int8_t lookup_table_entry(const std::int32_t* table, std::int32_t q) noexcept {
    const auto e = static_cast<std::uint32_t>(q + 128);
    const auto word = static_cast<std::uint32_t>(table[e >> 2U]);
    return static_cast<std::int8_t>(static_cast<std::uint8_t>(word >> ((e & 3U) * 8U)));
}

/// y = table[x + 128] element-wise; may run in place.
inline void lookup_table(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    const std::int32_t* table = params + s.params;
    detail::map_elements<std::int8_t>(s, arena, [table](std::int8_t x) { return lookup_table_entry(table, x); });
}

} // namespace nascent::deploy::int8
