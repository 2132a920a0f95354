// nascent/runtime/int8/simd_cortex_m_dsp.hpp - byte-lane primitives of Arm's DSP extension (SXTB16, SSUB8, SEL).
//
// even_bytes/odd_bytes sign-extend byte pairs into halfwords (for SMLAD); max_bytes/min_bytes
// compare four signed bytes at once. Empty unless NASCENT_RUNTIME_ARM_DSP (runtime/arch.hpp).
#pragma once

#include <cstdint>

#include "nascent/runtime/arch.hpp"

namespace nascent::deploy::int8 {

#if NASCENT_RUNTIME_ARM_DSP
namespace detail {

/// Bytes 0 and 2 of v, sign-extended into two halfwords.
[[nodiscard]] inline std::int32_t even_bytes(std::uint32_t v) noexcept { return __builtin_arm_sxtb16(static_cast<std::int32_t>(v)); }
/// Bytes 1 and 3 of v, sign-extended into two halfwords.
[[nodiscard]] inline std::int32_t odd_bytes(std::uint32_t v) noexcept {
    std::int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}
/// Byte by byte, the larger of a and b (signed).
[[nodiscard]] inline std::uint32_t max_bytes(std::uint32_t a, std::uint32_t b) noexcept {
    __builtin_arm_ssub8(a, b);  // GE flags: a >= b per byte
    return __builtin_arm_sel(a, b);
}
/// Byte by byte, the smaller of a and b (signed).
[[nodiscard]] inline std::uint32_t min_bytes(std::uint32_t a, std::uint32_t b) noexcept {
    __builtin_arm_ssub8(a, b);
    return __builtin_arm_sel(b, a);
}

} // namespace detail
#endif

} // namespace nascent::deploy::int8
