// nascent/runtime/int8/zero.hpp - the int8 zero op: y = z_out (the quantised zero).
//
// params: z_out; no scratch.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/copy.hpp"

namespace nascent::deploy::int8 {

/// Parameters of an int8 zero step (int32): z_out.
[[nodiscard]] constexpr std::uint32_t zero_param_count(int) noexcept { return 1U; }

/// y = z_out of the output's shape (the quantised zero).
inline void zero(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    nascent::deploy::detail::fill_output(s, static_cast<std::int8_t>(params[s.params]), arena);
}

} // namespace nascent::deploy::int8

/// This kernel runs op_type::zero at precision int8 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::zero, nascent::precision::int8> {
    static constexpr auto run = &nascent::deploy::int8::zero;
    static constexpr auto param_count = &nascent::deploy::int8::zero_param_count;
};
