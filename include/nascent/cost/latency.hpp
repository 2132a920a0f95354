// nascent/cost/latency.hpp - estimated inference time on a Cortex-M4 class microcontroller.
//
// Each op of the deploy graph costs, in cycles, a linear function of its work:
//     per_call + per_mac * MACs + per_input_byte * activation bytes read
//   + per_output_byte * bytes written + per_weight_byte * flash bytes read
//   + per_output_pixel * output positions + per_output_channel * output channels
//   + per_gathered_element * im2col elements (output positions x window)
// with one set of coefficients per kernel class (k x k convolution through im2col,
// 1x1 convolution, depthwise, dense, pooling, add, standalone activation, standalone
// batch norm) and precision. The class is the op type's work (op_work, core/op_type.hpp) and,
// for a convolution, its window: depthwise when it has a group per input channel, pointwise
// when 1x1, im2col otherwise. Data movement (zero, concat, channel shuffle) has a class of its own.
//
// cortex_m4() is a first estimate from the inner loops of CMSIS-NN's int8 kernels (SMLAD:
// two 16-bit MACs per cycle) and of plain FPU loops for float32 (VFMA.F32: 3 cycles), on a
// single-issue core without data cache, at 168 MHz (STM32F407) with flash wait states
// hidden in part by the prefetcher; docs/cost.md explains each coefficient. It is a
// table of plain numbers: replace it, or fit it to measured cycle counts, and pass yours.
// The single-core model ignores overlap between ops (there is none on the device) and
// cache effects (the M4 has none beyond the flash accelerator).
#pragma once

#include <cstddef>
#include <vector>

#include "nascent/core/shape.hpp"
#include "nascent/cost/graph.hpp"
#include "nascent/cost/lower.hpp"

namespace nascent::cost {

/// Cycle coefficients of one kernel (see the top of this header).
struct kernel_cost {
    double per_call = 0;              ///< fixed: call, argument checks, loop set-up
    double per_mac = 0;               ///< per multiply-accumulate: the inner loop
    double per_input_byte = 0;        ///< per byte of activations read (each input tensor once)
    double per_output_byte = 0;       ///< per byte written: requantisation or bias and clamp, store
    double per_weight_byte = 0;       ///< per byte of weights and quantisation parameters fetched from flash
    double per_output_pixel = 0;      ///< per output position (h x w): loop and pointer set-up, padding checks
    double per_output_channel = 0;    ///< per output channel: per-channel parameters
    double per_gathered_element = 0;  ///< im2col: per element copied into the window buffer
};

/// The kernel classes of one precision.
struct kernel_table {
    kernel_cost convolution;  ///< k x k convolution through im2col (the op has kernel scratch)
    kernel_cost pointwise;    ///< 1x1 convolution: a matrix product on the input itself
    kernel_cost depthwise;    ///< depthwise (one filter per channel)
    kernel_cost dense;        ///< fully connected: every weight read once
    kernel_cost pooling;      ///< max, average and global average pooling (a MAC per window element)
    kernel_cost add;          ///< element-wise add of two tensors
    kernel_cost activation;   ///< standalone relu / relu6 (a fused one is free: the kernel's clamp)
    kernel_cost batch_norm;   ///< standalone per-channel scale and shift
    kernel_cost other;        ///< any other weightless kind: data movement (zero, concat, shuffle, ...)
};

/// Coefficients for both precisions and the clock that turns cycles into time.
struct cost_table {
    kernel_table int8;
    kernel_table float32;
    double clock_hz = 168e6;
};

/// The Cortex-M4 estimate: CMSIS-NN int8 kernels, FPU float32 loops, 168 MHz. See docs/cost.md.
[[nodiscard]] constexpr cost_table cortex_m4() noexcept {
    cost_table t;
    t.clock_hz = 168e6;
    kernel_table& q = t.int8;
    // arm_convolve_s8: im2col to int16 (arm_q7_to_q15_with_offset, about 1.5 cycles an element),
    // then 2 output channels x 2 columns per pass: 8 SMLAD (16 MACs) with 2 weight words
    // sign-extended (LDR + 2 SXTB16 each) and 4 column loads, about 24 cycles with the loop.
    q.convolution = {.per_call = 300, .per_mac = 1.5, .per_output_byte = 12, .per_output_pixel = 20, .per_gathered_element = 1.5};
    // arm_convolve_1x1_s8_fast: the same product on the int8 input itself, both operands
    // sign-extended in the loop (8 SXTB16 per 16 MACs).
    q.pointwise = {.per_call = 200, .per_mac = 1.4, .per_output_byte = 12, .per_output_pixel = 10};
    // arm_depthwise_conv_s8_opt: 4 channels at a time, window re-gathered per pixel, pairs of
    // taps per SMLAD; fewer MACs per loaded word than a convolution.
    q.depthwise = {.per_call = 300, .per_mac = 2.0, .per_output_byte = 12, .per_output_pixel = 30};
    // arm_fully_connected_s8: 2 rows per pass, 4 inputs: 8 MACs in about 14 cycles; every
    // weight byte comes from flash once (wait states not covered by the prefetcher).
    q.dense = {.per_call = 200, .per_mac = 1.8, .per_output_byte = 12, .per_weight_byte = 0.25};
    // arm_max_pool_s8 / arm_avgpool_s8: 4 lanes per compare or add (QSUB8 + SEL, SADD16).
    q.pooling = {.per_call = 200, .per_mac = 1.0, .per_output_byte = 4, .per_output_pixel = 20};
    // arm_elementwise_add_s8: both inputs and the output requantised, about 20 cycles an element.
    q.add = {.per_call = 100, .per_output_byte = 20};
    // arm_relu6_s8 and friends: 4 lanes per word.
    q.activation = {.per_call = 50, .per_output_byte = 1};
    // a per-channel requantisation of every element
    q.batch_norm = {.per_call = 100, .per_output_byte = 12};
    q.other = {.per_call = 50, .per_output_byte = 0.5};
    kernel_table& f = t.float32;
    // FPU loops: VFMA.F32 takes 3 cycles, VLDR 1-2; about 4.5 cycles a MAC with register blocking.
    // The output costs bias, clamp and store (about 5 cycles an element, 4 bytes).
    f.convolution = {.per_call = 300, .per_mac = 4.5, .per_output_byte = 1.25, .per_output_pixel = 20, .per_gathered_element = 2};
    f.pointwise = {.per_call = 200, .per_mac = 4.5, .per_output_byte = 1.25, .per_output_pixel = 10};
    f.depthwise = {.per_call = 300, .per_mac = 5.0, .per_output_byte = 1.25, .per_output_pixel = 30};
    f.dense = {.per_call = 200, .per_mac = 4.5, .per_output_byte = 1.25, .per_weight_byte = 0.25};
    f.pooling = {.per_call = 200, .per_mac = 4.0, .per_output_byte = 1.25, .per_output_pixel = 20};
    f.add = {.per_call = 100, .per_output_byte = 1.5};
    f.activation = {.per_call = 50, .per_output_byte = 1.25};
    f.batch_norm = {.per_call = 100, .per_output_byte = 1.75};
    f.other = {.per_call = 50, .per_output_byte = 0.5};
    return t;
}

/// The Cortex-M4 table as a value, for code that wants to start from it and change a few entries.
inline constexpr cost_table cortex_m4_table = cortex_m4();

/// The kernel classes of the latency model.
enum class kernel_class { convolution, pointwise, depthwise, dense, pooling, add, activation, batch_norm, other };

/// The estimate for a whole graph. No containers: it can be a constexpr variable.
struct latency {
    double cycles = 0;
    double clock_hz = 168e6;
    int slowest_op = -1;  ///< the op of most cycles (-1 for a graph without ops)
    double slowest_op_cycles = 0;

    [[nodiscard]] constexpr double seconds() const noexcept { return cycles / clock_hz; }
    [[nodiscard]] constexpr double milliseconds() const noexcept { return 1e3 * cycles / clock_hz; }
    /// Milliseconds at another clock (the cycle count does not change: the table's flash wait
    /// states are those of its own clock).
    [[nodiscard]] constexpr double milliseconds_at(double hz) const noexcept { return 1e3 * cycles / hz; }
};

namespace detail {

constexpr const kernel_cost& coefficients(const kernel_table& t, kernel_class c) noexcept {
    switch (c) {
    case kernel_class::convolution: return t.convolution;
    case kernel_class::pointwise: return t.pointwise;
    case kernel_class::depthwise: return t.depthwise;
    case kernel_class::dense: return t.dense;
    case kernel_class::pooling: return t.pooling;
    case kernel_class::add: return t.add;
    case kernel_class::activation: return t.activation;
    case kernel_class::batch_norm: return t.batch_norm;
    case kernel_class::other: break;
    }
    return t.other;
}

} // namespace detail

/// The precision a graph was lowered at, read from its input tensor.
[[nodiscard]] constexpr precision precision_of(const graph& g) noexcept {
    return g.element;
}

/// The kernel class of op `k` of `g`, from its op type's work (core/op_type.hpp) and window: a
/// convolution with a window larger than 1x1 that is not depthwise takes the im2col path; a 1x1
/// one is a product.
[[nodiscard]] constexpr kernel_class classify(const graph& g, std::size_t k) noexcept {
    const op_node& o = g.ops[k];
    switch (work_of(o.type)) {
    case op_work::window: {
        const int in_c = o.input_extent[0].c;
        if (o.window.groups > 1 && o.window.groups == in_c) return kernel_class::depthwise;
        return o.window.kernel_h * o.window.kernel_w > 1 ? kernel_class::convolution : kernel_class::pointwise;
    }
    case op_work::matrix: return kernel_class::dense;
    case op_work::pooling: return kernel_class::pooling;
    case op_work::binary_elementwise: return kernel_class::add;
    case op_work::elementwise: return kernel_class::activation;
    case op_work::scale_shift: return kernel_class::batch_norm;
    case op_work::data_movement: break;
    }
    return kernel_class::other;
}

/// Estimated cycles of op `k` of `g`.
[[nodiscard]] constexpr double op_cycles(const graph& g, std::size_t k, const cost_table& table = cortex_m4()) noexcept {
    const op_node& o = g.ops[k];
    const kernel_table& kernels = precision_of(g) == precision::int8 ? table.int8 : table.float32;
    const kernel_class c = classify(g, k);
    const kernel_cost& a = detail::coefficients(kernels, c);
    const auto element = static_cast<double>(element_bytes(g.element));
    const shape out = o.output_extent;
    double input_bytes = 0;
    for (int i = 0; i < o.input_count(); ++i) input_bytes += static_cast<double>(o.input_extent[i].size()) * element;
    const double output_bytes = static_cast<double>(out.size()) * element;
    const auto pixels = static_cast<double>(out.h) * static_cast<double>(out.w);
    const auto channels = static_cast<double>(out.c);
    const auto macs = static_cast<double>(o.macs);
    // im2col copies each output position's window: MACs / output channels elements in all.
    const double gathered = c == kernel_class::convolution && channels > 0 ? macs / channels : 0.0;
    return a.per_call + a.per_mac * macs + a.per_input_byte * input_bytes + a.per_output_byte * output_bytes +
           a.per_weight_byte * static_cast<double>(o.weight_bytes) + a.per_output_pixel * pixels + a.per_output_channel * channels +
           a.per_gathered_element * gathered;
}

/// Estimated cycles of every op, by op index.
[[nodiscard]] constexpr std::vector<double> op_cycles(const graph& g, const cost_table& table = cortex_m4()) {
    std::vector<double> cycles(g.ops.size(), 0.0);
    for (std::size_t k = 0; k < g.ops.size(); ++k) cycles[k] = op_cycles(g, k, table);
    return cycles;
}

/// Estimated time of one inference of `g`.
[[nodiscard]] constexpr latency estimate(const graph& g, const cost_table& table = cortex_m4()) noexcept {
    latency l;
    l.clock_hz = table.clock_hz;
    for (std::size_t k = 0; k < g.ops.size(); ++k) {
        const double c = op_cycles(g, k, table);
        l.cycles += c;
        if (l.slowest_op < 0 || c > l.slowest_op_cycles) {
            l.slowest_op = static_cast<int>(k);
            l.slowest_op_cycles = c;
        }
    }
    return l;
}

/// Estimated time of network `Net` on inputs of shape `input` at precision `p`.
template <class Net>
[[nodiscard]] constexpr latency latency_of(shape input, precision p, const cost_table& table = cortex_m4()) {
    return estimate(lower<Net>(input, p), table);
}

} // namespace nascent::cost
