// nascent/runtime/int8/add.hpp - the int8 add, as TF Lite's quantised add.
//
// Each input (x - z) << left_shift, scaled by its own factor, summed, scaled by the output factor,
// + z_out, clamped to [act_min, act_max] (param_layout::add). May run in place; no scratch.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/fixed_point.hpp"
#include "nascent/runtime/geometry.hpp"

namespace nascent::deploy::param_layout {

// int8 add
namespace add {
inline constexpr int z_a = 0;
inline constexpr int z_b = 1;
inline constexpr int z_out = 2;
inline constexpr int act_min = 3;
inline constexpr int act_max = 4;
inline constexpr int left_shift = 5;
inline constexpr int multiplier_a = 6;
inline constexpr int shift_a = 7;
inline constexpr int multiplier_b = 8;
inline constexpr int shift_b = 9;
inline constexpr int multiplier_out = 10;
inline constexpr int shift_out = 11;
inline constexpr int count = 12;
} // namespace add

} // namespace nascent::deploy::param_layout

namespace nascent::deploy::int8 {

/// Parameters of an int8 add step (int32): param_layout::add.
[[nodiscard]] constexpr std::uint32_t add_param_count(int) noexcept { return param_layout::add::count; }

/// TF Lite's quantised add, element by element; may run in place over either input.
inline void add(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    using namespace detail;
    namespace at = param_layout::add;
    const std::int32_t* p = params + s.params;
    const std::int8_t* a = element_at<const std::int8_t>(arena, s.in[0].offset);
    const std::int8_t* b = element_at<const std::int8_t>(arena, s.in[1].offset);
    std::int8_t* y = element_at<std::int8_t>(arena, s.out.offset);
    const std::int32_t z_a = p[at::z_a], z_b = p[at::z_b], z_out = p[at::z_out], lo = p[at::act_min], hi = p[at::act_max];
    const int left = static_cast<int>(p[at::left_shift]);
    const std::int32_t m_a = p[at::multiplier_a], m_b = p[at::multiplier_b], m_out = p[at::multiplier_out];
    const int s_a = static_cast<int>(p[at::shift_a]), s_b = static_cast<int>(p[at::shift_b]), s_out = static_cast<int>(p[at::shift_out]);
    const int c = s.out.extent.c;
    const int sa = stride_of(s.in[0]), sb = stride_of(s.in[1]), sy = stride_of(s.out);
    const bool flat = sa == c && sb == c && sy == c;
    const int rows = flat ? 1 : pixels(s.out.extent);
    const int len = flat ? static_cast<int>(s.out.extent.size()) : c;
    for (int px = 0; px < rows; ++px, a += sa, b += sb, y += sy)
        for (int k = 0; k < len; ++k) {
            const std::int32_t va = multiply_by_quantized_multiplier((a[k] - z_a) * (std::int32_t{1} << left), m_a, s_a);
            const std::int32_t vb = multiply_by_quantized_multiplier((b[k] - z_b) * (std::int32_t{1} << left), m_b, s_b);
            y[k] = static_cast<std::int8_t>(requantize(va + vb, m_out, s_out, z_out, lo, hi));
        }
}

} // namespace nascent::deploy::int8

/// This kernel runs op_type::add at precision int8 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::add, nascent::precision::int8> {
    static constexpr auto run = &nascent::deploy::int8::add;
    static constexpr auto param_count = &nascent::deploy::int8::add_param_count;
};
