// nascent/deploy/kernels_int8.hpp - the int8 deploy kernels: one function per op type.
//
// Every kernel has the signature
//     void kernel(const step& s, const std::int8_t* weights, const std::int32_t* params,
//                 std::byte* arena) noexcept
// and takes its geometry from the step at run time, as the float32 kernels
// (deploy/kernels_float.hpp, which states the geometry, layouts and the memory contract).
// Quantisation (params as deploy/program.hpp's param_layout; z = zero point):
//   activations int8, per-tensor asymmetric: real = scale * (q - z);
//   conv, dense: per-channel symmetric int8 weights; int32 accumulation of
//       (x - z_in) * w + bias[oc] (padding contributes z_in - z_in = 0), then
//       requantize(): acc * multiplier[oc] * 2^(shift[oc] - 31) + z_out, clamped to
//       [act_min, act_max] (the fused activation is in that range; step.activation is not read);
//   add: TF Lite's quantised add: each input (x - z) << left_shift, scaled by its own factor,
//       summed, scaled by the output factor, + z_out, clamped to [act_min, act_max];
//   relu, relu6: requantize(x - z_in) with (multiplier, shift), + z_out, clamped to
//       [act_min, act_max], which is the activation itself (relu: [z_out, 127], relu6:
//       [z_out, q(6)]); the two kernels are the same;
//   max_pool: the window's maximum, rescaled as relu (the rescale is monotonic);
//   avg_pool, global_avg_pool: the sum of (x - z_in) over the window's real pixels, divided by
//       their count and rescaled with one rounding (fixed_point.hpp's average()); + z_out, clamped;
//   concat: each input rescaled to the output's parameters (z_a or z_b to z_out, its factor),
//       clamped to [-128, 127]; zero: writes z_out; channel_shuffle: moves bytes (no params).
// The identity factor (2^30, 1) with equal zero points leaves values unchanged; pools,
// activations and concat then skip the multiplication.
// No float anywhere.
//
// How conv and dense compute (the results are those of the definition above, bit for bit: int32
// sums wrap modulo 2^32 whatever their order, and requantisation is fixed_point.hpp's):
// - two output pixels times two filters per pass over a window (four int32 sums), the windows
//   gathered once per pair of pixels into the scratch and read by every filter of the layer,
//   32 filters at a time (a 1x1 convolution reads its input directly);
// - the input zero point leaves the inner loop: a pair of pixels starts each filter's sums at
//   bias - z_in * (sum of the filter's weights), computed once per 32 filters, and accumulates
//   x * w; a lone pixel (dense, the last of an odd count) subtracts z_in from x instead;
// - Cortex-M4 and other cores with Arm's DSP extension (__ARM_FEATURE_SIMD32): four bytes per
//   load, SXTB16 into halfword pairs, SMLAD for two multiply-adds per instruction: 43
//   instructions per 32 multiply-adds, the loop written out in assembly so that the 13
//   registers it needs stay registers at -Os; x86 hosts: SSE2 / AVX2 multiply-add of int16
//   pairs (PMADDWD); elsewhere a scalar loop;
// - AVX2 hosts run a convolution of filters up to 256 bytes 16 output channels per vector pair
//   instead (conv_lanes: short filters, such as 1x1 convolutions of few input channels or a
//   first layer of one input channel, fill whole vectors);
// - requantisation through fixed_point.hpp's scaling (one 64-bit multiply-accumulate and a
//   shift); when every shift is in [-24, -2] (conv_params::plain, as a layer's factors below
//   1/4 are) a shorter exact form, written out on the DSP extension (about 20 instructions per
//   output) and vectorised on AVX2.
// Depthwise convolutions run channel by channel (Cortex-M, kernels_float.hpp's planes) or, on
// SIMD hosts, along output rows 8 outputs per vector (kernels_float.hpp's depthwise_rows), their
// requantisation vectorised on AVX2. Max pool compares four bytes per instruction pair on the
// DSP extension (SSUB8, SEL) and 16 per vector on SIMD hosts.
//
// The geometry helpers both precisions share (deploy::detail) live in kernels_float.hpp; no float
// kernel is compiled into a firmware that does not call one.
//
// Memory: as the float32 kernels, but a conv's window gathers two output pixels' windows of
// int8 (2 * kernel_h * kernel_w * in_c / groups bytes, half the contract's two int16 columns),
// padded with z_in, the second right after the first; an in-place depthwise plane holds int8
// outputs (out.h * out.w bytes; SIMD hosts copy an input channel into it). Stack: a few words and a block of 32
// filters' starting sums and two rows of their sums (384 bytes); on AVX2 hosts a block's
// transposed weights (8 KB) and, for a 1x1 convolution, one window of int16 (0.5 KB; a kxk
// window goes into the scratch: 2n bytes, one window of int16); on SIMD hosts a depthwise
// convolution's ring of padded rows (16 KB).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "nascent/deploy/fixed_point.hpp"
#include "nascent/deploy/kernels_float.hpp"
#include "nascent/deploy/program.hpp"

#if defined(__GNUC__) && defined(__ARM_FEATURE_SIMD32) && defined(__ARM_FEATURE_UNALIGNED)
#define NASCENT_DEPLOY_SIMD32 1
#else
#define NASCENT_DEPLOY_SIMD32 0
#endif

// x86 hosts: 2 with AVX2, 1 with SSE2 only, 0 elsewhere.
#if !NASCENT_DEPLOY_SIMD32 && defined(__GNUC__) && defined(__AVX2__)
#define NASCENT_DEPLOY_X86 2
#elif !NASCENT_DEPLOY_SIMD32 && defined(__GNUC__) && defined(__SSE2__)
#define NASCENT_DEPLOY_X86 1
#else
#define NASCENT_DEPLOY_X86 0
#endif
#if NASCENT_DEPLOY_X86
#include <immintrin.h>
#endif

namespace nascent::deploy::int8 {

namespace detail {

using namespace nascent::deploy::detail;

/// Filters whose starting sums a conv computes at once (a stack array of int32).
inline constexpr int filter_chunk = 32;

/// Four bytes from p, any alignment.
[[nodiscard]] inline std::uint32_t load4(const void* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

inline void store4(void* p, std::uint32_t v) noexcept { std::memcpy(p, &v, 4); }

/// Copies len bytes (a few): words, then the last bytes (no call of memcpy).
inline void copy_bytes(std::int8_t* dst, const std::int8_t* src, std::size_t len) noexcept {
    for (const std::int8_t* end = src + (len & ~std::size_t{3}); src != end; dst += 4, src += 4) store4(dst, load4(src));
    if ((len & 2U) != 0) {
        dst[0] = src[0];
        dst[1] = src[1];
        dst += 2;
        src += 2;
    }
    if ((len & 1U) != 0) dst[0] = src[0];
}

/// Writes len bytes of value (four copies of it in `pattern`).
inline void fill_bytes(std::int8_t* dst, std::uint32_t pattern, std::size_t len) noexcept {
    for (; len >= 4; len -= 4, dst += 4) store4(dst, pattern);
    for (; len > 0; --len, ++dst) *dst = static_cast<std::int8_t>(pattern);
}

/// a + b modulo 2^32 (the int32 sums of the kernels wrap, as the instructions do).
[[nodiscard]] constexpr std::int32_t wrapping_add(std::int32_t a, std::int32_t b) noexcept {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}

[[nodiscard]] constexpr std::uint32_t four_bytes(std::int32_t v) noexcept { return (static_cast<std::uint32_t>(v) & 0xFFU) * 0x01010101U; }

#if NASCENT_DEPLOY_SIMD32
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
#elif NASCENT_DEPLOY_X86
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
#if NASCENT_DEPLOY_X86 == 2
/// Sixteen bytes sign-extended into int16 lanes.
[[nodiscard]] inline __m256i widen16(const std::int8_t* p) noexcept {
    return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
/// The two halves of v added.
[[nodiscard]] inline __m128i fold(__m256i v) noexcept { return _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)); }
#endif
#endif

/// sums[r * filter_chunk + o] = start[o] + sum over k < n of x_r[k] * w_o[k] (o, r < 2) for the
/// rows x_0 = x, x_1 = x + n and the filters w_0 = w, w_1 = w + n (two windows gathered one after
/// the other, two filters of OHWI). Out of line: the loop has the registers to itself.
[[gnu::noinline]] inline void dot2(const std::int8_t* x, const std::int8_t* w, int n, const std::int32_t* start, std::int32_t* sums) noexcept {
    std::int32_t a00 = start[0], a01 = start[1], a10 = a00, a11 = a01;
    const auto step = static_cast<std::size_t>(n);
    int k = 0;
#if NASCENT_DEPLOY_SIMD32 && defined(__OPTIMIZE__)  // (unoptimised builds keep a frame pointer: one register short)
    // Four bytes of each row and filter per step: even and odd bytes sign-extended into
    // halfword pairs (both operands split alike, so the products pair up), two SMLADs per row
    // and filter; two steps per loop. Written out so that the 13 registers it needs (four sums,
    // three pointers, six temporaries; the end in memory) are exactly those the loop uses.
    if (const int words = n >> 2; words > 0) {
        const std::int8_t* const end = x + 4 * words;
        std::uint32_t u0, u1, e0, e1, v;
        auto h = static_cast<std::uint32_t>(words & 1);  // odd: enter at the second step
#define NASCENT_DEPLOY_DOT2_STEP                      \
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
                "1:\n\t" NASCENT_DEPLOY_DOT2_STEP
                "2:\n\t" NASCENT_DEPLOY_DOT2_STEP
                "ldr %[h], %[end]\n\t"
                "cmp %[x], %[h]\n\t"
                "bne 1b"
                : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [x] "+r"(x), [w] "+r"(w), [u0] "=&r"(u0),
                  [u1] "=&r"(u1), [e0] "=&r"(e0), [e1] "=&r"(e1), [v] "=&r"(v), [h] "+r"(h)
                : [n] "r"(n), [end] "m"(end)
                : "cc");
#undef NASCENT_DEPLOY_DOT2_STEP
    }
    n &= 3;
#elif NASCENT_DEPLOY_X86
    if (n >= 8) {
        __m128i s00 = _mm_setzero_si128(), s01 = s00, s10 = s00, s11 = s00;
#if NASCENT_DEPLOY_X86 == 2
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
#if NASCENT_DEPLOY_SIMD32
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
#elif NASCENT_DEPLOY_X86
    if (n >= 8) {
        __m128i s0 = _mm_setzero_si128(), s1 = s0;
#if NASCENT_DEPLOY_X86 == 2
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
#endif
    for (; k < n; ++k) {
        const std::int32_t u = x[k] - z;
        a0 = wrapping_add(a0, u * w[k]);
        a1 = wrapping_add(a1, u * w[w_step + static_cast<std::size_t>(k)]);
    }
    acc[0] = a0;
    acc[1] = a1;
}

/// v clamped to [lo, hi], as a byte.
[[nodiscard, gnu::always_inline]] inline std::int8_t clamped(std::int32_t v, std::int32_t lo, std::int32_t hi) noexcept {
    return static_cast<std::int8_t>(v < lo ? lo : (v > hi ? hi : v));
}

/// A conv or dense step's quantisation (param_layout).
struct conv_params {
    std::int32_t z_in = 0;
    std::int32_t z_out = 0;
    std::int32_t lo = -128;
    std::int32_t hi = 127;
    const std::int32_t* bias = nullptr;
    const std::int32_t* multiplier = nullptr;
    const std::int32_t* shift = nullptr;
    /// Every channel's shift in [-24, -2] and z_out in [-128, 127] (requantize_sums' short form).
    bool plain = false;

    /// Output channel oc's factor, prepared.
    [[nodiscard]] scaling scale(int oc) const noexcept { return {multiplier[oc], static_cast<int>(shift[oc])}; }
    /// The int8 value of a sum that includes the bias, scaled by s.
    [[nodiscard]] std::int8_t out(const scaling& s, std::int32_t acc) const noexcept { return clamped(s(acc) + z_out, lo, hi); }
    /// Output channel oc's int8 value for the accumulated sum acc (bias not included).
    [[nodiscard]] std::int8_t operator()(int oc, std::int32_t acc) const noexcept { return out(scale(oc), wrapping_add(acc, bias[oc])); }
};

[[nodiscard]] inline conv_params conv_params_of(const step& s, const std::int32_t* params) noexcept {
    const std::int32_t* p = params + s.params;
    const int c = s.out.extent.c;
    conv_params q;
    q.z_in = p[param_layout::z_in];
    q.z_out = p[param_layout::z_out];
    q.lo = p[param_layout::act_min];
    q.hi = p[param_layout::act_max];
    q.bias = p + param_layout::channels_begin;
    q.multiplier = q.bias + c;
    q.shift = q.bias + 2 * c;
    q.plain = q.z_out >= -128 && q.z_out <= 127;
    for (int o = 0; o < c; ++o) q.plain = q.plain && q.shift[o] >= -24 && q.shift[o] <= -2;
    return q;
}

/// start[o] = bias[o] - z * (sum of filter o's n weights) for `count` filters n bytes apart:
/// where a pair of pixels starts its sums of x * w (modulo 2^32, as every int32 sum here).
inline void pair_starts(const std::int8_t* w, int n, int count, const std::int32_t* bias, std::int32_t z, std::int32_t* start) noexcept {
    for (int o = 0; o < count; ++o, w += n) {
        std::uint32_t sum = 0;
        int k = 0;
#if NASCENT_DEPLOY_SIMD32
        // USADA8 adds four unsigned bytes: the weights + 128 (sign bits flipped).
        for (; k + 4 <= n; k += 4) sum = __builtin_arm_usada8(load4(w + k) ^ 0x80808080U, 0U, sum);
        sum -= 128U * static_cast<std::uint32_t>(k);
#endif
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
#if NASCENT_DEPLOY_SIMD32 && defined(__OPTIMIZE__)
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
#define NASCENT_DEPLOY_REQUANTIZE_ONE(load, y)         \
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
                NASCENT_DEPLOY_REQUANTIZE_ONE("ldr %[a], [%[s], #128]\n\t", "%[y1]")
                NASCENT_DEPLOY_REQUANTIZE_ONE("ldr %[a], [%[s]], #4\n\t", "%[y0]")
#undef NASCENT_DEPLOY_REQUANTIZE_ONE
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

/// Filters [first, first + count) (n bytes each, from w; count <= filter_chunk) on Rows (1 or
/// 2) rows: y_r[o] for o < count. Two rows (x and x + n) start at start[o] (pair_starts) and
/// accumulate x * w; one row starts at the bias and accumulates (x - z_in) * w. The sums of all
/// filters first, then their requantisation (each loop keeps its own registers).
template <int Rows>
inline void filters(const std::int8_t* x, std::int8_t* y0, std::int8_t* y1, const std::int8_t* w, int n, const conv_params& q, int first,
                    int count, const std::int32_t* start) noexcept {
    static_assert(Rows == 1 || Rows == 2, "filters<Rows>: one or two rows");
    const auto step = static_cast<std::size_t>(n);
    const std::int32_t* bias = q.bias + first;
    std::int32_t sums[2][filter_chunk];  // [row][filter]
    for (int o = 0; o < count; o += 2, w += 2 * step) {
        const int pair = o + 1 < count ? 1 : 0;
        if (Rows == 2 && pair != 0) {
            dot2(x, w, n, start + o, sums[0] + o);
            continue;
        }
        // One row, or the last filter of an odd count: row by row, from the bias.
        for (int r = 0; r < Rows; ++r) {
            std::int32_t acc[2] = {bias[o], bias[o + pair]};
            dot1(x + static_cast<std::size_t>(r) * step, w, static_cast<std::size_t>(pair) * step, n, q.z_in, acc);
            sums[r][o] = acc[0];
            sums[r][o + pair] = acc[1];
        }
    }
    requantize_sums(q, first, count, sums[0], y0, Rows == 2 ? y1 : nullptr);
}

/// Copies the window taps of output pixel q and group `group` into `col` ([tap][channel],
/// in_per_group channels per tap); taps outside the image get `pad` (four copies of z_in).
inline void gather(const conv_geometry& g, const std::int8_t* x, int q, int group, std::uint32_t pad, std::int8_t* col) noexcept {
    const int ih0 = q / g.out.w * g.stride - g.pad_top;
    const int iw0 = q % g.out.w * g.stride - g.pad_left;
    const auto cg = static_cast<std::size_t>(g.in_per_group);
    const auto in_stride = static_cast<std::size_t>(g.in_stride);
    const std::size_t row_len = static_cast<std::size_t>(g.kernel_w) * cg;
    // The taps of a window row lie one after the other in memory: one copy per row.
    const bool runs = g.dilation == 1 && in_stride == cg;
    if (runs && ih0 >= 0 && iw0 >= 0 && ih0 + g.kernel_h <= g.in.h && iw0 + g.kernel_w <= g.in.w) {
        // Inside the image: kernel_h copies.
        const std::int8_t* src = x + (static_cast<std::size_t>(ih0) * static_cast<std::size_t>(g.in.w) + static_cast<std::size_t>(iw0)) * in_stride +
                                 static_cast<std::size_t>(group) * cg;
        const std::size_t row_step = static_cast<std::size_t>(g.in.w) * in_stride;
        for (int i = 0; i < g.kernel_h; ++i, col += row_len, src += row_step) copy_bytes(col, src, row_len);
        return;
    }
    const tap_range rows = taps_inside(ih0, g.kernel_h, g.dilation, g.in.h);
    const tap_range cols = taps_inside(iw0, g.kernel_w, g.dilation, g.in.w);
    const std::size_t before = static_cast<std::size_t>(cols.first) * cg;
    const std::size_t inside = static_cast<std::size_t>(cols.last - cols.first) * cg;
    for (int i = 0; i < g.kernel_h; ++i, col += row_len) {
        if (i < rows.first || i >= rows.last) {
            fill_bytes(col, pad, row_len);
            continue;
        }
        fill_bytes(col, pad, before);
        const std::int8_t* src = x + (static_cast<std::size_t>(ih0 + i * g.dilation) * static_cast<std::size_t>(g.in.w) +
                                      static_cast<std::size_t>(iw0 + cols.first * g.dilation)) * in_stride +
                                 static_cast<std::size_t>(group) * cg;
        if (runs) {
            copy_bytes(col + before, src, inside);
        } else {
            const std::size_t tap_step = static_cast<std::size_t>(g.dilation) * in_stride;
            for (std::size_t at = before; at < before + inside; at += cg, src += tap_step) copy_bytes(col + at, src, cg);
        }
        fill_bytes(col + before + inside, pad, row_len - before - inside);
    }
}

/// The (z_in, z_out, act_min, act_max, multiplier, shift) of pools and activations.
struct rescale_params {
    std::int32_t z_in = 0;
    std::int32_t z_out = 0;
    std::int32_t lo = -128;
    std::int32_t hi = 127;
    std::int32_t multiplier = std::int32_t{1} << 30;
    int shift = 1;

    /// True when values keep their scale and zero point (only the clamp applies).
    [[nodiscard]] bool identity() const noexcept {
        return multiplier == identity_multiplier.multiplier && shift == identity_multiplier.shift && z_in == z_out;
    }
    [[nodiscard]] std::int8_t operator()(std::int32_t x) const noexcept {
        return static_cast<std::int8_t>(requantize(x - z_in, multiplier, shift, z_out, lo, hi));
    }
    [[nodiscard]] std::int8_t clamp(std::int32_t v) const noexcept {
        return static_cast<std::int8_t>(v < lo ? lo : (v > hi ? hi : v));
    }
};

[[nodiscard]] inline rescale_params rescale_params_of(const step& s, const std::int32_t* params) noexcept {
    const std::int32_t* p = params + s.params;
    return {p[param_layout::z_in], p[param_layout::z_out], p[param_layout::act_min], p[param_layout::act_max],
            p[param_layout::rescale::multiplier], static_cast<int>(p[param_layout::rescale::shift])};
}

/// Applies r to every element of input 0 into the output (element-wise; may run in place).
inline void rescale_elements(const step& s, std::byte* arena, const rescale_params& r) noexcept {
    const std::int8_t* x = element_at<const std::int8_t>(arena, s.in[0].offset);
    std::int8_t* y = element_at<std::int8_t>(arena, s.out.offset);
    const int c = s.out.extent.c;
    const int sx = stride_of(s.in[0]), sy = stride_of(s.out);
    const bool flat = sx == c && sy == c;
    const int rows = flat ? 1 : pixels(s.out.extent);
    const int len = flat ? static_cast<int>(s.out.extent.size()) : c;
    const bool identity = r.identity();
    for (int p = 0; p < rows; ++p, x += sx, y += sy) {
        if (identity) {
            for (int k = 0; k < len; ++k) y[k] = r.clamp(x[k]);
        } else {
            for (int k = 0; k < len; ++k) y[k] = r(x[k]);
        }
    }
}

#if NASCENT_DEPLOY_X86 == 2
/// AVX2 hosts: a convolution whose filters hold at most `lane_filter` bytes runs output channel
/// by output channel in vector lanes (16 channels per block: two vectors of 8 int32 sums), so
/// that short filters (1x1 convolutions of few input channels, a first 3x3 layer of one input
/// channel) use whole vectors and the requantisation is vectorised too.
inline constexpr int lane_filter = 256;
inline constexpr int lane_block = 16;

/// One block of 16 output channels: weights as [k / 2][channel][2] int16 pairs (PMADDWD pairs
/// two taps of a channel), the rest of the block's lanes zero; 8 KB of stack.
struct lane_weights {
    alignas(32) std::int16_t w[lane_filter / 2][lane_block][2];
};

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

/// The conv of conv() with filters of at most lane_filter bytes (not depthwise), on AVX2.
/// The window goes into the step's scratch when it has one (more than one tap: 2n bytes, one
/// window of int16), else onto the stack.
inline void conv_lanes(const conv_geometry& g, const std::int8_t* x, std::int8_t* y, const std::int8_t* w, const conv_params& q,
                       std::int8_t* scratch) noexcept {
    const int n = g.window;
    const int pairs = (n + 1) / 2;
    const int np = pixels(g.out);
    const auto cg = static_cast<std::size_t>(g.in_per_group);
    const auto in_stride = static_cast<std::size_t>(g.in_stride);
    const auto out_stride = static_cast<std::size_t>(g.out_stride);
    lane_weights wt;
    alignas(32) std::int16_t own[lane_filter];  // x - z_in of one output pixel's window (0: padding)
    std::int16_t* window = g.taps > 1 ? reinterpret_cast<std::int16_t*>(scratch) : own;
    alignas(32) std::int32_t sums[lane_block];
    for (int grp = 0; grp < g.groups; ++grp)
        for (int c0 = 0; c0 < g.out_per_group; c0 += lane_block) {
            const int count = std::min(lane_block, g.out_per_group - c0);
            const int first = grp * g.out_per_group + c0;
            for (int kp = 0; kp < pairs; ++kp)
                for (int c = 0; c < lane_block; ++c)
                    for (int t = 0; t < 2; ++t) {
                        const int k = 2 * kp + t;
                        wt.w[kp][c][t] = c < count && k < n ? w[static_cast<std::size_t>(first + c) * static_cast<std::size_t>(n) + static_cast<std::size_t>(k)] : 0;
                    }
            // Per lane: the bias, and the requantisation (plain) of the block's channels.
            alignas(32) std::int32_t bias[lane_block] = {}, mult[lane_block] = {}, round[lane_block] = {}, right[lane_block] = {};
            for (int c = 0; c < count; ++c) {
                bias[c] = q.bias[first + c];
                mult[c] = q.multiplier[first + c];
                right[c] = q.plain ? -q.shift[first + c] - 1 : 0;
                round[c] = q.plain ? static_cast<std::int32_t>(static_cast<std::uint32_t>(2 * q.z_out + 1) << (right[c] - 1)) : 0;
            }
            const __m256i lo = _mm256_set1_epi32(q.lo), hi = _mm256_set1_epi32(q.hi);
            const __m256i zz = _mm256_set1_epi16(static_cast<std::int16_t>(q.z_in));
            for (int p = 0; p < np; ++p) {
                // The window as int16 x - z_in, padding 0.
                const int ih0 = p / g.out.w * g.stride - g.pad_top, iw0 = p % g.out.w * g.stride - g.pad_left;
                std::int16_t* dst = window;
                for (int i = 0; i < g.kernel_h; ++i) {
                    const int ih = ih0 + i * g.dilation;
                    for (int j = 0; j < g.kernel_w; ++j, dst += cg) {
                        const int iw = iw0 + j * g.dilation;
                        if (ih < 0 || ih >= g.in.h || iw < 0 || iw >= g.in.w) {
                            std::fill(dst, dst + cg, std::int16_t{0});
                            continue;
                        }
                        const std::int8_t* src = x + (static_cast<std::size_t>(ih) * static_cast<std::size_t>(g.in.w) + static_cast<std::size_t>(iw)) * in_stride +
                                                 static_cast<std::size_t>(grp) * cg;
                        std::size_t c = 0;
                        for (; c + 16 <= cg; c += 16)
                            _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + c), _mm256_sub_epi16(widen16(src + c), zz));
                        for (; c < cg; ++c) dst[c] = static_cast<std::int16_t>(src[c] - q.z_in);
                    }
                }
                __m256i s0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(bias));
                __m256i s1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(bias + 8));
                for (int kp = 0; kp < pairs; ++kp) {
                    std::int32_t two = static_cast<std::uint16_t>(window[2 * kp]);  // an odd last tap pairs with a zero weight
                    if (2 * kp + 1 < n) std::memcpy(&two, window + 2 * kp, 4);
                    const __m256i b = _mm256_set1_epi32(two);
                    s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(b, _mm256_load_si256(reinterpret_cast<const __m256i*>(wt.w[kp][0]))));
                    s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(b, _mm256_load_si256(reinterpret_cast<const __m256i*>(wt.w[kp][8]))));
                }
                std::int8_t* yp = y + static_cast<std::size_t>(p) * out_stride + static_cast<std::size_t>(first);
                if (q.plain) {
                    const __m256i r0 = requantize8(s0, _mm256_load_si256(reinterpret_cast<const __m256i*>(mult)),
                                                   _mm256_load_si256(reinterpret_cast<const __m256i*>(round)),
                                                   _mm256_load_si256(reinterpret_cast<const __m256i*>(right)), lo, hi);
                    const __m256i r1 = requantize8(s1, _mm256_load_si256(reinterpret_cast<const __m256i*>(mult + 8)),
                                                   _mm256_load_si256(reinterpret_cast<const __m256i*>(round + 8)),
                                                   _mm256_load_si256(reinterpret_cast<const __m256i*>(right + 8)), lo, hi);
                    const __m256i h = _mm256_permute4x64_epi64(_mm256_packs_epi32(r0, r1), 0xD8);
                    const __m128i bytes = _mm_packs_epi16(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
                    if (count == lane_block) _mm_storeu_si128(reinterpret_cast<__m128i*>(yp), bytes);
                    else {
                        alignas(16) std::int8_t out[lane_block];
                        _mm_store_si128(reinterpret_cast<__m128i*>(out), bytes);
                        std::memcpy(yp, out, static_cast<std::size_t>(count));
                    }
                    continue;
                }
                _mm256_store_si256(reinterpret_cast<__m256i*>(sums), s0);
                _mm256_store_si256(reinterpret_cast<__m256i*>(sums + 8), s1);
                for (int c = 0; c < count; ++c) yp[c] = q.out(q.scale(first + c), sums[c]);
            }
        }
}
#endif

} // namespace detail

/// Any window convolution, as float32::conv; params z_in, z_out, act_min, act_max, bias[C],
/// multiplier[C], shift[C]. Scratch: two windows of int8 (padded with z_in) when the window has
/// more than one tap and is not depthwise; an int8 output plane when a depthwise convolution
/// with more than one tap runs in place; none otherwise.
inline void conv(const step& s, const std::int8_t* weights, const std::int32_t* params, std::byte* arena) noexcept {
    using namespace detail;
    const conv_geometry g = conv_geometry_of(s);
    const std::int8_t* x = element_at<const std::int8_t>(arena, s.in[0].offset);
    std::int8_t* y = element_at<std::int8_t>(arena, s.out.offset);
    const std::int8_t* w = weights + s.weights;
    const conv_params q = conv_params_of(s, params);
    if (g.depthwise()) {
#if NASCENT_DEPLOY_VECTOR
        // Rows of 8 outputs; their requantisation in one go on AVX2 (conv_params::plain).
        auto finish_row = [&q](int oc, const std::int32_t* sums, std::int8_t* out, int count) {
            const scaling scale = q.scale(oc);
#if NASCENT_DEPLOY_X86 == 2
            if (q.plain) {
                const __m256i r = requantize8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(sums)), _mm256_set1_epi32(scale.multiplier),
                                              _mm256_set1_epi32(static_cast<std::int32_t>(static_cast<std::uint32_t>(2 * q.z_out + 1) << (scale.right - 1))),
                                              _mm256_set1_epi32(scale.right), _mm256_set1_epi32(q.lo), _mm256_set1_epi32(q.hi));
                const __m128i h = _mm_packs_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
                _mm_storel_epi64(reinterpret_cast<__m128i*>(out), _mm_packs_epi16(h, h));
                return;
            }
#endif
            for (int l = 0; l < count; ++l) out[l] = q.out(scale, sums[l]);
        };
        if (depthwise_rows(g, x, w, q.z_in, [&q](int oc) { return q.bias[oc]; }, finish_row, y, element_at<std::int8_t>(arena, s.scratch_offset),
                           s.in_place))
            return;
#endif
        depthwise(g, x, w, q.z_in, [](int) { return std::int32_t{0}; }, [&q](int oc, std::int32_t acc) { return q(oc, acc); }, y,
                  element_at<std::int8_t>(arena, s.scratch_offset), s.in_place);
        return;
    }
#if NASCENT_DEPLOY_X86 == 2
    if (g.window <= lane_filter) {
        conv_lanes(g, x, y, w, q, element_at<std::int8_t>(arena, s.scratch_offset));
        return;
    }
#endif
    const int n = pixels(g.out);
    const auto out_stride = static_cast<std::size_t>(g.out_stride);
    const auto in_stride = static_cast<std::size_t>(g.in_stride);
    const int og = g.out_per_group;
    const int filter = g.window;  // bytes per filter, per window
    const bool pointwise = g.taps == 1;
    std::int8_t* col = element_at<std::int8_t>(arena, s.scratch_offset);
    const std::uint32_t pad = four_bytes(q.z_in);
    std::int32_t start[filter_chunk];
    for (int grp = 0; grp < g.groups; ++grp)
        for (int c0 = 0; c0 < og; c0 += filter_chunk) {
            const int count = std::min(filter_chunk, og - c0);
            const int first = grp * og + c0;
            const std::int8_t* wf = w + static_cast<std::size_t>(first) * static_cast<std::size_t>(filter);
            pair_starts(wf, filter, count, q.bias + first, q.z_in, start);
            for (int p = 0; p < n; p += 2) {
                std::int8_t* y0 = y + static_cast<std::size_t>(p) * out_stride + static_cast<std::size_t>(first);
                std::int8_t* y1 = y0 + out_stride;
                const int rows = p + 1 < n ? 2 : 1;
                if (!pointwise) {
                    // Two windows (or the last one), gathered once for every filter of the chunk.
                    for (int r = 0; r < rows; ++r) gather(g, x, p + r, grp, pad, col + static_cast<std::size_t>(r * filter));
                    if (rows == 2) filters<2>(col, y0, y1, wf, filter, q, first, count, start);
                    else filters<1>(col, y0, y0, wf, filter, q, first, count, nullptr);
                    continue;
                }
                // 1x1: a matrix product straight from the input (padding: the bias alone).
                const int source[2] = {pointwise_source(g, p), rows == 2 ? pointwise_source(g, p + 1) : -1};
                const std::int8_t* xs[2];
                for (int r = 0; r < 2; ++r)
                    xs[r] = x + static_cast<std::size_t>(source[r] < 0 ? 0 : source[r]) * in_stride + static_cast<std::size_t>(grp * filter);
                if (source[0] >= 0 && source[1] >= 0 && xs[1] == xs[0] + filter) {
                    filters<2>(xs[0], y0, y1, wf, filter, q, first, count, start);
                    continue;
                }
                for (int r = 0; r < rows; ++r) {
                    std::int8_t* yr = r == 0 ? y0 : y1;
                    if (source[r] >= 0) filters<1>(xs[r], yr, yr, wf, filter, q, first, count, nullptr);
                    else
                        for (int c = 0; c < count; ++c) yr[c] = q(first + c, 0);
                }
            }
        }
}

/// y = W x, W [units][features], x in NHWC order, requantised per unit as conv. No scratch.
inline void dense(const step& s, const std::int8_t* weights, const std::int32_t* params, std::byte* arena) noexcept {
    using namespace detail;
    const shape in = s.in[0].extent;
    const std::int8_t* x = element_at<const std::int8_t>(arena, s.in[0].offset);
    std::int8_t* y = element_at<std::int8_t>(arena, s.out.offset);
    const std::int8_t* w = weights + s.weights;
    const conv_params q = conv_params_of(s, params);
    const int units = s.out.extent.c;
    const int features = static_cast<int>(in.size());
    if (stride_of(s.in[0]) == in.c || pixels(in) == 1) {
        for (int u = 0; u < units; u += filter_chunk)
            filters<1>(x, y + u, y + u, w + static_cast<std::size_t>(u) * static_cast<std::size_t>(features), features, q, u,
                       std::min(filter_chunk, units - u), nullptr);
        return;
    }
    // A channel slice of a wider buffer: pixel by pixel.
    const auto f = static_cast<std::size_t>(features);
    const auto in_c = static_cast<std::size_t>(in.c);
    const auto in_stride = static_cast<std::size_t>(stride_of(s.in[0]));
    for (int u = 0; u < units; u += 2) {
        const bool pair = u + 1 < units;
        std::int32_t acc[2] = {q.bias[u], pair ? q.bias[u + 1] : 0};
        const std::int8_t* wu = w + static_cast<std::size_t>(u) * f;
        for (int p = 0; p < pixels(in); ++p)
            dot1(x + static_cast<std::size_t>(p) * in_stride, wu + static_cast<std::size_t>(p) * in_c, pair ? f : 0U, in.c, q.z_in, acc);
        y[u] = q.out(q.scale(u), acc[0]);
        if (pair) y[u + 1] = q.out(q.scale(u + 1), acc[1]);
    }
}

/// The maximum of each window (clipped to the image), rescaled and clamped. No scratch.
inline void max_pool(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    using namespace detail;
    const std::int8_t* x = element_at<const std::int8_t>(arena, s.in[0].offset);
    std::int8_t* y = element_at<std::int8_t>(arena, s.out.offset);
    const rescale_params r = rescale_params_of(s, params);
    const bool identity = r.identity();
    const auto c = static_cast<std::size_t>(s.out.extent.c);
    const auto in_stride = static_cast<std::size_t>(stride_of(s.in[0]));
    const auto out_stride = static_cast<std::size_t>(stride_of(s.out));
    const auto width = static_cast<std::size_t>(s.in[0].extent.w);
#if NASCENT_DEPLOY_SIMD32
    // Channel by channel with the maximum in a register, four channels per word.
    const std::uint32_t lo = four_bytes(r.lo), hi = four_bytes(r.hi);
    const std::size_t row_step = width * in_stride;
    for_each_pool_window(s, [&](int q, int h0, int h1, int w0, int w1) {
        // Locals: the stores below may alias whatever the lambda refers to.
        const std::size_t channels = c, pixel_step = in_stride, line_step = row_step;
        const std::uint32_t low = lo, high = hi;
        std::int8_t* yq = y + static_cast<std::size_t>(q) * out_stride;
        const std::int8_t* corner = x + (static_cast<std::size_t>(h0) * width + static_cast<std::size_t>(w0)) * in_stride;
        const std::int8_t* last_row = corner + static_cast<std::size_t>(h1 - h0 - 1) * line_step;
        const std::size_t row_bytes = static_cast<std::size_t>(w1 - w0) * pixel_step;
        std::size_t k = 0;
        if (identity && h1 - h0 == 2 && row_bytes == 2 * pixel_step)  // a whole 2x2 window
            for (; k + 4 <= channels; k += 4) {
                const std::int8_t* p = corner + k;
                const std::uint32_t top = max_bytes(load4(p), load4(p + pixel_step));
                const std::uint32_t bottom = max_bytes(load4(p + line_step), load4(p + line_step + pixel_step));
                store4(yq + k, min_bytes(max_bytes(max_bytes(top, bottom), low), high));
            }
        if (identity)
            for (; k + 4 <= channels; k += 4) {
                std::uint32_t m = load4(corner + k);
                for (const std::int8_t* row = corner + k; row <= last_row + k; row += line_step)
                    for (const std::int8_t* px = row; px != row + row_bytes; px += pixel_step) m = max_bytes(m, load4(px));
                store4(yq + k, min_bytes(max_bytes(m, low), high));
            }
        for (; k < channels; ++k) {
            std::int8_t m = corner[k];
            for (const std::int8_t* row = corner + k; row <= last_row + k; row += line_step)
                for (const std::int8_t* px = row; px != row + row_bytes; px += pixel_step) m = std::max(m, *px);
            yq[k] = identity ? r.clamp(m) : r(m);
        }
    });
#else
#if NASCENT_DEPLOY_VECTOR
    if (identity && c % 16 == 0) {
        // Sixteen channels per vector, the maximum in a register.
        typedef std::int8_t bytes __attribute__((vector_size(16)));
        const bytes lo = bytes{} + static_cast<std::int8_t>(r.lo), hi = bytes{} + static_cast<std::int8_t>(r.hi);
        for_each_pool_window(s, [&](int q, int h0, int h1, int w0, int w1) {
            std::int8_t* yq = y + static_cast<std::size_t>(q) * out_stride;
            const std::int8_t* corner = x + (static_cast<std::size_t>(h0) * width + static_cast<std::size_t>(w0)) * in_stride;
            for (std::size_t k = 0; k < c; k += 16) {
                bytes m;
                std::memcpy(&m, corner + k, sizeof m);
                for (int ih = 0; ih < h1 - h0; ++ih)
                    for (int iw = 0; iw < w1 - w0; ++iw) {
                        bytes v;
                        std::memcpy(&v, corner + (static_cast<std::size_t>(ih) * width + static_cast<std::size_t>(iw)) * in_stride + k, sizeof v);
                        m = v > m ? v : m;
                    }
                m = m < lo ? lo : m;
                m = m > hi ? hi : m;
                std::memcpy(yq + k, &m, sizeof m);
            }
        });
        return;
    }
#endif
    for_each_pool_window(s, [&](int q, int h0, int h1, int w0, int w1) {
        std::int8_t* yq = y + static_cast<std::size_t>(q) * out_stride;
        bool first = true;
        for (int ih = h0; ih < h1; ++ih)
            for (int iw = w0; iw < w1; ++iw) {
                const std::int8_t* xp = x + (static_cast<std::size_t>(ih) * width + static_cast<std::size_t>(iw)) * in_stride;
                if (first) {
                    std::memcpy(yq, xp, c);
                    first = false;
                    continue;
                }
                for (std::size_t k = 0; k < c; ++k) yq[k] = xp[k] > yq[k] ? xp[k] : yq[k];
            }
        if (identity) {
            for (std::size_t k = 0; k < c; ++k) yq[k] = r.clamp(yq[k]);
        } else {
            for (std::size_t k = 0; k < c; ++k) yq[k] = r(yq[k]);
        }
    });
#endif
}

/// The mean of each window over its real pixels, rescaled (one rounding) and clamped. No scratch.
inline void avg_pool(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    using namespace detail;
    const std::int8_t* x = element_at<const std::int8_t>(arena, s.in[0].offset);
    std::int8_t* y = element_at<std::int8_t>(arena, s.out.offset);
    const rescale_params r = rescale_params_of(s, params);
    const int headroom = average_headroom(s.window.kernel_h * s.window.kernel_w);
    const int c = s.out.extent.c;
    const auto in_stride = static_cast<std::size_t>(stride_of(s.in[0]));
    const auto out_stride = static_cast<std::size_t>(stride_of(s.out));
    const auto width = static_cast<std::size_t>(s.in[0].extent.w);
    for_each_pool_window(s, [&](int q, int h0, int h1, int w0, int w1) {
        std::int8_t* yq = y + static_cast<std::size_t>(q) * out_stride;
        const std::int32_t count = (h1 - h0) * (w1 - w0);
        for (int k = 0; k < c; ++k) {
            std::int32_t sum = 0;
            for (int ih = h0; ih < h1; ++ih) {
                const std::int8_t* xp = x + (static_cast<std::size_t>(ih) * width + static_cast<std::size_t>(w0)) * in_stride + k;
                for (int iw = w0; iw < w1; ++iw, xp += in_stride) sum += *xp;
            }
            sum -= count * r.z_in;
            yq[k] = r.clamp(average(sum, count, headroom, r.multiplier, r.shift) + r.z_out);
        }
    });
}

/// The mean over all pixels, rescaled (one rounding) and clamped: {h, w, c} -> {1, 1, c}.
inline void global_avg_pool(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    using namespace detail;
    const std::int8_t* x = element_at<const std::int8_t>(arena, s.in[0].offset);
    std::int8_t* y = element_at<std::int8_t>(arena, s.out.offset);
    const rescale_params r = rescale_params_of(s, params);
    const std::int32_t n = pixels(s.in[0].extent);
    const int headroom = average_headroom(n);
    const auto in_stride = static_cast<std::size_t>(stride_of(s.in[0]));
    for (int k = 0; k < s.out.extent.c; ++k) {
        std::int32_t sum = 0;
        const std::int8_t* xp = x + k;
        for (std::int32_t p = 0; p < n; ++p, xp += in_stride) sum += *xp;
        sum -= n * r.z_in;
        y[k] = r.clamp(average(sum, n, headroom, r.multiplier, r.shift) + r.z_out);
    }
}

/// TF Lite's quantised add, element by element; may run in place over either input.
inline void add(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    using namespace detail;
    namespace at = param_layout::add;
    const std::int32_t* p = params + s.params;
    const std::int8_t* a = element_at<const std::int8_t>(arena, s.in[0].offset);
    const std::int8_t* b = element_at<const std::int8_t>(arena, s.in[1].offset);
    std::int8_t* y = element_at<std::int8_t>(arena, s.out.offset);
    const std::int32_t z_a = p[at::z_a], z_b = p[at::z_b], z_out = p[at::z_out], lo = p[at::act_min], hi = p[at::act_max];
    const int left = static_cast<int>(p[at::left_shift]);
    const std::int32_t m_a = p[at::multiplier_a], m_b = p[at::multiplier_b], m_out = p[at::multiplier_out];
    const int s_a = static_cast<int>(p[at::shift_a]), s_b = static_cast<int>(p[at::shift_b]), s_out = static_cast<int>(p[at::shift_out]);
    const int c = s.out.extent.c;
    const int sa = stride_of(s.in[0]), sb = stride_of(s.in[1]), sy = stride_of(s.out);
    const bool flat = sa == c && sb == c && sy == c;
    const int rows = flat ? 1 : pixels(s.out.extent);
    const int len = flat ? static_cast<int>(s.out.extent.size()) : c;
    for (int px = 0; px < rows; ++px, a += sa, b += sb, y += sy)
        for (int k = 0; k < len; ++k) {
            const std::int32_t va = multiply_by_quantized_multiplier((a[k] - z_a) * (std::int32_t{1} << left), m_a, s_a);
            const std::int32_t vb = multiply_by_quantized_multiplier((b[k] - z_b) * (std::int32_t{1} << left), m_b, s_b);
            y[k] = static_cast<std::int8_t>(requantize(va + vb, m_out, s_out, z_out, lo, hi));
        }
}

/// Standalone relu: rescale and clamp to [act_min, act_max]; may run in place.
inline void relu(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    detail::rescale_elements(s, arena, detail::rescale_params_of(s, params));
}

/// Standalone relu6: the same kernel as relu (the clamp range says 6).
inline void relu6(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    detail::rescale_elements(s, arena, detail::rescale_params_of(s, params));
}

/// y = z_out of the output's shape (the quantised zero).
inline void zero(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    nascent::deploy::detail::fill_output(s, static_cast<std::int8_t>(params[s.params]), arena);
}

/// y = [a, b] along channels, each input rescaled to the output's parameters.
inline void concat(const step& s, const std::int8_t*, const std::int32_t* params, std::byte* arena) noexcept {
    using namespace detail;
    namespace at = param_layout::concat;
    const std::int32_t* p = params + s.params;
    std::int8_t* y = element_at<std::int8_t>(arena, s.out.offset);
    const int n = pixels(s.out.extent);
    int first = 0;
    for (int i = 0; i < 2; ++i) {
        const rescale_params r{p[i == 0 ? at::z_a : at::z_b], p[at::z_out], -128, 127,
                               p[i == 0 ? at::multiplier_a : at::multiplier_b],
                               static_cast<int>(p[i == 0 ? at::shift_a : at::shift_b])};
        const std::int8_t* x = element_at<const std::int8_t>(arena, s.in[i].offset);
        const int c = std::min(s.in[i].extent.c, s.out.extent.c - first);  // never past the output's channels
        std::int8_t* yi = y + first;
        const bool identity = r.identity();
        for (int px = 0; px < n; ++px, x += stride_of(s.in[i]), yi += stride_of(s.out)) {
            if (identity) {
                std::memcpy(yi, x, static_cast<std::size_t>(c));
            } else {
                for (int k = 0; k < c; ++k) yi[k] = r(x[k]);
            }
        }
        first += c;
    }
}

/// ShuffleNet's channel shuffle; the output keeps the input's quantisation. No params.
inline void channel_shuffle(const step& s, const std::int8_t*, const std::int32_t*, std::byte* arena) noexcept {
    nascent::deploy::detail::shuffle_channels<std::int8_t>(s, arena);
}

/// Runs step `s` with the kernel of its type; false for a type no kernel runs (batch_norm).
inline bool run_step(const step& s, const std::int8_t* weights, const std::int32_t* params, std::byte* arena) noexcept {
    switch (s.type) {
    case op_type::conv: conv(s, weights, params, arena); return true;
    case op_type::dense: dense(s, weights, params, arena); return true;
    case op_type::max_pool: max_pool(s, weights, params, arena); return true;
    case op_type::avg_pool: avg_pool(s, weights, params, arena); return true;
    case op_type::global_avg_pool: global_avg_pool(s, weights, params, arena); return true;
    case op_type::add: add(s, weights, params, arena); return true;
    case op_type::relu: relu(s, weights, params, arena); return true;
    case op_type::relu6: relu6(s, weights, params, arena); return true;
    case op_type::zero: zero(s, weights, params, arena); return true;
    case op_type::concat: concat(s, weights, params, arena); return true;
    case op_type::channel_shuffle: channel_shuffle(s, weights, params, arena); return true;
    case op_type::batch_norm: return false;
    }
    return false;
}

} // namespace nascent::deploy::int8
