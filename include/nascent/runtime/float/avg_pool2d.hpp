// nascent/runtime/float/avg_pool2d.hpp - the float32 average pool: the mean of each window over its real pixels.
//
// No params, no scratch.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/geometry.hpp"

namespace nascent::deploy::float32 {

/// Parameters of a avg_pool step: none.
[[nodiscard]] constexpr std::uint32_t avg_pool_param_count(int) noexcept { return 0; }

/// The mean of each window over its real pixels (padding not counted). No params, no scratch.
inline void avg_pool(const step& s, const float*, const float*, std::byte* arena) noexcept {
    using namespace detail;
    const float* x = element_at<const float>(arena, s.in[0].offset);
    float* y = element_at<float>(arena, s.out.offset);
    const auto c = static_cast<std::size_t>(s.out.extent.c);
    const auto in_stride = static_cast<std::size_t>(stride_of(s.in[0]));
    const auto out_stride = static_cast<std::size_t>(stride_of(s.out));
    const auto width = static_cast<std::size_t>(s.in[0].extent.w);
    for_each_pool_window(s, [&](int q, int h0, int h1, int w0, int w1) {
        float* yq = y + static_cast<std::size_t>(q) * out_stride;
        std::fill(yq, yq + c, 0.0F);
        for (int ih = h0; ih < h1; ++ih)
            for (int iw = w0; iw < w1; ++iw) {
                const float* xp = x + (static_cast<std::size_t>(ih) * width + static_cast<std::size_t>(iw)) * in_stride;
                for (std::size_t k = 0; k < c; ++k) yq[k] += xp[k];
            }
        const float scale = 1.0F / static_cast<float>((h1 - h0) * (w1 - w0));
        for (std::size_t k = 0; k < c; ++k) yq[k] *= scale;
    });
}

} // namespace nascent::deploy::float32

/// This kernel runs op_type::avg_pool at precision float32 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::avg_pool, nascent::precision::float32> {
    static constexpr auto run = &nascent::deploy::float32::avg_pool;
    static constexpr auto param_count = &nascent::deploy::float32::avg_pool_param_count;
};
