// nascent/runtime/float/relu6.hpp - the float32 standalone relu6: y = min(max(x, 0), 6).
//
// May run in place. No params, no scratch.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/float/clamp.hpp"

namespace nascent::deploy::float32 {

/// Parameters of a relu6 step: none.
[[nodiscard]] constexpr std::uint32_t relu6_param_count(int) noexcept { return 0; }

/// y = min(max(x, 0), 6); may run in place. No params.
inline void relu6(const step& s, const float*, const float*, std::byte* arena) noexcept {
    detail::clamp_elements(s, arena, detail::clamp_of(fused_activation::relu6));
}

} // namespace nascent::deploy::float32

/// This kernel runs op_type::relu6 at precision float32 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::relu6, nascent::precision::float32> {
    static constexpr auto run = &nascent::deploy::float32::relu6;
    static constexpr auto param_count = &nascent::deploy::float32::relu6_param_count;
};
