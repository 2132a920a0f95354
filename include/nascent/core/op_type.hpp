// nascent/core/op_type.hpp - the vocabulary shared by the cost model and the deploy network:
// storage precision, the kinds of deploy kernel, their windows and fused activations.
//
// Freestanding: nothing here needs more than <cstddef> and <cstdint>, so the deploy
// headers that run on a microcontroller can include it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nascent {

/// Storage type of weights and activations on the device.
enum class precision : std::uint8_t { float32, int8 };

/// Bytes of one activation element.
[[nodiscard]] constexpr std::size_t element_bytes(precision p) noexcept { return p == precision::int8 ? 1 : 4; }

/// What the deploy kernel of an op computes.
enum class op_type : std::uint8_t {
    conv,             ///< any window convolution: conv2d, grouped, depthwise, asymmetric, dilated
    dense,
    batch_norm,       ///< standalone: a per-channel scale and shift
    max_pool,
    avg_pool,
    global_avg_pool,
    add,
    relu,             ///< standalone activations
    relu6,
    zero,             ///< writes zeros of the output's shape
    concat,           ///< [input 0, input 1] along channels
    channel_shuffle,  ///< channel (g, i) of `groups` groups moves to (i, g)
    hard_swish        ///< standalone x * relu6(x + 3) / 6 (int8: a lookup table)
};

/// An activation run inside the kernel of the op before it (an output clamp).
enum class fused_activation : std::uint8_t { none, relu, relu6 };

/// Window of a convolution or pooling op; `groups` is also channel_shuffle's group count.
struct op_window {
    int kernel_h = 1;
    int kernel_w = 1;
    int stride = 1;
    int dilation = 1;
    int groups = 1;
    int pad_top = 0;
    int pad_left = 0;
    friend constexpr bool operator==(const op_window&, const op_window&) = default;
};

} // namespace nascent
