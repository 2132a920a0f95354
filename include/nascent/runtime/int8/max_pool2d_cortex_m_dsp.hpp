// nascent/runtime/int8/max_pool2d_cortex_m_dsp.hpp - the int8 max pool on Arm's DSP extension: four channels per word (SSUB8, SEL).
//
// int8::max_pool as int8/max_pool2d.hpp states it; included there when NASCENT_RUNTIME_ARM_DSP.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "nascent/runtime/arch.hpp"
#include "nascent/runtime/geometry.hpp"
#include "nascent/runtime/int8/bytes.hpp"
#include "nascent/runtime/int8/rescale.hpp"
#include "nascent/runtime/int8/simd_cortex_m_dsp.hpp"

namespace nascent::deploy::int8 {

#if NASCENT_RUNTIME_ARM_DSP
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
    // Channel by channel with the maximum in a register, four channels per word.
    const std::uint32_t lo = four_bytes(r.lo), hi = four_bytes(r.hi);
    const std::size_t row_step = width * in_stride;
    for_each_pool_window(s, [&](int q, int h0, int h1, int w0, int w1) {
        // Locals: the stores below may alias whatever the lambda refers to.
        const std::size_t channels = c, pixel_step = in_stride, line_step = row_step;
        const std::uint32_t low = lo, high = hi;
        std::int8_t* yq = y + static_cast<std::size_t>(q) * out_stride;
        const std::int8_t* corner = x + (static_cast<std::size_t>(h0) * width + static_cast<std::size_t>(w0)) * in_stride;
        const std::int8_t* last_row = corner + static_cast<std::size_t>(h1 - h0 - 1) * line_step;
        const std::size_t row_bytes = static_cast<std::size_t>(w1 - w0) * pixel_step;
        std::size_t k = 0;
        if (identity && h1 - h0 == 2 && row_bytes == 2 * pixel_step)  // a whole 2x2 window
            for (; k + 4 <= channels; k += 4) {
                const std::int8_t* p = corner + k;
                const std::uint32_t top = max_bytes(load4(p), load4(p + pixel_step));
                const std::uint32_t bottom = max_bytes(load4(p + line_step), load4(p + line_step + pixel_step));
                store4(yq + k, min_bytes(max_bytes(max_bytes(top, bottom), low), high));
            }
        if (identity)
            for (; k + 4 <= channels; k += 4) {
                std::uint32_t m = load4(corner + k);
                for (const std::int8_t* row = corner + k; row <= last_row + k; row += line_step)
                    for (const std::int8_t* px = row; px != row + row_bytes; px += pixel_step) m = max_bytes(m, load4(px));
                store4(yq + k, min_bytes(max_bytes(m, low), high));
            }
        for (; k < channels; ++k) {
            std::int8_t m = corner[k];
            for (const std::int8_t* row = corner + k; row <= last_row + k; row += line_step)
                for (const std::int8_t* px = row; px != row + row_bytes; px += pixel_step) m = std::max(m, *px);
            yq[k] = identity ? r.clamp(m) : r(m);
        }
    });
}
#endif

} // namespace nascent::deploy::int8
