// nascent/runtime/float/hard_swish.hpp - the float32 standalone hard swish: y = x * relu6(x + 3) / 6.
//
//     float32::hard_swish(step, weights, params, arena);   // op_type::hard_swish, float program
// May run in place. No params, no scratch. Freestanding.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/geometry.hpp"

namespace nascent::deploy::float32 {

/// Parameters of a hard swish step: none.
[[nodiscard]] constexpr std::uint32_t hard_swish_param_count(int) noexcept { return 0; }

/// y = x * min(max(x + 3, 0), 6) / 6 element-wise; may run in place.
inline void hard_swish(const step& s, const float*, const float*, std::byte* arena) noexcept {
    using namespace nascent::deploy::detail;
    const float* x = element_at<const float>(arena, s.in[0].offset);
    float* y = element_at<float>(arena, s.out.offset);
    const int c = s.out.extent.c;
    const int sx = stride_of(s.in[0]), sy = stride_of(s.out);
    const bool flat = sx == c && sy == c;
    const int rows = flat ? 1 : pixels(s.out.extent);
    const int len = flat ? static_cast<int>(s.out.extent.size()) : c;
    for (int p = 0; p < rows; ++p, x += sx, y += sy) {
        for (int k = 0; k < len; ++k) {
            const float v = x[k], r = v + 3.0F;
            y[k] = v * (r < 0.0F ? 0.0F : (r > 6.0F ? 6.0F : r)) / 6.0F;
        }
    }
}

} // namespace nascent::deploy::float32

/// This kernel runs op_type::hard_swish at precision float32 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::hard_swish, nascent::precision::float32> {
    static constexpr auto run = &nascent::deploy::float32::hard_swish;
};
