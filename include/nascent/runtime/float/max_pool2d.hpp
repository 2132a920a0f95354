// nascent/runtime/float/max_pool2d.hpp - the float32 max pool: the maximum of each window clipped to the image.
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

/// Parameters of a max_pool step: none.
[[nodiscard]] constexpr std::uint32_t max_pool_param_count(int) noexcept { return 0; }

/// The maximum of each window (clipped to the image). No params, no scratch.
inline void max_pool(const step& s, const float*, const float*, std::byte* arena) noexcept {
    using namespace detail;
    const float* x = element_at<const float>(arena, s.in[0].offset);
    float* y = element_at<float>(arena, s.out.offset);
    const auto c = static_cast<std::size_t>(s.out.extent.c);
    const auto in_stride = static_cast<std::size_t>(stride_of(s.in[0]));
    const auto out_stride = static_cast<std::size_t>(stride_of(s.out));
    const auto width = static_cast<std::size_t>(s.in[0].extent.w);
    for_each_pool_window(s, [&](int q, int h0, int h1, int w0, int w1) {
        float* yq = y + static_cast<std::size_t>(q) * out_stride;
        bool first = true;
        for (int ih = h0; ih < h1; ++ih)
            for (int iw = w0; iw < w1; ++iw) {
                const float* xp = x + (static_cast<std::size_t>(ih) * width + static_cast<std::size_t>(iw)) * in_stride;
                if (first) {
                    std::memcpy(yq, xp, c * sizeof(float));
                    first = false;
                    continue;
                }
                for (std::size_t k = 0; k < c; ++k) yq[k] = xp[k] > yq[k] ? xp[k] : yq[k];
            }
    });
}

} // namespace nascent::deploy::float32

/// This kernel runs op_type::max_pool at precision float32 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::max_pool, nascent::precision::float32> {
    static constexpr auto run = &nascent::deploy::float32::max_pool;
    static constexpr auto param_count = &nascent::deploy::float32::max_pool_param_count;
};
