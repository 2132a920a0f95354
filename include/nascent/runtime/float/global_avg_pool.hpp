// nascent/runtime/float/global_avg_pool.hpp - the float32 global average pool: {h, w, c} -> {1, 1, c}.
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

/// Parameters of a global_avg_pool step: none.
[[nodiscard]] constexpr std::uint32_t global_avg_pool_param_count(int) noexcept { return 0; }

/// The mean over all pixels: {h, w, c} -> {1, 1, c}. No params, no scratch.
inline void global_avg_pool(const step& s, const float*, const float*, std::byte* arena) noexcept {
    using namespace detail;
    const float* x = element_at<const float>(arena, s.in[0].offset);
    float* y = element_at<float>(arena, s.out.offset);
    const auto c = static_cast<std::size_t>(s.out.extent.c);
    const auto in_stride = static_cast<std::size_t>(stride_of(s.in[0]));
    const int n = pixels(s.in[0].extent);
    std::fill(y, y + c, 0.0F);
    for (int p = 0; p < n; ++p, x += in_stride)
        for (std::size_t k = 0; k < c; ++k) y[k] += x[k];
    const float scale = 1.0F / static_cast<float>(n);
    for (std::size_t k = 0; k < c; ++k) y[k] *= scale;
}

} // namespace nascent::deploy::float32

/// This kernel runs op_type::global_avg_pool at precision float32 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::global_avg_pool, nascent::precision::float32> {
    static constexpr auto run = &nascent::deploy::float32::global_avg_pool;
    static constexpr auto param_count = &nascent::deploy::float32::global_avg_pool_param_count;
};
