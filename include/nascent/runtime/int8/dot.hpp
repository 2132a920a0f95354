// nascent/runtime/int8/dot.hpp - the int8 dot products of convolutions and dense layers.
//
// filters<Rows>(x, y0, y1, w, n, q, first, count, start): up to 32 filters on one or two rows of
// n bytes, requantised (conv_params). Built from dot2 (two rows, two filters, from pair_starts'
// starting sums), dot1 (one row, x - z_in) and requantize_sums: the scalar versions here, those
// of int8/dot_cortex_m_dsp.hpp and int8/dot_x86.hpp where they apply (the same results).
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/arch.hpp"
#include "nascent/runtime/int8/conv_params.hpp"
#include "nascent/runtime/int8/dot_cortex_m_dsp.hpp"
#include "nascent/runtime/int8/dot_x86.hpp"

namespace nascent::deploy::int8 {

namespace detail {

using namespace nascent::deploy::detail;

#if !NASCENT_RUNTIME_ARM_DSP && !NASCENT_RUNTIME_X86
/// sums[r * filter_chunk + o] = start[o] + sum over k < n of x_r[k] * w_o[k] (o, r < 2) for the
/// rows x_0 = x, x_1 = x + n and the filters w_0 = w, w_1 = w + n (two windows gathered one after
/// the other, two filters of OHWI). Out of line: the loop has the registers to itself.
[[gnu::noinline]] inline void dot2(const std::int8_t* x, const std::int8_t* w, int n, const std::int32_t* start, std::int32_t* sums) noexcept {
    std::int32_t a00 = start[0], a01 = start[1], a10 = a00, a11 = a01;
    const auto step = static_cast<std::size_t>(n);
    int k = 0;
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
    for (; k < n; ++k) {
        const std::int32_t u = x[k] - z;
        a0 = wrapping_add(a0, u * w[k]);
        a1 = wrapping_add(a1, u * w[w_step + static_cast<std::size_t>(k)]);
    }
    acc[0] = a0;
    acc[1] = a1;
}
#endif

#if !NASCENT_RUNTIME_ARM_DSP
/// start[o] = bias[o] - z * (sum of filter o's n weights) for `count` filters n bytes apart:
/// where a pair of pixels starts its sums of x * w (modulo 2^32, as every int32 sum here).
inline void pair_starts(const std::int8_t* w, int n, int count, const std::int32_t* bias, std::int32_t z, std::int32_t* start) noexcept {
    for (int o = 0; o < count; ++o, w += n) {
        std::uint32_t sum = 0;
        int k = 0;
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
    for (int o = 0; o < count; ++o) {
        const scaling scale(multiplier[o], static_cast<int>(shift[o]));
        y0[o] = clamped(scale(sums[o]) + z_out, lo, hi);
        if (y1 != nullptr) y1[o] = clamped(scale(sums[filter_chunk + o]) + z_out, lo, hi);
    }
}
#endif

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

} // namespace detail

} // namespace nascent::deploy::int8
