// nascent/runtime/float/relu.hpp - the float32 standalone relu: y = max(x, 0).
//
// May run in place. No params, no scratch.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nascent/runtime/float/clamp.hpp"

namespace nascent::deploy::float32 {

/// Parameters of a relu step: none.
[[nodiscard]] constexpr std::uint32_t relu_param_count(int) noexcept { return 0; }

/// y = max(x, 0); may run in place. No params.
inline void relu(const step& s, const float*, const float*, std::byte* arena) noexcept {
    detail::clamp_elements(s, arena, detail::clamp_of(fused_activation::relu));
}

} // namespace nascent::deploy::float32
