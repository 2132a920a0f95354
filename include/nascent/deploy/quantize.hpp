// nascent/deploy/quantize.hpp - post-training int8 quantisation of a float program's parameters.
//
//     const cost::graph g = cost::lower<Space>(input, precision::float32, arch);
//     const cost::memory_plan plan = cost::plan(g);
//     const auto float_program = deploy::compile<steps>(g, plan, precision::float32);
//     const deploy::float_parameters f = nn::extract(model, g, arch);          // nn/extract.hpp
//     const deploy::quantized_parameters q = deploy::quantize(g, plan, float_program, f, calibration_images);
//     // q.weights, q.params: the arrays of the int8 program of the same architecture; q.quantize_input(x, out)
//
// calibrate() runs the float program on the calibration images (normalised NHWC floats, image after
// image) and records every tensor's range; quantize() turns the ranges and float parameters into
// TF Lite's int8 scheme (activations per tensor, asymmetric; weights per output channel, symmetric;
// int32 biases; fixed-point multipliers), all scale arithmetic done here, in double. A program that
// does not match the graph and plan, or parameters of the wrong size, throw nascent::error.
// deploy::build (deploy/build.hpp) makes these steps in one call.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/cost/graph.hpp"
#include "nascent/cost/plan.hpp"
#include "nascent/deploy/compile.hpp"
#include "nascent/deploy/parameters.hpp"
#include "nascent/runtime/fixed_point.hpp"
#include "nascent/runtime/int8/kernels.hpp"
#include "nascent/runtime/program.hpp"
#include "nascent/runtime/quantization_scheme.hpp"
#include "nascent/runtime/run.hpp"

namespace nascent::deploy {

/// The range of every tensor of a graph over the calibration images.
struct activation_ranges {
    std::vector<float> lo;  ///< per tensor index of the graph
    std::vector<float> hi;
    std::size_t images = 0;
};

/// The int8 program's parameter arrays, and how to move values in and out of it.
struct quantized_parameters {
    std::vector<std::int8_t> weights;   ///< per-channel symmetric, in the graph's op order
    std::vector<std::int32_t> params;   ///< param_layout's int8 entries, in the graph's op order
    tensor_quantization input;          ///< of the network input
    tensor_quantization output;         ///< of the network output
    std::vector<tensor_quantization> tensors;  ///< of every tensor of the graph (input first)

    /// The int8 network input for a normalised input value.
    [[nodiscard]] std::int8_t quantize_input(float x) const noexcept { return input.quantize(x); }
    /// Quantises n normalised input values into `out` (the int8 program's input).
    void quantize_input(std::span<const float> x, std::int8_t* out) const noexcept {
        for (std::size_t i = 0; i < x.size(); ++i) out[i] = input.quantize(x[i]);
    }
    /// The real value of an int8 network output.
    [[nodiscard]] float dequantize_output(std::int8_t q) const noexcept { return output.dequantize(q); }
};

namespace detail {

/// The op type a step of op `o` runs (a standalone batch norm runs as a convolution).
[[nodiscard]] constexpr op_type step_type_of(const cost::op_node& o) noexcept {
    return o.type == op_type::batch_norm ? op_type::conv : o.type;
}

/// Throws unless `prog` runs graph g's ops in plan's order.
template <std::size_t N>
void check_program(const cost::graph& g, const cost::memory_plan& plan, const program<N>& prog, const char* who) {
    const std::size_t n = prog.steps.size();
    require(g.ops.size() == n && plan.order.size() == n,
            string_of(who, ": the program has ", n, " steps, the graph ", g.ops.size(), " ops and the plan ", plan.order.size()));
    for (std::size_t s = 0; s < n; ++s) {
        const auto k = static_cast<std::size_t>(plan.order[s]);
        require(k < g.ops.size() && prog.steps[s].type == step_type_of(g.ops[k]) &&
                    prog.steps[s].out.extent == g.ops[k].output_extent,
                string_of(who, ": step ", s, " of the program is not op ", k, " (", g.ops[k].kind,
                       ") of the graph; compile the program from this graph and plan"));
    }
}

/// Largest int32 magnitude given to a bias: leaves room for the accumulated products.
inline constexpr double bias_limit = 1073741823.0;

[[nodiscard]] inline std::int32_t rounded_int32(double v) noexcept {
    return static_cast<std::int32_t>(std::clamp(std::nearbyint(v), -bias_limit, bias_limit));
}

/// The clamp [act_min, act_max] of an output quantised as q after activation a.
inline void activation_clamp(fused_activation a, const tensor_quantization& q, std::int32_t& lo, std::int32_t& hi) noexcept {
    lo = -128;
    hi = 127;
    if (a == fused_activation::none) return;
    lo = std::clamp(q.zero_point, -128, 127);
    if (a == fused_activation::relu6) {
        const double six = std::nearbyint(6.0 / static_cast<double>(q.scale)) + q.zero_point;
        hi = static_cast<std::int32_t>(std::clamp(six, static_cast<double>(lo), 127.0));
    }
}

/// The packed table of an int8 lookup-table kernel that samples f, from input `in` to output
/// `out` (runtime/int8/lookup_table.hpp).
inline void lookup_table_of(double (*f)(double) noexcept, const tensor_quantization& in, const tensor_quantization& out,
                            std::int32_t* words) noexcept {
    for (int e = 0; e < param_layout::lookup_table::entries; ++e) {
        const double x = static_cast<double>(in.scale) * static_cast<double>(e - 128 - in.zero_point);
        const double q = std::clamp(std::nearbyint(f(x) / static_cast<double>(out.scale)) + out.zero_point, -128.0, 127.0);
        const auto byte = static_cast<std::uint32_t>(static_cast<std::uint8_t>(static_cast<std::int8_t>(q)));
        words[e / 4] = static_cast<std::int32_t>(static_cast<std::uint32_t>(words[e / 4]) | (byte << (8 * (e % 4))));
    }
}

/// The int8 kernel of op type T is a lookup table of a real function: it names it as `table_of`.
template <op_type T>
concept lookup_table_kernel = requires { runtime::kernel<T, precision::int8>::table_of; };

/// Fills `words` with the table of op type t's int8 kernel when that kernel is a lookup table;
/// false for any other op type.
inline bool fill_lookup_table(op_type t, const tensor_quantization& in, const tensor_quantization& out, std::int32_t* words) noexcept {
    bool filled = false;
    runtime::with_op_type(t, [&]<op_type T>() {
        if constexpr (lookup_table_kernel<T>) {
            lookup_table_of(runtime::kernel<T, precision::int8>::table_of, in, out, words);
            filled = true;
        }
    });
    return filled;
}

/// An int8 exit gate's parameters (runtime/int8/exit_gate.hpp) for threshold tau on logits quantised as `logits`.
inline void gate_params(double tau, const tensor_quantization& logits, std::int32_t* q) {
    namespace at = param_layout::exit_gate;
    require(tau > 0.0 && tau <= 1.0, string_of("deploy::quantize: an exit's threshold tau must be in (0, 1], got ", tau));
    q[at::threshold] = static_cast<std::int32_t>(std::floor(static_cast<double>(at::one) / tau));
    for (int d = 0; d < at::entries; ++d) {
        const auto e = static_cast<std::uint32_t>(std::nearbyint(at::one * std::exp(-static_cast<double>(logits.scale) * d)));
        q[at::table + d / 2] = static_cast<std::int32_t>(static_cast<std::uint32_t>(q[at::table + d / 2]) | (e << (16U * (d % 2))));
    }
}

inline void put_multiplier(std::int32_t* at, double real) noexcept {
    const quantized_multiplier m = quantize_multiplier(real);
    at[0] = m.multiplier;
    at[1] = m.shift;
}

/// Weights, bias and requantisation of a conv or dense op (or a standalone batch norm).
inline void quantize_weighted(const cost::op_node& o, const float* w, std::size_t w_count, const float* bias,
                              const tensor_quantization& in, const tensor_quantization& out, std::int8_t* qw, std::int32_t* p) {
    namespace at = param_layout;
    const int channels = o.output_extent.c;
    const std::size_t per_channel = w_count / static_cast<std::size_t>(channels);
    p[at::z_in] = in.zero_point;
    p[at::z_out] = out.zero_point;
    // A standalone batch norm becomes a convolution: its activation is fused like a convolution's.
    activation_clamp(o.activation, out, p[at::act_min], p[at::act_max]);
    std::int32_t* q_bias = p + at::channels_begin;
    std::int32_t* q_multiplier = q_bias + channels;
    std::int32_t* q_shift = q_bias + 2 * channels;
    for (std::size_t c = 0; c < static_cast<std::size_t>(channels); ++c) {
        const float* wc = w + c * per_channel;
        const double scale_w = weight_scale(wc, per_channel);
        for (std::size_t i = 0; i < per_channel; ++i)
            qw[c * per_channel + i] = static_cast<std::int8_t>(weight_level(static_cast<double>(wc[i]), scale_w));
        const double scale_acc = static_cast<double>(in.scale) * scale_w;
        q_bias[c] = rounded_int32(static_cast<double>(bias[c]) / scale_acc);
        const quantized_multiplier m = quantize_multiplier(scale_acc / static_cast<double>(out.scale));
        q_multiplier[c] = m.multiplier;
        q_shift[c] = m.shift;
    }
}

} // namespace detail

/// Runs float program `float_program` (compiled from g with `plan`) with parameters p on every
/// image of `images` (normalised NHWC floats, image after image, each of g's input size) and
/// returns the range of every tensor of g.
template <std::size_t N>
[[nodiscard]] activation_ranges calibrate(const cost::graph& g, const cost::memory_plan& plan, const program<N>& float_program,
                                          const float_parameters& p, std::span<const float> images) {
    detail::check_program(g, plan, float_program, "deploy::calibrate");
    require(float_program.element == precision::float32, "deploy::calibrate: the program is not a float32 program");
    require(p.weights.size() == float_program.weight_count && p.params.size() == float_program.param_count,
            string_of("deploy::calibrate: ", p.weights.size(), " weights and ", p.params.size(), " params given, the program reads ",
                   float_program.weight_count, " and ", float_program.param_count));
    const std::size_t in_size = float_program.input.extent.size();
    require(!images.empty() && images.size() % in_size == 0,
            string_of("deploy::calibrate: ", images.size(), " input values are not a whole number of images of ", in_size));
    activation_ranges r;
    r.lo.assign(g.tensors.size(), std::numeric_limits<float>::infinity());
    r.hi.assign(g.tensors.size(), -std::numeric_limits<float>::infinity());
    r.images = images.size() / in_size;
    auto widen = [&r](int t, const float* v, std::size_t n) {
        float& lo = r.lo[static_cast<std::size_t>(t)];
        float& hi = r.hi[static_cast<std::size_t>(t)];
        for (std::size_t i = 0; i < n; ++i) {
            lo = std::min(lo, v[i]);
            hi = std::max(hi, v[i]);
        }
    };
    std::vector<std::uint32_t> words((float_program.arena_bytes + 3U) / 4U + 1U);
    auto* arena = reinterpret_cast<std::byte*>(words.data());
    auto observe = [&](std::size_t s, const step& st, const std::byte* a) {
        const int t = g.ops[static_cast<std::size_t>(plan.order[s])].output;
        widen(t, reinterpret_cast<const float*>(a + st.out.offset), st.out.extent.size());
    };
    for (std::size_t n = 0; n < r.images; ++n) {
        const float* image = images.data() + n * in_size;
        std::copy(image, image + in_size, input<float>(float_program, arena));
        widen(0, image, in_size);
        require(run(float_program, p.weights.data(), p.params.data(), arena, observe) == run_status::ok,
                "deploy::calibrate: the float program did not run");
    }
    for (std::size_t t = 0; t < g.tensors.size(); ++t)
        if (r.lo[t] > r.hi[t]) r.lo[t] = r.hi[t] = 0.0F;  // never written (cannot happen for a compiled graph)
    return r;
}

/// The int8 parameter arrays of graph g (lowered at either precision: the int8 program of the
/// same space, input and architecture reads them) from its float parameters p and the ranges r
/// of its tensors (calibrate()).
[[nodiscard]] inline quantized_parameters quantize(const cost::graph& g, const float_parameters& p, const activation_ranges& r) {
    require(r.lo.size() == g.tensors.size() && r.hi.size() == g.tensors.size(),
            string_of("deploy::quantize: ranges of ", r.lo.size(), " tensors given, the graph has ", g.tensors.size()));
    quantized_parameters out;
    out.tensors.resize(g.tensors.size());
    for (std::size_t t = 0; t < g.tensors.size(); ++t) out.tensors[t] = quantization_of_range(r.lo[t], r.hi[t]);
    // Outputs that keep their input's quantisation (ops in a valid execution order: inputs first).
    for (const cost::op_node& o : g.ops)
        if (o.type == op_type::max_pool || o.type == op_type::channel_shuffle || o.type == op_type::exit_gate)
            out.tensors[static_cast<std::size_t>(o.output)] = out.tensors[static_cast<std::size_t>(o.inputs[0])];
    std::size_t weights = 0, float_params = 0, params = 0;
    for (const cost::op_node& o : g.ops) {
        weights += cost::weight_count(o);
        float_params += param_layout::count(o.type, precision::float32, o.output_extent.c);
        params += param_layout::count(o.type, precision::int8, o.output_extent.c);
    }
    require(p.weights.size() == weights && p.params.size() == float_params,
            string_of("deploy::quantize: ", p.weights.size(), " weights and ", p.params.size(), " params given, the graph's float program has ",
                   weights, " and ", float_params));
    out.weights.assign(weights, 0);
    out.params.assign(params, 0);
    std::size_t w_at = 0, fp_at = 0, p_at = 0;
    for (const cost::op_node& o : g.ops) {
        const std::size_t w_count = cost::weight_count(o);
        const tensor_quantization& in = out.tensors[static_cast<std::size_t>(o.inputs[0])];
        const tensor_quantization& q_out = out.tensors[static_cast<std::size_t>(o.output)];
        std::int32_t* q = out.params.data() + p_at;
        switch (o.type) {
        case op_type::conv:
        case op_type::dense:
        case op_type::batch_norm:
            detail::quantize_weighted(o, p.weights.data() + w_at, w_count, p.params.data() + fp_at, in, q_out,
                                      out.weights.data() + w_at, q);
            break;
        case op_type::add: {
            namespace at = param_layout::add;
            const tensor_quantization& b = out.tensors[static_cast<std::size_t>(o.inputs[1])];
            constexpr int left_shift = 20;
            const double twice_max = 2.0 * std::max(static_cast<double>(in.scale), static_cast<double>(b.scale));
            q[at::z_a] = in.zero_point;
            q[at::z_b] = b.zero_point;
            q[at::z_out] = q_out.zero_point;
            detail::activation_clamp(o.activation, q_out, q[at::act_min], q[at::act_max]);
            q[at::left_shift] = left_shift;
            detail::put_multiplier(q + at::multiplier_a, static_cast<double>(in.scale) / twice_max);
            detail::put_multiplier(q + at::multiplier_b, static_cast<double>(b.scale) / twice_max);
            detail::put_multiplier(q + at::multiplier_out,
                                   twice_max / (static_cast<double>(1 << left_shift) * static_cast<double>(q_out.scale)));
            break;
        }
        case op_type::max_pool:
        case op_type::avg_pool:
        case op_type::global_avg_pool:
        case op_type::relu:
        case op_type::relu6: {
            q[param_layout::z_in] = in.zero_point;
            q[param_layout::z_out] = q_out.zero_point;
            const fused_activation a = o.type == op_type::relu    ? fused_activation::relu
                                       : o.type == op_type::relu6 ? fused_activation::relu6
                                                                  : fused_activation::none;
            detail::activation_clamp(a, q_out, q[param_layout::act_min], q[param_layout::act_max]);
            if (in == q_out) {
                q[param_layout::rescale::multiplier] = identity_multiplier.multiplier;
                q[param_layout::rescale::shift] = identity_multiplier.shift;
            } else {
                detail::put_multiplier(q + param_layout::rescale::multiplier,
                                       static_cast<double>(in.scale) / static_cast<double>(q_out.scale));
            }
            break;
        }
        case op_type::zero: q[0] = q_out.zero_point; break;
        case op_type::concat: {
            namespace at = param_layout::concat;
            const tensor_quantization& b = out.tensors[static_cast<std::size_t>(o.inputs[1])];
            q[at::z_a] = in.zero_point;
            q[at::z_b] = b.zero_point;
            q[at::z_out] = q_out.zero_point;
            detail::put_multiplier(q + at::multiplier_a, static_cast<double>(in.scale) / static_cast<double>(q_out.scale));
            detail::put_multiplier(q + at::multiplier_b, static_cast<double>(b.scale) / static_cast<double>(q_out.scale));
            break;
        }
        case op_type::channel_shuffle: break;
        case op_type::exit_gate:
            detail::gate_params(static_cast<double>(p.params[fp_at]), out.tensors[static_cast<std::size_t>(o.inputs[1])], q);
            break;
        default:  // a lookup-table kernel (hard_swish, ...): its table samples the kernel's function
            require(detail::fill_lookup_table(o.type, in, q_out, q) ||
                        param_layout::count(o.type, precision::int8, o.output_extent.c) == 0,
                    string_of("deploy::quantize: no int8 parameter rule for op type ", op_type_name(o.type)));
            break;
        }
        w_at += w_count;
        fp_at += param_layout::count(o.type, precision::float32, o.output_extent.c);
        p_at += param_layout::count(o.type, precision::int8, o.output_extent.c);
    }
    out.input = out.tensors[0];
    out.output = out.tensors[static_cast<std::size_t>(g.output)];
    return out;
}

/// Calibration and quantisation in one: float program `float_program` of graph g and `plan`,
/// its parameters p, the calibration images (see calibrate()).
template <std::size_t N>
[[nodiscard]] quantized_parameters quantize(const cost::graph& g, const cost::memory_plan& plan, const program<N>& float_program,
                                            const float_parameters& p, std::span<const float> images) {
    return quantize(g, p, calibrate(g, plan, float_program, p, images));
}

/// For the fixed network of architecture `Arch` of `Space` on inputs of shape `Input`
/// (deploy/fixed.hpp): the int8 parameters of its float parameters p (extract()), calibrated on
/// `images`. fixed_of<Space, Input, precision::int8, Arch> runs them.
template <class Space, shape Input, auto Arch>
[[nodiscard]] quantized_parameters quantize_architecture(const float_parameters& p, std::span<const float> images) {
    static constexpr auto float_program = compile_architecture<Space, Input, precision::float32, Arch>();
    const cost::graph g = cost::lower<Space>(Input, precision::float32, std::span<const int>(Arch));
    return quantize(g, cost::plan(g), float_program, p, images);
}

} // namespace nascent::deploy
