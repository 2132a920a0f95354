// nascent/runtime/float/relu.hpp - the float32 standalone relu: y = max(x, 0).
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

/// Parameters of a relu step: none.
[[nodiscard]] constexpr std::uint32_t relu_param_count(int) noexcept { return 0; }

/// y = max(x, 0); may run in place. No params.
inline void relu(const step& s, const float*, const float*, std::byte* arena) noexcept {
    detail::clamp_elements(s, arena, detail::clamp_of(fused_activation::relu));
}

} // namespace nascent::deploy::float32

/// This kernel runs op_type::relu at precision float32 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::relu, nascent::precision::float32> {
    static constexpr auto run = &nascent::deploy::float32::relu;
    static constexpr auto param_count = &nascent::deploy::float32::relu_param_count;
};
