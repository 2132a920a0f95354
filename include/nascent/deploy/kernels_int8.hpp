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
// No float anywhere; the inner loops accumulate int32 products of int16 operands (a multiply-add
// of 16-bit pairs on hosts, SMLAD on Cortex-M4 and other cores with the DSP extension).
//
// The geometry helpers both precisions share (deploy::detail) live in kernels_float.hpp; no float
// kernel is compiled into a firmware that does not call one.
//
// Memory: as the float32 kernels, but a conv's window gathers two output pixels' windows of
// int8 (2 * kernel_h * kernel_w * in_c / groups bytes, half the contract's two int16 columns),
// padded with z_in; an in-place depthwise plane holds int8 outputs (out.h * out.w bytes).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nascent/deploy/fixed_point.hpp"
#include "nascent/deploy/kernels_float.hpp"
#include "nascent/deploy/program.hpp"

#if defined(__GNUC__) && defined(__ARM_FEATURE_SIMD32) && defined(__ARM_FEATURE_UNALIGNED)
#define NASCENT_DEPLOY_SIMD32 1
#else
#define NASCENT_DEPLOY_SIMD32 0
#endif

namespace nascent::deploy::int8 {

namespace detail {

using namespace nascent::deploy::detail;

#if NASCENT_DEPLOY_SIMD32
/// Bytes 0 and 2 of v, sign-extended into two halfwords.
inline std::int32_t even_bytes(std::int32_t v) noexcept { return __builtin_arm_sxtb16(v); }
/// Bytes 1 and 3 of v, sign-extended into two halfwords.
inline std::int32_t odd_bytes(std::int32_t v) noexcept {
    std::int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}
#endif

/// acc[2 * r + o] = sum over k < n of (x[r][k] - z) * w_o[k], for Rows (1 or 2) rows and the
/// filters w0, w1.
template <int Rows>
inline void mac_block(const std::int8_t* const* x, const std::int8_t* w0, const std::int8_t* w1, int n, std::int32_t z,
                      std::int32_t* acc) noexcept {
    static_assert(Rows == 1 || Rows == 2, "mac_block<Rows>: one or two rows");
    const std::int8_t* x0 = x[0];
    const std::int8_t* x1 = x[Rows - 1];
    std::int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0;
#if NASCENT_DEPLOY_SIMD32
    // Four bytes at a time: even and odd bytes as halfword pairs, two SMLADs per filter and row
    // (both operands split the same way, so the products pair up).
    const std::int32_t offsets = static_cast<std::int32_t>((static_cast<std::uint32_t>(-z) & 0xFFFFU) * 0x10001U);
    // Order: both rows' halves first, then one filter at a time (fewest live registers).
    for (const std::int8_t* end = x0 + (n & ~3); x0 != end;) {
        std::int32_t u, v;
        std::memcpy(&u, x0, 4);
        x0 += 4;
        const std::int32_t u0e = __builtin_arm_sadd16(even_bytes(u), offsets);
        const std::int32_t u0o = __builtin_arm_sadd16(odd_bytes(u), offsets);
        std::int32_t u1e = 0, u1o = 0;
        if constexpr (Rows == 2) {
            std::memcpy(&u, x1, 4);
            x1 += 4;
            u1e = __builtin_arm_sadd16(even_bytes(u), offsets);
            u1o = __builtin_arm_sadd16(odd_bytes(u), offsets);
        }
        std::memcpy(&v, w0, 4);
        w0 += 4;
        std::int32_t ve = even_bytes(v), vo = odd_bytes(v);
        a00 = __builtin_arm_smlad(u0o, vo, __builtin_arm_smlad(u0e, ve, a00));
        if constexpr (Rows == 2) a10 = __builtin_arm_smlad(u1o, vo, __builtin_arm_smlad(u1e, ve, a10));
        std::memcpy(&v, w1, 4);
        w1 += 4;
        ve = even_bytes(v);
        vo = odd_bytes(v);
        a01 = __builtin_arm_smlad(u0o, vo, __builtin_arm_smlad(u0e, ve, a01));
        if constexpr (Rows == 2) a11 = __builtin_arm_smlad(u1o, vo, __builtin_arm_smlad(u1e, ve, a11));
    }
    n &= 3;
#endif
    const auto zz = static_cast<std::int16_t>(z);
    for (int k = 0; k < n; ++k) {
        const std::int16_t v0 = w0[k], v1 = w1[k];
        const auto u0 = static_cast<std::int16_t>(x0[k] - zz);
        a00 += u0 * v0;
        a01 += u0 * v1;
        if constexpr (Rows == 2) {
            const auto u1 = static_cast<std::int16_t>(x1[k] - zz);
            a10 += u1 * v0;
            a11 += u1 * v1;
        }
    }
    acc[0] = a00;
    acc[1] = a01;
    if constexpr (Rows == 2) {
        acc[2] = a10;
        acc[3] = a11;
    }
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

    /// Output channel oc's int8 value for the accumulated sum acc (bias not included).
    [[nodiscard]] std::int8_t operator()(int oc, std::int32_t acc) const noexcept {
        return static_cast<std::int8_t>(requantize(acc + bias[oc], multiplier[oc], shift[oc], z_out, lo, hi));
    }
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
    return q;
}

/// y_r[o] = q(first + o, x_r . w[o]) for o < count and Rows rows; filters `n` long and
/// `filter_stride` apart, two at a time.
template <int Rows>
inline void filters_block(const std::int8_t* const* x, std::int8_t* const* y, const std::int8_t* w, const conv_params& q,
                          int first, int count, int n, std::size_t filter_stride) noexcept {
    std::int32_t acc[2 * Rows];
    for (int o = 0; o < count; o += 2) {
        const std::int8_t* w0 = w + static_cast<std::size_t>(o) * filter_stride;
        const bool pair = o + 1 < count;
        mac_block<Rows>(x, w0, pair ? w0 + filter_stride : w0, n, q.z_in, acc);
        for (int r = 0; r < Rows; ++r) {
            y[r][o] = q(first + o, acc[2 * r]);
            if (pair) y[r][o + 1] = q(first + o + 1, acc[2 * r + 1]);
        }
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
        depthwise(g, x, w, q.z_in, [](int) { return std::int32_t{0}; }, [&q](int oc, std::int32_t acc) { return q(oc, acc); }, y,
                  element_at<std::int8_t>(arena, s.scratch_offset), s.in_place);
        return;
    }
    const int n = pixels(g.out);
    const auto out_stride = static_cast<std::size_t>(g.out_stride);
    const auto cg = static_cast<std::size_t>(g.in_per_group);
    const auto og = static_cast<std::size_t>(g.out_per_group);
    const auto filter = static_cast<std::size_t>(g.window);
    if (g.taps == 1) {
        // A matrix product, two output pixels at a time, straight from the input.
        const auto in_stride = static_cast<std::size_t>(g.in_stride);
        for (int p = 0; p < n; p += 2) {
            const int count = p + 1 < n ? 2 : 1;
            int source[2] = {pointwise_source(g, p), count == 2 ? pointwise_source(g, p + 1) : 0};
            std::int8_t* out[2] = {y + static_cast<std::size_t>(p) * out_stride,
                                   y + static_cast<std::size_t>(count == 2 ? p + 1 : p) * out_stride};
            for (int r = 0; r < count; ++r)
                if (source[r] < 0) {  // padding: the bias alone
                    for (int c = 0; c < g.out.c; ++c) out[r][c] = q(c, 0);
                }
            for (int grp = 0; grp < g.groups; ++grp) {
                const std::size_t in_first = static_cast<std::size_t>(grp) * cg;
                const std::size_t out_first = static_cast<std::size_t>(grp) * og;
                const std::int8_t* xs[2] = {x + static_cast<std::size_t>(source[0] < 0 ? 0 : source[0]) * in_stride + in_first,
                                            x + static_cast<std::size_t>(source[1] < 0 ? 0 : source[1]) * in_stride + in_first};
                std::int8_t* ys[2] = {out[0] + out_first, out[1] + out_first};
                const std::int8_t* wg = w + out_first * filter;
                const int first = static_cast<int>(out_first);
                if (count == 2 && source[0] >= 0 && source[1] >= 0) {
                    filters_block<2>(xs, ys, wg, q, first, g.out_per_group, g.window, filter);
                } else {
                    for (int r = 0; r < count; ++r)
                        if (source[r] >= 0) filters_block<1>(xs + r, ys + r, wg, q, first, g.out_per_group, g.window, filter);
                }
            }
        }
        return;
    }
    // Windows of two output pixels at a time, gathered into scratch (padded with z_in).
    std::int8_t* col[2] = {element_at<std::int8_t>(arena, s.scratch_offset),
                           element_at<std::int8_t>(arena, s.scratch_offset) + filter};
    const auto pad = static_cast<std::int8_t>(q.z_in);
    for (int p = 0; p < n; p += 2) {
        const int count = p + 1 < n ? 2 : 1;
        std::int8_t* yp = y + static_cast<std::size_t>(p) * out_stride;
        for (int grp = 0; grp < g.groups; ++grp) {
            const std::size_t out_first = static_cast<std::size_t>(grp) * og;
            for (int r = 0; r < count; ++r) gather_window(g, x, (p + r) / g.out.w, (p + r) % g.out.w, grp, pad, col[r]);
            const std::int8_t* xs[2] = {col[0], col[1]};
            std::int8_t* ys[2] = {yp + out_first, yp + out_stride + out_first};
            const std::int8_t* wg = w + out_first * filter;
            const int first = static_cast<int>(out_first);
            if (count == 2) filters_block<2>(xs, ys, wg, q, first, g.out_per_group, g.window, filter);
            else filters_block<1>(xs, ys, wg, q, first, g.out_per_group, g.window, filter);
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
        const std::int8_t* xs[1] = {x};
        std::int8_t* ys[1] = {y};
        filters_block<1>(xs, ys, w, q, 0, units, features, static_cast<std::size_t>(features));
        return;
    }
    // A channel slice of a wider buffer: pixel by pixel.
    const auto f = static_cast<std::size_t>(features);
    for (int u = 0; u < units; ++u) {
        std::int32_t acc = 0;
        const std::int8_t* wu = w + static_cast<std::size_t>(u) * f;
        for (int p = 0; p < pixels(in); ++p)
            for (int c = 0; c < in.c; ++c)
                acc += (x[static_cast<std::size_t>(p) * static_cast<std::size_t>(stride_of(s.in[0])) + static_cast<std::size_t>(c)] - q.z_in) *
                       wu[static_cast<std::size_t>(p) * static_cast<std::size_t>(in.c) + static_cast<std::size_t>(c)];
        y[u] = q(u, acc);
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
