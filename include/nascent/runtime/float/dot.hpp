// nascent/runtime/float/dot.hpp - the float32 dot products of convolutions and dense layers.
//
// filters_block<Rows>(x, y, w, bias, count, n, filter_stride, act): y_r[o] = act(bias[o] + x_r . w_o)
// for one or two rows, two filters per pass (GCC vectors of 8 lanes on SIMD hosts).
#pragma once

#include <cstddef>
#include <cstring>

#include "nascent/runtime/arch.hpp"
#include "nascent/runtime/float/clamp.hpp"

namespace nascent::deploy::float32 {

namespace detail {

using namespace nascent::deploy::detail;

/// acc[2 * r + o] = sum over k < n of x[r][k] * w_o[k], for Rows (1 or 2) rows and the filters
/// w0, w1.
template <int Rows>
inline void dot_block(const float* const* x, const float* w0, const float* w1, int n, float* acc) noexcept {
    static_assert(Rows == 1 || Rows == 2, "dot_block<Rows>: one or two rows");
    const float* x0 = x[0];
    const float* x1 = x[Rows - 1];
    float s00 = 0.0F, s01 = 0.0F, s10 = 0.0F, s11 = 0.0F;
#if NASCENT_RUNTIME_VECTOR
    typedef float lanes __attribute__((vector_size(32)));
    lanes a00 = {}, a01 = {}, a10 = {}, a11 = {};
    for (; n >= 8; n -= 8, x0 += 8, x1 += 8, w0 += 8, w1 += 8) {
        lanes u, v0, v1;
        std::memcpy(&v0, w0, sizeof v0);
        std::memcpy(&v1, w1, sizeof v1);
        std::memcpy(&u, x0, sizeof u);
        a00 += u * v0;
        a01 += u * v1;
        if constexpr (Rows == 2) {
            std::memcpy(&u, x1, sizeof u);
            a10 += u * v0;
            a11 += u * v1;
        }
    }
    for (int l = 0; l < 8; ++l) {
        s00 += a00[l];
        s01 += a01[l];
        s10 += a10[l];
        s11 += a11[l];
    }
#endif
    for (int k = 0; k < n; ++k) {
        const float v0 = w0[k], v1 = w1[k];
        s00 += x0[k] * v0;
        s01 += x0[k] * v1;
        if constexpr (Rows == 2) {
            s10 += x1[k] * v0;
            s11 += x1[k] * v1;
        }
    }
    acc[0] = s00;
    acc[1] = s01;
    if constexpr (Rows == 2) {
        acc[2] = s10;
        acc[3] = s11;
    }
}

/// y_r[o] = clamp(bias[o] + x_r . w[o]) for o < count and Rows rows; filters are `n` long and
/// `filter_stride` apart, taken two at a time.
template <int Rows>
inline void filters_block(const float* const* x, float* const* y, const float* w, const float* bias, int count, int n,
                          std::size_t filter_stride, clamp_range act) noexcept {
    float acc[2 * Rows];
    for (int o = 0; o < count; o += 2) {
        const float* w0 = w + static_cast<std::size_t>(o) * filter_stride;
        const bool pair = o + 1 < count;
        dot_block<Rows>(x, w0, pair ? w0 + filter_stride : w0, n, acc);
        for (int r = 0; r < Rows; ++r) {
            y[r][o] = act(acc[2 * r] + bias[o]);
            if (pair) y[r][o + 1] = act(acc[2 * r + 1] + bias[o + 1]);
        }
    }
}

} // namespace detail

} // namespace nascent::deploy::float32
