// nascent/runtime/int8/global_avg_pool.hpp - the int8 global average pool: {h, w, c} -> {1, 1, c}, rescaled.
//
// One rounding (fixed_point.hpp's average()), + z_out, clamped. No scratch.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/fixed_point.hpp"
#include "nascent/runtime/geometry.hpp"
#include "nascent/runtime/int8/rescale.hpp"

namespace nascent::deploy::int8 {

/// Parameters of an int8 global_avg_pool step (int32): as rescale.hpp.
[[nodiscard]] constexpr std::uint32_t global_avg_pool_param_count(int) noexcept { return param_layout::rescale::count; }

/// The mean over all pixels, rescaled (one rounding) and clamped: {h, w, c} -> {1, 1, c}.
inline void global_avg_pool(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    using namespace detail;
    const std::int8_t* x = element_at<const std::int8_t>(arena, s.in[0].offset);
    std::int8_t* y = element_at<std::int8_t>(arena, s.out.offset);
    const rescale_params r = rescale_params_of(s, params);
    const std::int32_t n = pixels(s.in[0].extent);
    const int headroom = average_headroom(n);
    const auto in_stride = static_cast<std::size_t>(stride_of(s.in[0]));
    for (int k = 0; k < s.out.extent.c; ++k) {
        std::int32_t sum = 0;
        const std::int8_t* xp = x + k;
        for (std::int32_t p = 0; p < n; ++p, xp += in_stride) sum += *xp;
        sum -= n * r.z_in;
        y[k] = r.clamp(average(sum, n, headroom, r.multiplier, r.shift) + r.z_out);
    }
}

} // namespace nascent::deploy::int8

/// This kernel runs op_type::global_avg_pool at precision int8 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::global_avg_pool, nascent::precision::int8> {
    static constexpr auto run = &nascent::deploy::int8::global_avg_pool;
    static constexpr auto param_count = &nascent::deploy::int8::global_avg_pool_param_count;
};
