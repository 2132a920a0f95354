// nascent/runtime/float/hard_swish.hpp - the float32 standalone hard swish: y = x * relu6(x + 3) / 6.
//
//     float32::hard_swish(step, weights, params, arena);   // op_type::hard_swish, float program
//     float32::hard_swish_of(x)                             // the function itself, any arithmetic type
// hard_swish_of is the op's one definition: the training kernel (nn/kernels/hard_swish.hpp) and
// the int8 lookup table (int8/hard_swish.hpp) use it too. May run in place. No params, no
// scratch. Freestanding.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/geometry.hpp"

namespace nascent::deploy::float32 {

/// Parameters of a hard swish step: none.
[[nodiscard]] constexpr std::uint32_t hard_swish_param_count(int) noexcept { return 0; }

/// x * min(max(x + 3, 0), 6) / 6.
template <class T>
[[nodiscard]] constexpr T hard_swish_of(T x) noexcept {
    const T r = x + T{3};
    return x * (r < T{0} ? T{0} : (r > T{6} ? T{6} : r)) / T{6};
}

/// y = hard_swish_of(x) element-wise; may run in place.
inline void hard_swish(const step& s, const float*, const float*, std::byte* arena) noexcept {
    detail::map_elements<float>(s, arena, hard_swish_of<float>);
}

} // namespace nascent::deploy::float32

/// This kernel runs op_type::hard_swish at precision float32 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::hard_swish, nascent::precision::float32> {
    static constexpr auto run = &nascent::deploy::float32::hard_swish;
    static constexpr auto param_count = &nascent::deploy::float32::hard_swish_param_count;
};
