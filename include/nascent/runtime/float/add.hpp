// nascent/runtime/float/add.hpp - the float32 add: y = clamp(a + b), element by element.
//
// May run in place over either input. No params, no scratch.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/float/clamp.hpp"

namespace nascent::deploy::float32 {

/// Parameters of a add step: none.
[[nodiscard]] constexpr std::uint32_t add_param_count(int) noexcept { return 0; }

/// y = clamp(a + b), element by element; may run in place over either input. No params.
inline void add(const step& s, const float*, const float*, std::byte* arena) noexcept {
    using namespace detail;
    const float* a = element_at<const float>(arena, s.in[0].offset);
    const float* b = element_at<const float>(arena, s.in[1].offset);
    float* y = element_at<float>(arena, s.out.offset);
    const clamp_range act = clamp_of(s.activation);
    const int c = s.out.extent.c;
    const int sa = stride_of(s.in[0]), sb = stride_of(s.in[1]), sy = stride_of(s.out);
    const bool flat = sa == c && sb == c && sy == c;
    const int rows = flat ? 1 : pixels(s.out.extent);
    const int len = flat ? static_cast<int>(s.out.extent.size()) : c;
    for (int p = 0; p < rows; ++p, a += sa, b += sb, y += sy)
        for (int k = 0; k < len; ++k) y[k] = act(a[k] + b[k]);
}

} // namespace nascent::deploy::float32

/// This kernel runs op_type::add at precision float32 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::add, nascent::precision::float32> {
    static constexpr auto run = &nascent::deploy::float32::add;
    static constexpr auto param_count = &nascent::deploy::float32::add_param_count;
};
