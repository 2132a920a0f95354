// nascent/runtime/int8/max_pool2d.hpp - the int8 max pool: the maximum of each window clipped to the image, rescaled.
//
// params as rescale.hpp (max_pool_param_count); no scratch. The rescale is monotonic, so it
// applies to the maximum. The DSP extension runs int8/max_pool2d_cortex_m_dsp.hpp, SIMD hosts
// int8/max_pool2d_simd.hpp where it applies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/arch.hpp"
#include "nascent/runtime/geometry.hpp"
#include "nascent/runtime/int8/max_pool2d_cortex_m_dsp.hpp"
#include "nascent/runtime/int8/max_pool2d_simd.hpp"
#include "nascent/runtime/int8/rescale.hpp"

namespace nascent::deploy::int8 {

/// Parameters of an int8 max_pool step (int32): as rescale.hpp.
[[nodiscard]] constexpr std::uint32_t max_pool_param_count(int) noexcept { return param_layout::rescale::count; }

#if !NASCENT_RUNTIME_ARM_DSP
/// The maximum of each window (clipped to the image), rescaled and clamped. No scratch.
inline void max_pool(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    using namespace detail;
    const std::int8_t* x = element_at<const std::int8_t>(arena, s.in[0].offset);
    std::int8_t* y = element_at<std::int8_t>(arena, s.out.offset);
    const rescale_params r = rescale_params_of(s, params);
    const bool identity = r.identity();
    const auto c = static_cast<std::size_t>(s.out.extent.c);
    const auto in_stride = static_cast<std::size_t>(stride_of(s.in[0]));
    const auto out_stride = static_cast<std::size_t>(stride_of(s.out));
    const auto width = static_cast<std::size_t>(s.in[0].extent.w);
#if NASCENT_RUNTIME_VECTOR
    if (detail::max_pool_vector(s, x, y, r, identity, c, in_stride, out_stride, width)) return;
#endif
    for_each_pool_window(s, [&](int q, int h0, int h1, int w0, int w1) {
        std::int8_t* yq = y + static_cast<std::size_t>(q) * out_stride;
        bool first = true;
        for (int ih = h0; ih < h1; ++ih)
            for (int iw = w0; iw < w1; ++iw) {
                const std::int8_t* xp = x + (static_cast<std::size_t>(ih) * width + static_cast<std::size_t>(iw)) * in_stride;
                if (first) {
                    std::memcpy(yq, xp, c);
                    first = false;
                    continue;
                }
                for (std::size_t k = 0; k < c; ++k) yq[k] = xp[k] > yq[k] ? xp[k] : yq[k];
            }
        if (identity) {
            for (std::size_t k = 0; k < c; ++k) yq[k] = r.clamp(yq[k]);
        } else {
            for (std::size_t k = 0; k < c; ++k) yq[k] = r(yq[k]);
        }
    });
}
#endif

} // namespace nascent::deploy::int8

/// This kernel runs op_type::max_pool at precision int8 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::max_pool, nascent::precision::int8> {
    static constexpr auto run = &nascent::deploy::int8::max_pool;
    static constexpr auto param_count = &nascent::deploy::int8::max_pool_param_count;
};
