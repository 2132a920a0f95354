// nascent/runtime/float/conv2d_simd.hpp - float32 convolution of short filters in vector lanes (SIMD hosts).
//
// conv_lanes(): 16 output channels per block in the lanes, for filters of at most lane_filter
// weights. Empty unless NASCENT_RUNTIME_VECTOR (runtime/arch.hpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "nascent/runtime/arch.hpp"
#include "nascent/runtime/float/clamp.hpp"

namespace nascent::deploy::float32 {

#if NASCENT_RUNTIME_VECTOR
namespace detail {

using namespace nascent::deploy::detail;

/// SIMD hosts: a convolution whose filters hold at most `lane_filter` weights runs output channel
/// by output channel in vector lanes (16 channels per block, two vectors of 8), so that short
/// filters (1x1 convolutions of few input channels, a first 3x3 layer of one input channel) use
/// whole vectors: per output pixel, its window (zero over the padding, as the definition) times
/// the block's weights transposed to [k][channel] (16 KB of stack), bias first, then k in order;
/// four output pixels at a time (the first window in the step's scratch when it has one, the
/// others on the stack).
inline constexpr int lane_filter = 256;
inline constexpr int lane_block = 16;

inline void conv_lanes(const conv_geometry& g, const float* x, float* y, const float* w, const float* bias, clamp_range act, float* scratch) noexcept {
    typedef float lanes __attribute__((vector_size(8 * sizeof(float))));
    constexpr int batch = 4;  // output pixels at a time: independent sums for the multiply-add pipeline
    const int n = g.window;
    const int np = pixels(g.out);
    const auto cg = static_cast<std::size_t>(g.in_per_group);
    const auto in_stride = static_cast<std::size_t>(g.in_stride);
    const auto out_stride = static_cast<std::size_t>(g.out_stride);
    alignas(32) float wt[lane_filter][lane_block];
    alignas(32) float own[batch][lane_filter];
    float* window[batch] = {g.taps > 1 ? scratch : own[0], own[1], own[2], own[3]};  // the first in the scratch, when there is one
    const lanes lo = lanes{} + act.lo, hi = lanes{} + act.hi;
    for (int grp = 0; grp < g.groups; ++grp)
        for (int c0 = 0; c0 < g.out_per_group; c0 += lane_block) {
            const int count = std::min(lane_block, g.out_per_group - c0);
            const int first = grp * g.out_per_group + c0;
            for (int k = 0; k < n; ++k)
                for (int c = 0; c < lane_block; ++c)
                    wt[k][c] = c < count ? w[static_cast<std::size_t>(first + c) * static_cast<std::size_t>(n) + static_cast<std::size_t>(k)] : 0.0F;
            alignas(32) float start[lane_block] = {};
            for (int c = 0; c < count; ++c) start[c] = bias[first + c];
            for (int p0 = 0; p0 < np; p0 += batch) {
                const int pixels_now = std::min(batch, np - p0);
                for (int b = 0; b < batch; ++b) {
                    // The window of pixel p0 + b (the last one again past the end).
                    const int p = p0 + std::min(b, pixels_now - 1);
                    const int ih0 = p / g.out.w * g.stride - g.pad_top, iw0 = p % g.out.w * g.stride - g.pad_left;
                    float* dst = window[b];
                    for (int i = 0; i < g.kernel_h; ++i) {
                        const int ih = ih0 + i * g.dilation;
                        for (int j = 0; j < g.kernel_w; ++j, dst += cg) {
                            const int iw = iw0 + j * g.dilation;
                            if (ih < 0 || ih >= g.in.h || iw < 0 || iw >= g.in.w) {
                                std::fill(dst, dst + cg, 0.0F);
                                continue;
                            }
                            std::memcpy(dst,
                                        x + (static_cast<std::size_t>(ih) * static_cast<std::size_t>(g.in.w) + static_cast<std::size_t>(iw)) * in_stride +
                                            static_cast<std::size_t>(grp) * cg,
                                        cg * sizeof(float));
                        }
                    }
                }
                lanes s[batch][2];
                for (int b = 0; b < batch; ++b) {
                    std::memcpy(&s[b][0], start, sizeof(lanes));
                    std::memcpy(&s[b][1], start + 8, sizeof(lanes));
                }
                for (int k = 0; k < n; ++k) {
                    lanes v0, v1;
                    std::memcpy(&v0, wt[k], sizeof v0);
                    std::memcpy(&v1, wt[k] + 8, sizeof v1);
                    for (int b = 0; b < batch; ++b) {
                        s[b][0] += window[b][k] * v0;
                        s[b][1] += window[b][k] * v1;
                    }
                }
                for (int b = 0; b < pixels_now; ++b) {
                    alignas(32) float out[lane_block];
                    for (int h = 0; h < 2; ++h) {
                        lanes v = s[b][h] < lo ? lo : s[b][h];
                        v = v > hi ? hi : v;
                        std::memcpy(out + 8 * h, &v, sizeof v);
                    }
                    std::memcpy(y + static_cast<std::size_t>(p0 + b) * out_stride + static_cast<std::size_t>(first), out,
                                static_cast<std::size_t>(count) * sizeof(float));
                }
            }
        }
}

} // namespace detail
#endif

} // namespace nascent::deploy::float32
