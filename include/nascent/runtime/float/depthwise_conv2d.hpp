// nascent/runtime/float/depthwise_conv2d.hpp - the float32 depthwise convolution (one input channel per group).
//
// Runs through runtime/depthwise.hpp's schedules (the row schedule first on SIMD hosts). In place
// (stride 1, out_c == in_c) with more than one tap, it keeps one output plane in its scratch:
// depthwise_in_place_scratch_bytes(out). Called by float32::conv (float/conv2d.hpp).
#pragma once

#include <cstddef>

#include "nascent/runtime/arch.hpp"
#include "nascent/runtime/depthwise.hpp"
#include "nascent/runtime/float/clamp.hpp"

namespace nascent::deploy::float32 {

/// Scratch of a depthwise step that runs in place (bytes): one output plane of floats.
[[nodiscard]] constexpr std::size_t depthwise_in_place_scratch_bytes(shape out) noexcept {
    return static_cast<std::size_t>(out.h) * static_cast<std::size_t>(out.w) * sizeof(float);
}

namespace detail {

using namespace nascent::deploy::detail;

/// The depthwise case of conv(): g.depthwise().
inline void depthwise_conv(const step& s, const conv_geometry& g, const float* x, float* y, const float* w, const float* bias,
                           clamp_range act, std::byte* arena) noexcept {
#if NASCENT_RUNTIME_VECTOR
    auto finish_row = [act](int, const float* sums, float* out, int count) {
        for (int l = 0; l < count; ++l) out[l] = act(sums[l]);
    };
    if (depthwise_rows(g, x, w, 0.0F, [bias](int oc) { return bias[oc]; }, finish_row, y, element_at<float>(arena, s.scratch_offset), s.in_place))
        return;
#endif
    depthwise(g, x, w, 0.0F, [bias](int oc) { return bias[oc]; }, [act](int, float acc) { return act(acc); }, y,
              element_at<float>(arena, s.scratch_offset), s.in_place);
}

} // namespace detail

} // namespace nascent::deploy::float32
