// nascent/runtime/float/exit_gate.hpp - the float32 early-exit gate (runtime/exit_gate.hpp).
//
// Parameters (float): [0] the exit's threshold tau in (0, 1]. The exit is sure enough when its
// softmax maximum reaches tau, that is when sum_k exp(z_k - max z) <= 1 / tau, the exponential
// being learning::exp_of (the same bits on every target). Scratch: its decision word.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/exit_gate.hpp"
#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/learning/softmax.hpp"

namespace nascent::deploy::float32 {

[[nodiscard]] constexpr std::uint32_t exit_gate_param_count(int) noexcept { return 1; }

/// True when logits z[0, n) have a softmax maximum of at least tau.
[[nodiscard]] inline bool sure_enough(const float* z, std::size_t n, float tau) noexcept {
    float largest = z[0];
    for (std::size_t k = 1; k < n; ++k) largest = z[k] > largest ? z[k] : largest;
    float sum = 0.0F;
    for (std::size_t k = 0; k < n; ++k) sum += learning::exp_of(z[k] - largest);
    return sum * tau <= 1.0F;
}

inline void exit_gate(const step& s, const float*, const float* params, std::byte* arena) noexcept {
    const auto* logits = reinterpret_cast<const float*>(arena + s.in[1].offset);
    detail::finish_gate(s, arena, sizeof(float), sure_enough(logits, s.in[1].extent.size(), params[s.params]));
}

} // namespace nascent::deploy::float32

/// This kernel runs op_type::exit_gate at precision float32 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::exit_gate, nascent::precision::float32> {
    static constexpr auto run = &nascent::deploy::float32::exit_gate;
    static constexpr auto param_count = &nascent::deploy::float32::exit_gate_param_count;
};
