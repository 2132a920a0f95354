// nascent/nn/extract.hpp - a trained network's weights as a float program's parameter arrays.
//
//   const deploy::float_parameters f = nn::extract(model, arch);      // lowers the model's space at float32
//   const deploy::float_parameters h = nn::extract(model, g, arch);   // fills graph g, lowered elsewhere
//   // f.weights, f.params: the arrays of deploy::compile's float program of cost::lower<Space>(input, float32, arch)
//
// The arrays follow the graph's op order: weights OHWI ([out][kernel_h][kernel_w][in / groups]; dense
// [units][features]); a batch norm after a convolution or dense layer folded into it with its running
// statistics (s = gamma / sqrt(var + eps), w' = w * s, b' = (b - mean) * s + beta); a standalone
// batch norm as per-channel scale s and shift beta - mean * s. Shared supernet weights are cut to the
// path (an elastic width's first channels, an elastic kernel's centre taps). extract(g, records)
// works from layer records. A model that does not run the graph's network throws nascent::error
// naming the op and the layer. Unsupported: a dense layer reading a flattened tensor after an elastic width.
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "nascent/autograd/tape.hpp"
#include "nascent/core/error.hpp"
#include "nascent/core/op_type.hpp"
#include "nascent/core/problem.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/core/text.hpp"
#include "nascent/cost/graph.hpp"
#include "nascent/cost/lower.hpp"
#include "nascent/cost/lower_blocks.hpp"
#include "nascent/deploy/parameters.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/model.hpp"
#include "nascent/runtime/kernel_rules.hpp"
#include "nascent/space/architecture.hpp"

namespace nascent::nn {

using deploy::float_parameters;

/// The layers with weights that `model` runs for architecture `arch` on inputs of shape
/// `input`, in the order they run: one inference-mode, single-path pass on a zero image, every
/// early exit's head included.
template <class Net, class T>
[[nodiscard]] std::vector<layer_record<T>> record_layers(nn::model<Net, T>& model, shape input,
                                                            std::span<const int> arch) {
    require(arch.size() == nn::model<Net, T>::decisions,
            string_of("nn::record_layers: the architecture has ", arch.size(), " decisions, the model's space ",
                   nn::model<Net, T>::decisions));
    tape<T> t;
    std::vector<layer_record<T>> layers;
    context<T> ctx{t, false};
    ctx.mode = sampling::single_path;
    ctx.decisions = decision_cursor(arch.data(), arch.size());
    ctx.layers = &layers;
    std::vector<var> exits;  // early exits run their heads, in the graph's order
    ctx.exits = &exits;
    tensor<T> zero_image(batch_shape(1, input));
    zero_image.fill(T{0});
    (void)model.forward(ctx, t.leaf(zero_image));
    return layers;
}

namespace extraction {

[[nodiscard]] inline std::string shape_text(shape s) { return string_of(s.h, "x", s.w, "x", s.c); }

[[nodiscard]] inline std::string op_text(std::size_t k, const cost::op_node& o) {
    std::string text = string_of("op ", k, " (", o.kind, ", ", shape_text(o.input_extent[0]), " -> ", shape_text(o.output_extent));
    if (o.type == op_type::conv)
        text += string_of(", kernel ", o.window.kernel_h, "x", o.window.kernel_w, " stride ", o.window.stride,
                       o.window.groups > 1 ? string_of(" groups ", o.window.groups) : std::string());
    return text + ")";
}

template <class T>
[[nodiscard]] std::string layer_text(std::size_t i, const layer_record<T>& r) {
    using layer = typename layer_record<T>::layer;
    const char* kind = r.kind == layer::convolution ? "convolution" : r.kind == layer::dense ? "dense" : "batch norm";
    std::string text = string_of("layer ", i, " (", kind, ", ", shape_text(r.in), " -> ", shape_text(r.out));
    if (r.kind == layer::convolution)
        text += string_of(", kernel ", r.window.kernel_h, "x", r.window.kernel_w, " stride ", r.window.stride,
                       r.window.groups > 1 ? string_of(" groups ", r.window.groups) : std::string());
    return text + ")";
}

/// Reads the records in order, matching them to the graph's ops.
template <class T>
class record_reader {
public:
    using layer = typename layer_record<T>::layer;

    explicit record_reader(std::span<const layer_record<T>> layers) : layers_(layers) {}

    /// The next record, which must be of kind `kind`, for op k.
    const layer_record<T>& take(layer kind, std::size_t k, const cost::op_node& o) {
        const char* wanted = kind == layer::convolution ? "a convolution" : kind == layer::dense ? "a dense layer" : "a batch norm";
        if (next_ >= layers_.size())
            throw error(string_of("nn::extract: ", op_text(k, o), " needs ", wanted,
                               ", but the model ran no more layers with weights (", layers_.size(),
                               " in all); the graph was not lowered from the model's space and architecture"));
        const layer_record<T>& r = layers_[next_];
        if (r.kind != kind)
            throw error(string_of("nn::extract: ", op_text(k, o), " needs ", wanted, ", but the model ran ",
                               layer_text(next_, r), " there; the graph was not lowered from the model's space and architecture"));
        ++next_;
        return r;
    }
    [[nodiscard]] std::size_t taken() const noexcept { return next_; }
    /// Index of the record taken last.
    [[nodiscard]] std::size_t last() const noexcept { return next_ - 1; }

private:
    std::span<const layer_record<T>> layers_;
    std::size_t next_ = 0;
};

[[noreturn]] inline void mismatch(std::size_t k, const cost::op_node& o, const std::string& layer, const std::string& why) {
    throw error(string_of("nn::extract: ", op_text(k, o), " does not match the model's ", layer, ": ", why,
                       "; the graph was not lowered from the model's space and architecture"));
}

/// Writes op k's convolution weights (OHWI, cut to the op's geometry) and bias (zero when none).
template <class T>
void cut_convolution(std::size_t k, const cost::op_node& o, std::size_t at, const layer_record<T>& r, float* weights,
                     std::vector<double>& bias) {
    const auto fail = [&](const std::string& why) { mismatch(k, o, layer_text(at, r), why); };
    const shape in = o.input_extent[0];
    const shape out = o.output_extent;
    const op_window& w = o.window;
    const op_window& rw = r.window;
    if (w.stride != rw.stride || w.dilation != rw.dilation) fail("another stride or dilation");
    if (in.h != r.in.h || in.w != r.in.w || out.h != r.out.h || out.w != r.out.w) fail("another spatial extent");
    if (in.c > r.in.c || out.c > r.out.c) fail("more channels than the layer has");
    if (w.kernel_h > rw.kernel_h || w.kernel_w > rw.kernel_w || (rw.kernel_h - w.kernel_h) % 2 != 0 ||
        (rw.kernel_w - w.kernel_w) % 2 != 0)
        fail("a kernel that is not the centre of the layer's");
    const bool layer_depthwise = rw.groups > 1 && r.in.c == rw.groups;
    if (rw.groups == 1) {
        if (w.groups != 1) fail("another grouping");
    } else if (layer_depthwise) {
        if (w.groups != in.c || out.c * r.in.c != r.out.c * in.c) fail("another grouping");
    } else if (w.groups != rw.groups || in.c != r.in.c || out.c != r.out.c) {
        fail("another grouping or channel count (a grouped layer cannot be narrowed)");
    }
    const int kh = w.kernel_h, kw = w.kernel_w, rkh = rw.kernel_h, rkw = rw.kernel_w;
    const int dh = (rkh - kh) / 2, dw = (rkw - kw) / 2;
    const int per_group = in.c / w.groups;
    const int layer_per_group = r.in.c / rw.groups;
    if (r.weight.size() != static_cast<std::size_t>(r.out.c) * static_cast<std::size_t>(rkh * rkw * layer_per_group))
        fail("its weight does not match its geometry");
    const auto src = [&](int o_, int i, int j, int c) {
        return r.weight[((static_cast<std::size_t>(o_) * static_cast<std::size_t>(rkh) + static_cast<std::size_t>(i)) *
                             static_cast<std::size_t>(rkw) +
                         static_cast<std::size_t>(j)) *
                            static_cast<std::size_t>(layer_per_group) +
                        static_cast<std::size_t>(c)];
    };
    // Taps outside the centre must be masked (zero) in the weights the layer ran.
    if (dh > 0 || dw > 0)
        for (int o_ = 0; o_ < out.c; ++o_)
            for (int i = 0; i < rkh; ++i)
                for (int j = 0; j < rkw; ++j) {
                    if (i >= dh && i < dh + kh && j >= dw && j < dw + kw) continue;
                    for (int c = 0; c < per_group; ++c)
                        if (src(o_, i, j, c) != T{0}) fail("the layer ran a larger kernel than the op's");
                }
    std::size_t n = 0;
    for (int o_ = 0; o_ < out.c; ++o_)
        for (int i = 0; i < kh; ++i)
            for (int j = 0; j < kw; ++j)
                for (int c = 0; c < per_group; ++c) weights[n++] = static_cast<float>(src(o_, i + dh, j + dw, c));
    bias.assign(static_cast<std::size_t>(out.c), 0.0);
    if (!r.bias.empty())
        for (int c = 0; c < out.c; ++c) bias[static_cast<std::size_t>(c)] = static_cast<double>(r.bias[static_cast<std::size_t>(c)]);
}

/// Writes op k's dense weights ([units][features], cut to the op's) and bias.
template <class T>
void cut_dense(std::size_t k, const cost::op_node& o, std::size_t at, const layer_record<T>& r, float* weights,
               std::vector<double>& bias) {
    const auto units = static_cast<std::size_t>(o.output_extent.c);
    const std::size_t features = o.input_extent[0].size();
    const auto layer_units = static_cast<std::size_t>(r.out.c);
    const std::size_t layer_features = r.in.size();
    if (units > layer_units || features > layer_features)
        mismatch(k, o, layer_text(at, r), "more units or features than the layer has");
    if (r.weight.size() != layer_units * layer_features || r.bias.size() != layer_units)
        mismatch(k, o, layer_text(at, r), "its weight does not match its geometry");
    for (std::size_t u = 0; u < units; ++u)
        for (std::size_t f = 0; f < features; ++f) weights[u * features + f] = static_cast<float>(r.weight[u * layer_features + f]);
    bias.assign(units, 0.0);
    for (std::size_t u = 0; u < units; ++u) bias[u] = static_cast<double>(r.bias[u]);
}

/// The per-channel scale and shift of batch norm record r, for its first `channels` channels.
template <class T>
void batch_norm_affine(const layer_record<T>& r, int channels, std::vector<double>& scale, std::vector<double>& shift) {
    scale.resize(static_cast<std::size_t>(channels));
    shift.resize(static_cast<std::size_t>(channels));
    for (std::size_t c = 0; c < static_cast<std::size_t>(channels); ++c) {
        scale[c] = static_cast<double>(r.weight[c]) / std::sqrt(static_cast<double>(r.var[c]) + r.epsilon);
        shift[c] = static_cast<double>(r.bias[c]) - static_cast<double>(r.mean[c]) * scale[c];
    }
}

/// Checks that batch norm record r (index at) can serve op k's `channels` output channels, after a
/// layer of `layer_channels` channels (0: standalone).
template <class T>
void check_batch_norm(std::size_t k, const cost::op_node& o, std::size_t at, const layer_record<T>& r, int channels,
                      int layer_channels) {
    const auto n = static_cast<std::size_t>(r.in.c);
    if (r.weight.size() != n || r.bias.size() != n || r.mean.size() != n || r.var.size() != n)
        mismatch(k, o, layer_text(at, r), "its statistics do not match its channels");
    if (channels > r.in.c || (layer_channels > 0 && layer_channels != r.in.c))
        mismatch(k, o, layer_text(at, r), "another channel count");
}

/// Throws unless `arch` is an architecture of `Net` that runs on `input`.
template <class Net>
void check_architecture(shape input, std::span<const int> arch) {
    require(arch.size() == space::decisions<Net>, string_of("nn::extract: the architecture has ", arch.size(),
                                                         " decisions, the model's space ", space::decisions<Net>));
    const problem p = space::validate<Net>(input, arch);
    require(p == problem::none, string_of("nn::extract: the architecture cannot run on ", shape_text(input), ": ", describe(p)));
}

} // namespace extraction

/// The float parameter arrays of graph `g` (lowered at any precision; only its ops' geometry is
/// read) filled from `layers`, the records of a pass of the network it was lowered from
/// (record_layers). Throws nascent::error when an op and the records do not match.
template <class T>
[[nodiscard]] float_parameters extract(const cost::graph& g, std::span<const layer_record<T>> layers) {
    using layer = typename layer_record<T>::layer;
    float_parameters out;
    std::size_t weight_total = 0;
    std::size_t param_total = 0;
    for (const cost::op_node& o : g.ops) {
        weight_total += cost::weight_count(o);
        param_total += deploy::param_layout::count(o.type, precision::float32, o.output_extent.c);
    }
    out.weights.assign(weight_total, 0.0f);
    out.params.assign(param_total, 0.0f);
    extraction::record_reader<T> reader(layers);
    std::size_t w_at = 0;
    std::size_t p_at = 0;
    std::vector<double> bias, scale, shift;
    for (std::size_t k = 0; k < g.ops.size(); ++k) {
        const cost::op_node& o = g.ops[k];
        const std::size_t w_count = cost::weight_count(o);
        float* w = out.weights.data() + w_at;
        float* p = out.params.data() + p_at;
        const int channels = o.output_extent.c;
        if (o.type == op_type::conv || o.type == op_type::dense) {
            const bool conv = o.type == op_type::conv;
            const layer_record<T>& r = reader.take(conv ? layer::convolution : layer::dense, k, o);
            const std::size_t r_at = reader.last();
            if (conv) extraction::cut_convolution(k, o, r_at, r, w, bias);
            else extraction::cut_dense(k, o, r_at, r, w, bias);
            if (o.folded_batch_norm) {
                const layer_record<T>& bn = reader.take(layer::batch_norm, k, o);
                extraction::check_batch_norm(k, o, reader.last(), bn, channels, r.out.c);
                extraction::batch_norm_affine(bn, channels, scale, shift);
                const std::size_t per_channel = w_count / static_cast<std::size_t>(channels);
                for (std::size_t c = 0; c < static_cast<std::size_t>(channels); ++c) {
                    for (std::size_t i = 0; i < per_channel; ++i) {
                        float& v = w[c * per_channel + i];
                        v = static_cast<float>(static_cast<double>(v) * scale[c]);
                    }
                    bias[c] = bias[c] * scale[c] + shift[c];
                }
            }
            for (std::size_t c = 0; c < static_cast<std::size_t>(channels); ++c) p[c] = static_cast<float>(bias[c]);
        } else if (o.type == op_type::exit_gate) {
            p[0] = 1.0F;  // the threshold until the policy sets it (deploy::set_exit_thresholds): leave only when certain
        } else if (o.type == op_type::batch_norm) {
            const layer_record<T>& bn = reader.take(layer::batch_norm, k, o);
            extraction::check_batch_norm(k, o, reader.last(), bn, channels, 0);
            extraction::batch_norm_affine(bn, channels, scale, shift);
            for (std::size_t c = 0; c < static_cast<std::size_t>(channels); ++c) {
                w[c] = static_cast<float>(scale[c]);
                p[c] = static_cast<float>(shift[c]);
            }
        }
        w_at += w_count;
        p_at += deploy::param_layout::count(o.type, precision::float32, channels);
    }
    if (reader.taken() != layers.size())
        throw error(string_of("nn::extract: the model ran ", layers.size(), " layers with weights, the graph uses ",
                           reader.taken(), " (the first left over: ", extraction::layer_text(reader.taken(), layers[reader.taken()]),
                           "); the graph was not lowered from the model's space and architecture"));
    return out;
}

/// The float parameter arrays of graph `g`, lowered from the model's space for architecture
/// `arch` on inputs of g's input shape: the program compile(g, plan, float32) reads them.
template <class Net, class T>
[[nodiscard]] float_parameters extract(nn::model<Net, T>& model, const cost::graph& g, std::span<const int> arch) {
    require(!g.tensors.empty(), "nn::extract: the graph is empty");
    const shape input = g.tensors[0].extent;
    extraction::check_architecture<Net>(input, arch);
    const std::vector<layer_record<T>> layers = record_layers(model, input, arch);
    return extract<T>(g, std::span<const layer_record<T>>(layers));
}

/// The float parameter arrays of the program of architecture `arch` of the model's space on
/// the model's input shape, i.e. of compile() of cost::lower<Net>(model.input_shape(), float32, arch).
template <class Net, class T>
[[nodiscard]] float_parameters extract(nn::model<Net, T>& model, std::span<const int> arch = {}) {
    extraction::check_architecture<Net>(model.input_shape(), arch);
    const cost::graph g = cost::lower<Net>(model.input_shape(), precision::float32, arch);
    return extract(model, g, arch);
}

} // namespace nascent::nn
