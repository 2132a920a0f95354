// nascent/runtime/kernel_rules.hpp - what each kernel needs, by op type and precision.
//
//     param_layout::count(op_type::conv, precision::int8, 16)          // 4 + 3 * 16 int32
//     conv_scratch_bytes(precision::int8, taps, filter_size, depthwise)  // bytes of arena
// The rules themselves stand next to the kernels (runtime/float/*.hpp, runtime/int8/*.hpp): the
// parameter count is each runtime::kernel specialisation's param_count, read here for every op
// type; the scratch rules (conv_scratch_bytes, depthwise_in_place_scratch_bytes,
// channel_shuffle_scratch_bytes) are chosen by precision. For the cost model (cost/lower.hpp)
// and the compiler (deploy/). Freestanding, constexpr.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/core/op_type.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/runtime/float/kernels.hpp"
#include "nascent/runtime/kernel_contract.hpp"
#include "nascent/runtime/int8/kernels.hpp"

namespace nascent::deploy {

namespace param_layout {

/// Number of parameters of a step of type `t` with `out_channels` output channels: the rule its
/// kernel states (runtime::kernel<t, p>::param_count). A standalone batch norm runs as a 1x1
/// depthwise conv and counts as one; a type without a kernel has none.
[[nodiscard]] constexpr std::uint32_t count(op_type t, precision p, int out_channels) noexcept {
    if (t == op_type::batch_norm) t = op_type::conv;
    std::uint32_t n = 0;
    runtime::with_op_type(t, [&]<op_type T>() {
        if (p == precision::float32) {
            if constexpr (runtime::has_kernel<T, precision::float32>) n = runtime::kernel<T, precision::float32>::param_count(out_channels);
        } else {
            if constexpr (runtime::has_kernel<T, precision::int8>) n = runtime::kernel<T, precision::int8>::param_count(out_channels);
        }
    });
    return n;
}

} // namespace param_layout

/// Scratch bytes of a conv step out of place: its window of `taps` taps and `filter_size`
/// elements per filter (float/conv2d.hpp, int8/conv2d.hpp).
[[nodiscard]] constexpr std::size_t conv_scratch_bytes(precision p, int taps, int filter_size, bool depthwise) noexcept {
    return p == precision::int8 ? int8::conv_scratch_bytes(taps, filter_size, depthwise)
                                : float32::conv_scratch_bytes(taps, filter_size, depthwise);
}

/// Scratch bytes of a depthwise conv step that runs in place, of output extent `out`.
[[nodiscard]] constexpr std::size_t depthwise_in_place_scratch_bytes(precision p, shape out) noexcept {
    return p == precision::int8 ? int8::depthwise_in_place_scratch_bytes(out) : float32::depthwise_in_place_scratch_bytes(out);
}

/// Scratch bytes of a channel_shuffle step of `channels` channels.
[[nodiscard]] constexpr std::size_t channel_shuffle_scratch_bytes(precision p, int channels) noexcept {
    return p == precision::int8 ? int8::channel_shuffle_scratch_bytes(channels) : float32::channel_shuffle_scratch_bytes(channels);
}

} // namespace nascent::deploy
