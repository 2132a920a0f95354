// nascent/runtime/int8/simd_x86.hpp - int8 lane primitives of x86 hosts (SSE2, AVX2).
//
// widen8/widen16 sign-extend bytes into int16 lanes (for PMADDWD), lane_sum/fold add lanes;
// requantize8 (AVX2) requantises 8 sums at once in conv_params::plain's short form.
// Empty unless NASCENT_RUNTIME_X86 (runtime/arch.hpp).
#pragma once

#include <cstdint>
#include <limits>

#include "nascent/runtime/arch.hpp"

#if NASCENT_RUNTIME_X86
#include <immintrin.h>
#endif

namespace nascent::deploy::int8 {

#if NASCENT_RUNTIME_X86
namespace detail {

/// Eight bytes sign-extended into int16 lanes (for PMADDWD: int16 pairs into int32 sums).
[[nodiscard]] inline __m128i widen8(const std::int8_t* p) noexcept {
    const __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
    return _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8);
}
/// The sum of four int32 lanes.
[[nodiscard]] inline std::int32_t lane_sum(__m128i v) noexcept {
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0x4E));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0xB1));
    return _mm_cvtsi128_si32(v);
}
#if NASCENT_RUNTIME_X86 == 2
/// Sixteen bytes sign-extended into int16 lanes.
[[nodiscard]] inline __m256i widen16(const std::int8_t* p) noexcept {
    return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
/// The two halves of v added.
[[nodiscard]] inline __m128i fold(__m256i v) noexcept { return _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)); }
#endif

#if NASCENT_RUNTIME_X86 == 2
/// Requantises the sums a (8 channels, bias included) in one go: conv_params::plain's short form
/// (that of requantize_sums on Arm): (high word of a m + 2^30 - [a m < 0] 2^31, plus
/// (2 z_out + 1) << (e - 2)) >> (e - 1), clamped. m, round, right per lane.
[[nodiscard]] inline __m256i requantize8(__m256i a, __m256i m, __m256i round, __m256i right, __m256i lo, __m256i hi) noexcept {
    const __m256i n = _mm256_xor_si256(a, m);
    const __m256i low = _mm256_or_si256(_mm256_and_si256(n, _mm256_set1_epi32(std::numeric_limits<std::int32_t>::min())), _mm256_set1_epi32(1 << 30));
    const __m256i high = _mm256_srai_epi32(n, 31);
    // 64-bit products of the even and the odd lanes, each onto its 64-bit start (low, high).
    const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(a, m), _mm256_blend_epi32(low, _mm256_slli_epi64(high, 32), 0xAA));
    const __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(a, 32), _mm256_srli_epi64(m, 32)),
                                         _mm256_blend_epi32(_mm256_srli_epi64(low, 32), high, 0xAA));
    const __m256i top = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
    const __m256i v = _mm256_srav_epi32(_mm256_add_epi32(top, round), right);
    return _mm256_min_epi32(_mm256_max_epi32(v, lo), hi);
}
#endif

} // namespace detail
#endif

} // namespace nascent::deploy::int8
