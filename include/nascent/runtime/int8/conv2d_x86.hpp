// nascent/runtime/int8/conv2d_x86.hpp - the int8 convolution of short filters in AVX2 lanes (x86 hosts).
//
// conv_lanes(): 16 output channels per block in the lanes, for filters of at most lane_filter
// bytes (1x1 convolutions of few input channels, a first layer of one input channel), the
// requantisation vectorised (simd_x86.hpp's requantize8). Empty unless NASCENT_RUNTIME_X86 == 2.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "nascent/runtime/arch.hpp"
#include "nascent/runtime/int8/conv_params.hpp"
#include "nascent/runtime/int8/simd_x86.hpp"

namespace nascent::deploy::int8 {

#if NASCENT_RUNTIME_X86 == 2
namespace detail {

using namespace nascent::deploy::detail;

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

} // namespace detail
#endif

} // namespace nascent::deploy::int8
