// nascent/runtime/float/zero.hpp - the float32 zero op: y = 0 of the output's shape.
//
// No params, no scratch.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/copy.hpp"

namespace nascent::deploy::float32 {

/// Parameters of a zero step: none.
[[nodiscard]] constexpr std::uint32_t zero_param_count(int) noexcept { return 0; }

/// y = 0 of the output's shape. No params.
inline void zero(const step& s, const float*, const float*, std::byte* arena) noexcept {
    nascent::deploy::detail::fill_output(s, 0.0F, arena);
}

} // namespace nascent::deploy::float32

/// This kernel runs op_type::zero at precision float32 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::zero, nascent::precision::float32> {
    static constexpr auto run = &nascent::deploy::float32::zero;
    static constexpr auto param_count = &nascent::deploy::float32::zero_param_count;
};
