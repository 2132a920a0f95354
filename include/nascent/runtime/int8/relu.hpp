// nascent/runtime/int8/relu.hpp - the int8 standalone relu: rescaled and clamped to [z_out, 127].
//
// May run in place; no scratch.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/int8/rescale.hpp"

namespace nascent::deploy::int8 {

/// Parameters of an int8 relu step (int32): as rescale.hpp.
[[nodiscard]] constexpr std::uint32_t relu_param_count(int) noexcept { return param_layout::rescale::count; }

/// Standalone relu: rescale and clamp to [act_min, act_max]; may run in place.
inline void relu(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    detail::rescale_elements(s, arena, detail::rescale_params_of(s, params));
}

} // namespace nascent::deploy::int8

/// This kernel runs op_type::relu at precision int8 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::relu, nascent::precision::int8> {
    static constexpr auto run = &nascent::deploy::int8::relu;
    static constexpr auto param_count = &nascent::deploy::int8::relu_param_count;
};
