// nascent/runtime/int8/concat.hpp - the int8 concatenation: y = [a, b] along channels, each input rescaled.
//
// Each input rescaled to the output's parameters (param_layout::concat), clamped to [-128, 127];
// no scratch.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/geometry.hpp"
#include "nascent/runtime/int8/rescale.hpp"

namespace nascent::deploy::param_layout {

// int8 concat
namespace concat {
inline constexpr int z_a = 0;
inline constexpr int z_b = 1;
inline constexpr int z_out = 2;
inline constexpr int multiplier_a = 3;
inline constexpr int shift_a = 4;
inline constexpr int multiplier_b = 5;
inline constexpr int shift_b = 6;
inline constexpr int count = 7;
} // namespace concat

} // namespace nascent::deploy::param_layout

namespace nascent::deploy::int8 {

/// Parameters of an int8 concat step (int32): param_layout::concat.
[[nodiscard]] constexpr std::uint32_t concat_param_count(int) noexcept { return param_layout::concat::count; }

/// y = [a, b] along channels, each input rescaled to the output's parameters.
inline void concat(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    using namespace detail;
    namespace at = param_layout::concat;
    const std::int32_t* p = params + s.params;
    std::int8_t* y = element_at<std::int8_t>(arena, s.out.offset);
    const int n = pixels(s.out.extent);
    int first = 0;
    for (int i = 0; i < 2; ++i) {
        const rescale_params r{p[i == 0 ? at::z_a : at::z_b], p[at::z_out], -128, 127,
                               p[i == 0 ? at::multiplier_a : at::multiplier_b],
                               static_cast<int>(p[i == 0 ? at::shift_a : at::shift_b])};
        const std::int8_t* x = element_at<const std::int8_t>(arena, s.in[i].offset);
        const int c = std::min(s.in[i].extent.c, s.out.extent.c - first);  // never past the output's channels
        std::int8_t* yi = y + first;
        const bool identity = r.identity();
        for (int px = 0; px < n; ++px, x += stride_of(s.in[i]), yi += stride_of(s.out)) {
            if (identity) {
                std::memcpy(yi, x, static_cast<std::size_t>(c));
            } else {
                for (int k = 0; k < c; ++k) yi[k] = r(x[k]);
            }
        }
        first += c;
    }
}

} // namespace nascent::deploy::int8

/// This kernel runs op_type::concat at precision int8 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::concat, nascent::precision::int8> {
    static constexpr auto run = &nascent::deploy::int8::concat;
    static constexpr auto param_count = &nascent::deploy::int8::concat_param_count;
};
