// nascent/runtime/kernel_rules.hpp - what each kernel needs, by op type and precision.
//
//     param_layout::count(op_type::conv, precision::int8, 16)          // 4 + 3 * 16 int32
//     conv_scratch_bytes(precision::int8, taps, filter_size, depthwise)  // bytes of arena
// The rules themselves stand next to the kernels (runtime/float/*.hpp, runtime/int8/*.hpp:
// <op>_param_count, conv_scratch_bytes, depthwise_in_place_scratch_bytes,
// channel_shuffle_scratch_bytes); this header only dispatches on the op type and precision, for
// the cost model (cost/lower.hpp) and the compiler (deploy/). Freestanding, constexpr.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/core/op_type.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/runtime/float/kernels.hpp"
#include "nascent/runtime/int8/kernels.hpp"

namespace nascent::deploy {

namespace param_layout {

/// Number of parameters of a step of type `t` with `out_channels` output channels.
[[nodiscard]] constexpr std::uint32_t count(op_type t, precision p, int out_channels) noexcept {
    const int c = out_channels;
    if (p == precision::float32) {
        switch (t) {
        case op_type::conv:
        case op_type::batch_norm: return float32::conv_param_count(c);  // batch norm runs as a 1x1 depthwise conv
        case op_type::dense: return float32::dense_param_count(c);
        case op_type::max_pool: return float32::max_pool_param_count(c);
        case op_type::avg_pool: return float32::avg_pool_param_count(c);
        case op_type::global_avg_pool: return float32::global_avg_pool_param_count(c);
        case op_type::add: return float32::add_param_count(c);
        case op_type::relu: return float32::relu_param_count(c);
        case op_type::relu6: return float32::relu6_param_count(c);
        case op_type::zero: return float32::zero_param_count(c);
        case op_type::concat: return float32::concat_param_count(c);
        case op_type::channel_shuffle: return float32::channel_shuffle_param_count(c);
        case op_type::hard_swish: return float32::hard_swish_param_count(c);
        }
        return 0U;
    }
    switch (t) {
    case op_type::conv:
    case op_type::batch_norm: return int8::conv_param_count(c);
    case op_type::dense: return int8::dense_param_count(c);
    case op_type::max_pool: return int8::max_pool_param_count(c);
    case op_type::avg_pool: return int8::avg_pool_param_count(c);
    case op_type::global_avg_pool: return int8::global_avg_pool_param_count(c);
    case op_type::add: return int8::add_param_count(c);
    case op_type::relu: return int8::relu_param_count(c);
    case op_type::relu6: return int8::relu6_param_count(c);
    case op_type::zero: return int8::zero_param_count(c);
    case op_type::concat: return int8::concat_param_count(c);
    case op_type::channel_shuffle: return int8::channel_shuffle_param_count(c);
    case op_type::hard_swish: return int8::hard_swish_param_count(c);
    }
    return 0U;
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
