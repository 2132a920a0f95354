// nascent/runtime/int8/dot_x86.hpp - the int8 dot products on x86 hosts (SSE2, AVX2: PMADDWD).
//
// dot2 and dot1 of int8/dot.hpp, 8 (SSE2) or 16 (AVX2) bytes per step, then the scalar tail.
// Included by int8/dot.hpp when NASCENT_RUNTIME_X86.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/arch.hpp"
#include "nascent/runtime/int8/conv_params.hpp"
#include "nascent/runtime/int8/simd_x86.hpp"

namespace nascent::deploy::int8 {

#if NASCENT_RUNTIME_X86
namespace detail {

using namespace nascent::deploy::detail;

/// sums[r * filter_chunk + o] = start[o] + sum over k < n of x_r[k] * w_o[k] (o, r < 2) for the
/// rows x_0 = x, x_1 = x + n and the filters w_0 = w, w_1 = w + n (two windows gathered one after
/// the other, two filters of OHWI). Out of line: the loop has the registers to itself.
[[gnu::noinline]] inline void dot2(const std::int8_t* x, const std::int8_t* w, int n, const std::int32_t* start, std::int32_t* sums) noexcept {
    std::int32_t a00 = start[0], a01 = start[1], a10 = a00, a11 = a01;
    const auto step = static_cast<std::size_t>(n);
    int k = 0;
    if (n >= 8) {
        __m128i s00 = _mm_setzero_si128(), s01 = s00, s10 = s00, s11 = s00;
#if NASCENT_RUNTIME_X86 == 2
        if (n >= 16) {
            __m256i t00 = _mm256_setzero_si256(), t01 = t00, t10 = t00, t11 = t00;
            for (; k + 16 <= n; k += 16) {
                const __m256i u0 = widen16(x + k), u1 = widen16(x + step + k);
                const __m256i v0 = widen16(w + k), v1 = widen16(w + step + k);
                t00 = _mm256_add_epi32(t00, _mm256_madd_epi16(u0, v0));
                t01 = _mm256_add_epi32(t01, _mm256_madd_epi16(u0, v1));
                t10 = _mm256_add_epi32(t10, _mm256_madd_epi16(u1, v0));
                t11 = _mm256_add_epi32(t11, _mm256_madd_epi16(u1, v1));
            }
            s00 = fold(t00);
            s01 = fold(t01);
            s10 = fold(t10);
            s11 = fold(t11);
        }
#endif
        for (; k + 8 <= n; k += 8) {
            const __m128i u0 = widen8(x + k), u1 = widen8(x + step + k), v0 = widen8(w + k), v1 = widen8(w + step + k);
            s00 = _mm_add_epi32(s00, _mm_madd_epi16(u0, v0));
            s01 = _mm_add_epi32(s01, _mm_madd_epi16(u0, v1));
            s10 = _mm_add_epi32(s10, _mm_madd_epi16(u1, v0));
            s11 = _mm_add_epi32(s11, _mm_madd_epi16(u1, v1));
        }
        a00 = wrapping_add(a00, lane_sum(s00));
        a01 = wrapping_add(a01, lane_sum(s01));
        a10 = wrapping_add(a10, lane_sum(s10));
        a11 = wrapping_add(a11, lane_sum(s11));
    }
    for (; k < n; ++k) {
        const std::int32_t u0 = x[k], u1 = x[step + static_cast<std::size_t>(k)];
        const std::int32_t v0 = w[k], v1 = w[step + static_cast<std::size_t>(k)];
        a00 = wrapping_add(a00, u0 * v0);
        a01 = wrapping_add(a01, u0 * v1);
        a10 = wrapping_add(a10, u1 * v0);
        a11 = wrapping_add(a11, u1 * v1);
    }
    sums[0] = a00;
    sums[1] = a01;
    sums[filter_chunk] = a10;
    sums[filter_chunk + 1] = a11;
}

/// acc[o] += sum over k < n of (x[k] - z) * w_o[k] for the filters w_0 = w, w_1 = w + w_step
/// (w_step 0: one filter, twice).
inline void dot1(const std::int8_t* x, const std::int8_t* w, std::size_t w_step, int n, std::int32_t z, std::int32_t* acc) noexcept {
    std::int32_t a0 = acc[0], a1 = acc[1];
    int k = 0;
    if (n >= 8) {
        __m128i s0 = _mm_setzero_si128(), s1 = s0;
#if NASCENT_RUNTIME_X86 == 2
        if (n >= 16) {
            const __m256i zz = _mm256_set1_epi16(static_cast<std::int16_t>(z));
            __m256i t0 = _mm256_setzero_si256(), t1 = t0;
            for (; k + 16 <= n; k += 16) {
                const __m256i u = _mm256_sub_epi16(widen16(x + k), zz);
                t0 = _mm256_add_epi32(t0, _mm256_madd_epi16(u, widen16(w + k)));
                t1 = _mm256_add_epi32(t1, _mm256_madd_epi16(u, widen16(w + w_step + static_cast<std::size_t>(k))));
            }
            s0 = fold(t0);
            s1 = fold(t1);
        }
#endif
        const __m128i zz = _mm_set1_epi16(static_cast<std::int16_t>(z));
        for (; k + 8 <= n; k += 8) {
            const __m128i u = _mm_sub_epi16(widen8(x + k), zz);
            s0 = _mm_add_epi32(s0, _mm_madd_epi16(u, widen8(w + k)));
            s1 = _mm_add_epi32(s1, _mm_madd_epi16(u, widen8(w + w_step + static_cast<std::size_t>(k))));
        }
        a0 = wrapping_add(a0, lane_sum(s0));
        a1 = wrapping_add(a1, lane_sum(s1));
    }
    for (; k < n; ++k) {
        const std::int32_t u = x[k] - z;
        a0 = wrapping_add(a0, u * w[k]);
        a1 = wrapping_add(a1, u * w[w_step + static_cast<std::size_t>(k)]);
    }
    acc[0] = a0;
    acc[1] = a1;
}

} // namespace detail
#endif

} // namespace nascent::deploy::int8
