// nascent/runtime/int8/avg_pool2d.hpp - the int8 average pool: the mean of each window over its real pixels, rescaled.
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

/// Parameters of an int8 avg_pool step (int32): as rescale.hpp.
[[nodiscard]] constexpr std::uint32_t avg_pool_param_count(int) noexcept { return param_layout::rescale::count; }

/// The mean of each window over its real pixels, rescaled (one rounding) and clamped. No scratch.
inline void avg_pool(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    using namespace detail;
    const std::int8_t* x = element_at<const std::int8_t>(arena, s.in[0].offset);
    std::int8_t* y = element_at<std::int8_t>(arena, s.out.offset);
    const rescale_params r = rescale_params_of(s, params);
    const int headroom = average_headroom(s.window.kernel_h * s.window.kernel_w);
    const int c = s.out.extent.c;
    const auto in_stride = static_cast<std::size_t>(stride_of(s.in[0]));
    const auto out_stride = static_cast<std::size_t>(stride_of(s.out));
    const auto width = static_cast<std::size_t>(s.in[0].extent.w);
    for_each_pool_window(s, [&](int q, int h0, int h1, int w0, int w1) {
        std::int8_t* yq = y + static_cast<std::size_t>(q) * out_stride;
        const std::int32_t count = (h1 - h0) * (w1 - w0);
        for (int k = 0; k < c; ++k) {
            std::int32_t sum = 0;
            for (int ih = h0; ih < h1; ++ih) {
                const std::int8_t* xp = x + (static_cast<std::size_t>(ih) * width + static_cast<std::size_t>(w0)) * in_stride + k;
                for (int iw = w0; iw < w1; ++iw, xp += in_stride) sum += *xp;
            }
            sum -= count * r.z_in;
            yq[k] = r.clamp(average(sum, count, headroom, r.multiplier, r.shift) + r.z_out);
        }
    });
}

} // namespace nascent::deploy::int8

/// This kernel runs op_type::avg_pool at precision int8 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::avg_pool, nascent::precision::int8> {
    static constexpr auto run = &nascent::deploy::int8::avg_pool;
    static constexpr auto param_count = &nascent::deploy::int8::avg_pool_param_count;
};
