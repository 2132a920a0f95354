// nascent/runtime/int8/dot_cortex_m_dsp.hpp - the int8 dot products and requantisation on Arm's DSP extension.
//
// dot2 (two rows times two filters, written out in assembly: 43 instructions per 32
// multiply-adds), dot1, pair_starts (USADA8) and requantize_sums (the short exact form in
// assembly, about 20 instructions per output); int8/dot.hpp states their contracts and holds the
// scalar versions. Included by int8/dot.hpp when NASCENT_RUNTIME_ARM_DSP.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/arch.hpp"
#include "nascent/runtime/int8/conv_params.hpp"
#include "nascent/runtime/int8/simd_cortex_m_dsp.hpp"

namespace nascent::deploy::int8 {

#if NASCENT_RUNTIME_ARM_DSP
namespace detail {

using namespace nascent::deploy::detail;

/// sums[r * filter_chunk + o] = start[o] + sum over k < n of x_r[k] * w_o[k] (o, r < 2) for the
/// rows x_0 = x, x_1 = x + n and the filters w_0 = w, w_1 = w + n (two windows gathered one after
/// the other, two filters of OHWI). Out of line: the loop has the registers to itself.
[[gnu::noinline]] inline void dot2(const std::int8_t* x, const std::int8_t* w, int n, const std::int32_t* start, std::int32_t* sums) noexcept {
    std::int32_t a00 = start[0], a01 = start[1], a10 = a00, a11 = a01;
    const auto step = static_cast<std::size_t>(n);
    int k = 0;
#if defined(__OPTIMIZE__)  // (unoptimised builds keep a frame pointer: one register short)
    // Four bytes of each row and filter per step: even and odd bytes sign-extended into
    // halfword pairs (both operands split alike, so the products pair up), two SMLADs per row
    // and filter; two steps per loop. Written out so that the 13 registers it needs (four sums,
    // three pointers, six temporaries; the end in memory) are exactly those the loop uses.
    if (const int words = n >> 2; words > 0) {
        const std::int8_t* const end = x + 4 * words;
        std::uint32_t u0, u1, e0, e1, v;
        auto h = static_cast<std::uint32_t>(words & 1);  // odd: enter at the second step
#define NASCENT_RUNTIME_DOT2_STEP                      \
    "ldr %[u1], [%[x], %[n]]\n\t"                  \
    "ldr %[u0], [%[x]], #4\n\t"                    \
    "sxtb16 %[e1], %[u1]\n\t"                      \
    "sxtb16 %[u1], %[u1], ror #8\n\t"              \
    "sxtb16 %[e0], %[u0]\n\t"                      \
    "sxtb16 %[u0], %[u0], ror #8\n\t"              \
    "ldr %[v], [%[w], %[n]]\n\t"                   \
    "sxtb16 %[h], %[v]\n\t"                        \
    "smlad %[a01], %[e0], %[h], %[a01]\n\t"        \
    "smlad %[a11], %[e1], %[h], %[a11]\n\t"        \
    "sxtb16 %[v], %[v], ror #8\n\t"                \
    "smlad %[a01], %[u0], %[v], %[a01]\n\t"        \
    "smlad %[a11], %[u1], %[v], %[a11]\n\t"        \
    "ldr %[v], [%[w]], #4\n\t"                     \
    "sxtb16 %[h], %[v]\n\t"                        \
    "smlad %[a00], %[e0], %[h], %[a00]\n\t"        \
    "smlad %[a10], %[e1], %[h], %[a10]\n\t"        \
    "sxtb16 %[v], %[v], ror #8\n\t"                \
    "smlad %[a00], %[u0], %[v], %[a00]\n\t"        \
    "smlad %[a10], %[u1], %[v], %[a10]\n\t"
        __asm__("cmp %[h], #0\n\t"
                "bne 2f\n"
                "1:\n\t" NASCENT_RUNTIME_DOT2_STEP
                "2:\n\t" NASCENT_RUNTIME_DOT2_STEP
                "ldr %[h], %[end]\n\t"
                "cmp %[x], %[h]\n\t"
                "bne 1b"
                : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [x] "+r"(x), [w] "+r"(w), [u0] "=&r"(u0),
                  [u1] "=&r"(u1), [e0] "=&r"(e0), [e1] "=&r"(e1), [v] "=&r"(v), [h] "+r"(h)
                : [n] "r"(n), [end] "m"(end)
                : "cc");
#undef NASCENT_RUNTIME_DOT2_STEP
    }
    n &= 3;
#endif
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
    // x - z in [-255, 255]: halfwords, added to the sign-extended bytes.
    const auto offsets = static_cast<std::int32_t>((static_cast<std::uint32_t>(-z) & 0xFFFFU) * 0x10001U);
    for (const std::int8_t* end = x + (n & ~3); x != end; x += 4, w += 4) {
        const std::uint32_t u = load4(x);
        const std::int32_t e = __builtin_arm_sadd16(even_bytes(u), offsets), o = __builtin_arm_sadd16(odd_bytes(u), offsets);
        std::uint32_t v = load4(w);
        a0 = __builtin_arm_smlad(o, odd_bytes(v), __builtin_arm_smlad(e, even_bytes(v), a0));
        v = load4(w + w_step);
        a1 = __builtin_arm_smlad(o, odd_bytes(v), __builtin_arm_smlad(e, even_bytes(v), a1));
    }
    n &= 3;
    for (; k < n; ++k) {
        const std::int32_t u = x[k] - z;
        a0 = wrapping_add(a0, u * w[k]);
        a1 = wrapping_add(a1, u * w[w_step + static_cast<std::size_t>(k)]);
    }
    acc[0] = a0;
    acc[1] = a1;
}

/// start[o] = bias[o] - z * (sum of filter o's n weights) for `count` filters n bytes apart:
/// where a pair of pixels starts its sums of x * w (modulo 2^32, as every int32 sum here).
inline void pair_starts(const std::int8_t* w, int n, int count, const std::int32_t* bias, std::int32_t z, std::int32_t* start) noexcept {
    for (int o = 0; o < count; ++o, w += n) {
        std::uint32_t sum = 0;
        int k = 0;
        // USADA8 adds four unsigned bytes: the weights + 128 (sign bits flipped).
        for (; k + 4 <= n; k += 4) sum = __builtin_arm_usada8(load4(w + k) ^ 0x80808080U, 0U, sum);
        sum -= 128U * static_cast<std::uint32_t>(k);
        for (; k < n; ++k) sum += static_cast<std::uint32_t>(static_cast<std::int32_t>(w[k]));
        start[o] = static_cast<std::int32_t>(static_cast<std::uint32_t>(bias[o]) - static_cast<std::uint32_t>(z) * sum);
    }
}

/// y0[o] = sums[o] of channel first + o requantised, and y1[o] = sums[filter_chunk + o] unless y1
/// is null, for o < count. Out of line: a loop of its own registers.
[[gnu::noinline]] inline void requantize_sums(const conv_params& q, int first, int count, const std::int32_t* sums, std::int8_t* y0,
                                              std::int8_t* y1) noexcept {
    const std::int32_t* multiplier = q.multiplier + first;
    const std::int32_t* shift = q.shift + first;
    const std::int32_t z_out = q.z_out, lo = q.lo, hi = q.hi;  // locals: the stores below may alias q
#if defined(__OPTIMIZE__)
    if (q.plain && y1 != nullptr && count > 0) {
        // Two rows, shifts -e in [-24, -2]: with P = a m + 2^30 - [a m < 0] 2^31 (a 64-bit
        // multiply-accumulate onto a start made of the sign of a XOR m), scaling's one rounding is
        // floor((P + 2^(30+e)) / 2^(31+e)) = (high word of P + 2^(e-2)) >> (e-1), and + z_out goes
        // in as z_out << (e-1): (high + (2 z_out + 1) << (e-2)) >> (e-1), all within int32.
        // Thirteen registers; the loop's end and 2 z_out + 1 in memory.
        const std::int8_t* const end = y0 + count;
        const std::int32_t odd = 2 * z_out + 1;
        std::int32_t m, right, round, a, v, low;
        __asm__ volatile("1:\n\t"
                "ldr %[m], [%[mp]], #4\n\t"
                "ldr %[right], [%[sp_]], #4\n\t"
                "mvn %[right], %[right]\n\t"          // e - 1
                "sub %[a], %[right], #1\n\t"
                "ldr %[low], %[odd]\n\t"
                "lsl %[round], %[low], %[a]\n\t"      // (2 z_out + 1) << (e - 2)
#define NASCENT_RUNTIME_REQUANTIZE_ONE(load, y)         \
    load                                               \
    "eor %[v], %[a], %[m]\n\t"                       \
    "and %[low], %[v], #0x80000000\n\t"              \
    "orr %[low], %[low], #0x40000000\n\t"            \
    "asr %[v], %[v], #31\n\t"                        \
    "smlal %[low], %[v], %[a], %[m]\n\t"             \
    "add %[v], %[v], %[round]\n\t"                   \
    "asr %[v], %[v], %[right]\n\t"                   \
    "cmp %[v], %[lo]\n\t"                            \
    "it lt\n\t"                                      \
    "movlt %[v], %[lo]\n\t"                          \
    "cmp %[v], %[hi]\n\t"                            \
    "it gt\n\t"                                      \
    "movgt %[v], %[hi]\n\t"                          \
    "strb %[v], [" y "], #1\n\t"
                NASCENT_RUNTIME_REQUANTIZE_ONE("ldr %[a], [%[s], #128]\n\t", "%[y1]")
                NASCENT_RUNTIME_REQUANTIZE_ONE("ldr %[a], [%[s]], #4\n\t", "%[y0]")
#undef NASCENT_RUNTIME_REQUANTIZE_ONE
                "ldr %[a], %[end]\n\t"
                "cmp %[y0], %[a]\n\t"
                "bne 1b"
                : [mp] "+r"(multiplier), [sp_] "+r"(shift), [s] "+r"(sums), [y0] "+r"(y0), [y1] "+r"(y1), [m] "=&r"(m),
                  [right] "=&r"(right), [round] "=&r"(round), [a] "=&r"(a), [v] "=&r"(v), [low] "=&r"(low)
                : [lo] "r"(lo), [hi] "r"(hi), [odd] "m"(odd), [end] "m"(end)
                : "cc", "memory");
        return;
    }
#endif
    for (int o = 0; o < count; ++o) {
        const scaling scale(multiplier[o], static_cast<int>(shift[o]));
        y0[o] = clamped(scale(sums[o]) + z_out, lo, hi);
        if (y1 != nullptr) y1[o] = clamped(scale(sums[filter_chunk + o]) + z_out, lo, hi);
    }
}

} // namespace detail
#endif

} // namespace nascent::deploy::int8
