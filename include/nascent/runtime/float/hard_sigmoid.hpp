// nascent/runtime/float/hard_sigmoid.hpp - the float32 standalone hard sigmoid: y = relu6(x + 3) / 6.
//
//     float32::hard_sigmoid(step, weights, params, arena);   // op_type::hard_sigmoid, float program
//     float32::hard_sigmoid_of(x)                             // the function itself, any arithmetic type
// hard_sigmoid_of is the op's one definition: the training kernel (nn/kernels/hard_sigmoid.hpp)
// and the int8 lookup table (int8/hard_sigmoid.hpp) use it too. May run in place. No params, no
// scratch. Freestanding.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/geometry.hpp"
#include "nascent/runtime/kernel_contract.hpp"

namespace nascent::deploy::float32 {

/// Parameters of a hard sigmoid step: none.
[[nodiscard]] constexpr std::uint32_t hard_sigmoid_param_count(int) noexcept { return 0; }

/// min(max(x + 3, 0), 6) / 6.
template <class T>
[[nodiscard]] constexpr T hard_sigmoid_of(T x) noexcept {
    const T r = x + T{3};
    return (r < T{0} ? T{0} : (r > T{6} ? T{6} : r)) / T{6};
}

/// y = hard_sigmoid_of(x) element-wise; may run in place.
inline void hard_sigmoid(const step& s, const float*, const float*, std::byte* arena) noexcept {
    detail::map_elements<float>(s, arena, hard_sigmoid_of<float>);
}

} // namespace nascent::deploy::float32

/// This kernel runs op_type::hard_sigmoid at precision float32 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::hard_sigmoid, nascent::precision::float32> {
    static constexpr auto run = &nascent::deploy::float32::hard_sigmoid;
    static constexpr auto param_count = &nascent::deploy::float32::hard_sigmoid_param_count;
};
