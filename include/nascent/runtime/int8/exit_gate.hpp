// nascent/runtime/int8/exit_gate.hpp - the int8 early-exit gate (runtime/exit_gate.hpp).
//
// With logits q_k of scale s, the softmax maximum reaches tau when
//   sum_k exp(-s (max q - q_k)) <= 1 / tau.
// Every difference d = max q - q_k lies in [0, 255], so the exponentials are a table the
// quantiser fills, E[d] = round(2^15 exp(-s d)), and the test is integer: sum_k E[d_k] <= T with
// T = floor(2^15 / tau). Parameters (int32): [0] T; [1, 129) the 256 entries of E as 16-bit
// halves, entry 2i in the low half of word 1 + i. Scratch: its decision word.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/exit_gate.hpp"
#include "nascent/runtime/kernel_contract.hpp"

namespace nascent::deploy::param_layout::exit_gate {
inline constexpr int threshold = 0;
inline constexpr int table = 1;
inline constexpr int entries = 256;
inline constexpr int count = table + entries / 2;
inline constexpr int one = 1 << 15;  ///< E[0]: exp(0) in the table's fixed point
} // namespace nascent::deploy::param_layout::exit_gate

namespace nascent::deploy::int8 {

[[nodiscard]] constexpr std::uint32_t exit_gate_param_count(int) noexcept { return param_layout::exit_gate::count; }

/// Entry d of the packed exponential table.
[[nodiscard]] constexpr std::uint32_t exponential_entry(const std::int32_t* params, int d) noexcept {
    const auto word = static_cast<std::uint32_t>(params[param_layout::exit_gate::table + d / 2]);
    return (d % 2 == 0 ? word : word >> 16U) & 0xFFFFU;
}

/// True when int8 logits q[0, n) have a softmax maximum of at least the threshold of `params`.
[[nodiscard]] inline bool sure_enough(const std::int8_t* q, std::size_t n, const std::int32_t* params) noexcept {
    int largest = q[0];
    for (std::size_t k = 1; k < n; ++k) largest = q[k] > largest ? q[k] : largest;
    std::uint32_t sum = 0;
    for (std::size_t k = 0; k < n; ++k) sum += exponential_entry(params, largest - q[k]);
    return sum <= static_cast<std::uint32_t>(params[param_layout::exit_gate::threshold]);
}

inline void exit_gate(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    const auto* logits = reinterpret_cast<const std::int8_t*>(arena + s.in[1].offset);
    detail::finish_gate(s, arena, 1, sure_enough(logits, s.in[1].extent.size(), params + s.params));
}

} // namespace nascent::deploy::int8

/// This kernel runs op_type::exit_gate at precision int8 (runtime/kernel_contract.hpp).
template <>
struct nascent::runtime::kernel<nascent::op_type::exit_gate, nascent::precision::int8> {
    static constexpr auto run = &nascent::deploy::int8::exit_gate;
    static constexpr auto param_count = &nascent::deploy::int8::exit_gate_param_count;
};
