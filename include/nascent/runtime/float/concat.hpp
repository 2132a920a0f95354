// nascent/runtime/float/concat.hpp - the float32 concatenation: y = [a, b] along channels.
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

/// Parameters of a concat step: none.
[[nodiscard]] constexpr std::uint32_t concat_param_count(int) noexcept { return 0; }

/// y = [a, b] along channels (in[0].extent.c + in[1].extent.c == out.extent.c; never writes
/// past the output's channels). No params.
inline void concat(const step& s, const float*, const float*, std::byte* arena) noexcept {
    using namespace detail;
    const float* a = element_at<const float>(arena, s.in[0].offset);
    const float* b = element_at<const float>(arena, s.in[1].offset);
    float* y = element_at<float>(arena, s.out.offset);
    // Never more than the output's channels, whatever the inputs say.
    const auto ca = static_cast<std::size_t>(std::min(s.in[0].extent.c, s.out.extent.c));
    const auto cb = static_cast<std::size_t>(std::min(s.in[1].extent.c, s.out.extent.c - static_cast<int>(ca)));
    const int n = pixels(s.out.extent);
    for (int p = 0; p < n; ++p, a += stride_of(s.in[0]), b += stride_of(s.in[1]), y += stride_of(s.out)) {
        std::memcpy(y, a, ca * sizeof(float));
        std::memcpy(y + ca, b, cb * sizeof(float));
    }
}

} // namespace nascent::deploy::float32

/// This kernel runs op_type::concat at precision float32 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::concat, nascent::precision::float32> {
    static constexpr auto run = &nascent::deploy::float32::concat;
    static constexpr auto param_count = &nascent::deploy::float32::concat_param_count;
};
