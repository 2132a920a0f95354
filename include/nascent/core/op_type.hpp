// nascent/core/op_type.hpp - the vocabulary shared by the cost model and the deploy network:
// storage precision, the kinds of deploy kernel, their windows and fused activations.
//
//     op_type_name(op_type::hard_swish)   // "hard_swish": the enumerator's name (exported headers)
//     work_of(op_type::hard_swish)        // op_work::elementwise: its latency class (cost/latency.hpp)
// A new op type is one enumerator and one row of op_types below; its kernels state the rest
// (runtime/kernel_contract.hpp).
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
    hard_swish,       ///< standalone x * relu6(x + 3) / 6 (int8: a lookup table)
    hard_sigmoid,     ///< standalone relu6(x + 3) / 6 (int8: a lookup table)
    exit_gate         ///< an early exit's decision: reads the tensor and the exit's logits, passes the tensor on
};

/// The loop structure of an op type's kernel: what the latency model (cost/latency.hpp) costs it as.
enum class op_work : std::uint8_t {
    window,              ///< a convolution: im2col, pointwise or depthwise by its window
    matrix,              ///< every weight read once (dense)
    pooling,             ///< a reduction over a window
    binary_elementwise,  ///< two inputs, one output element each (add)
    elementwise,         ///< one input element per output element (activations)
    scale_shift,         ///< a per-channel scale and shift
    data_movement        ///< copies or fills without arithmetic
};

/// What is known of an op type before any kernel: its name and its work.
struct op_type_info {
    op_type type;
    const char* name;
    op_work work;
};

/// One row per op type, in enumerator order.
inline constexpr op_type_info op_types[] = {
    {op_type::conv, "conv", op_work::window},
    {op_type::dense, "dense", op_work::matrix},
    {op_type::batch_norm, "batch_norm", op_work::scale_shift},
    {op_type::max_pool, "max_pool", op_work::pooling},
    {op_type::avg_pool, "avg_pool", op_work::pooling},
    {op_type::global_avg_pool, "global_avg_pool", op_work::pooling},
    {op_type::add, "add", op_work::binary_elementwise},
    {op_type::relu, "relu", op_work::elementwise},
    {op_type::relu6, "relu6", op_work::elementwise},
    {op_type::zero, "zero", op_work::data_movement},
    {op_type::concat, "concat", op_work::data_movement},
    {op_type::channel_shuffle, "channel_shuffle", op_work::data_movement},
    {op_type::hard_swish, "hard_swish", op_work::elementwise},
    {op_type::hard_sigmoid, "hard_sigmoid", op_work::elementwise},
    {op_type::exit_gate, "exit_gate", op_work::data_movement},
};

/// Number of op types (at most 32: a program's set of types is a 32-bit mask).
inline constexpr std::size_t op_type_count = sizeof(op_types) / sizeof(op_types[0]);

static_assert(op_type_count <= 32, "nascent: at most 32 op types (deploy::types_of is a 32-bit mask)");
static_assert(
    [] {
        for (std::size_t i = 0; i < op_type_count; ++i)
            if (static_cast<std::size_t>(op_types[i].type) != i) return false;
        return true;
    }(),
    "nascent: op_types lists every op_type once, in enumerator order");

/// The enumerator's name of op type t ("conv", "hard_swish", ...).
[[nodiscard]] constexpr const char* op_type_name(op_type t) noexcept {
    const auto i = static_cast<std::size_t>(t);
    return i < op_type_count ? op_types[i].name : "unknown";
}

/// The work of op type t's kernel.
[[nodiscard]] constexpr op_work work_of(op_type t) noexcept {
    const auto i = static_cast<std::size_t>(t);
    return i < op_type_count ? op_types[i].work : op_work::data_movement;
}

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
