// nascent/runtime/int8/depthwise_conv2d.hpp - the int8 depthwise convolution (one input channel per group).
//
// Runs through runtime/depthwise.hpp's schedules (the row schedule first on SIMD hosts, its
// requantisation in AVX2 lanes). In place (stride 1, out_c == in_c) with more than one tap, it
// keeps one int8 output plane in its scratch: depthwise_in_place_scratch_bytes(out). Called by
// int8::conv (int8/conv2d.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/arch.hpp"
#include "nascent/runtime/depthwise.hpp"
#include "nascent/runtime/int8/conv_params.hpp"
#include "nascent/runtime/int8/simd_x86.hpp"

namespace nascent::deploy::int8 {

/// Scratch of a depthwise step that runs in place (bytes): one output plane of int8.
[[nodiscard]] constexpr std::size_t depthwise_in_place_scratch_bytes(shape out) noexcept {
    return static_cast<std::size_t>(out.h) * static_cast<std::size_t>(out.w);
}

namespace detail {

using namespace nascent::deploy::detail;

/// The depthwise case of conv(): g.depthwise().
inline void depthwise_conv(const step& s, const conv_geometry& g, const std::int8_t* x, std::int8_t* y, const std::int8_t* w,
                           const conv_params& q, std::byte* arena) noexcept {
#if NASCENT_RUNTIME_VECTOR
    // Rows of 8 outputs; their requantisation in one go on AVX2 (conv_params::plain).
    auto finish_row = [&q](int oc, const std::int32_t* sums, std::int8_t* out, int count) {
        const scaling scale = q.scale(oc);
#if NASCENT_RUNTIME_X86 == 2
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

} // namespace detail

} // namespace nascent::deploy::int8
