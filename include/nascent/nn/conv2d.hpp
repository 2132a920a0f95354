// nascent/nn/conv2d.hpp - the differentiable convolution of any conv_geometry (ops/conv_geometry.hpp)
// and the trainable part of every convolution descriptor: conv2d and depthwise_conv2d here,
// asymmetric_conv2d and dilated_depthwise_conv2d in their own headers. Example:
//   const var y = nn::conv2d(t, x, conv2d<16, 3>::geometry(in), w, nullptr);
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>

#include "nascent/autograd/parameter.hpp"
#include "nascent/autograd/tape.hpp"
#include "nascent/core/error.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/kernels/conv2d.hpp"
#include "nascent/nn/trainable.hpp"
#include "nascent/ops/conv2d.hpp"

namespace nascent::nn {

/// Records y = conv(x, w) (+ b) with geometry g. `b` may be null.
template <class T>
var conv2d(tape<T>& t, var x, const conv_geometry& g, parameter<T>& w, std::type_identity_t<parameter<T>>* b) {
    require(g.valid(), "conv2d: the geometry is not a convolution (extents, groups or window)");
    require(sample_shape(t.value(x)) == g.in, "conv2d: the input's shape differs from the geometry's");
    require(w.size() == g.weight_count() && (b == nullptr || b->size() == static_cast<std::size_t>(g.out.c)),
            "conv2d: the weight or bias does not match the geometry");
    const int batch = batch_size(t.value(x));
    const var y = t.record(batch_shape(batch, g.out), true, [g, x, &w, b](tape<T>& tp, var self) {
        const int n = batch_size(tp.value(self));
        const std::size_t scratch_size = std::max(static_cast<std::size_t>(n) * g.col_size(), 2 * g.weight_count());
        T* dx = tp.requires_grad(x) ? tp.grad(x).data() : nullptr;
        kernels::conv2d_backward(g, n, tp.value(x).data(), w.value.data(), tp.saved(self).data(), tp.grad(self).data(),
                                 dx, w.grad.data(), b != nullptr ? b->grad.data() : nullptr, tp.scratch(scratch_size));
    });
    auto& col = t.saved(y);
    col.resize(static_cast<std::size_t>(batch) * g.col_size());
    kernels::conv2d_forward(g, batch, t.value(x).data(), w.value.data(), b != nullptr ? b->value.data() : nullptr,
                            t.value(y).data(), col.data(), t.scratch(g.weight_count()));
    return y;
}

/// Appends the record of convolution g with weight w and bias b (may be null) to ctx.layers.
template <class T>
void record_convolution(context<T>& ctx, const conv_geometry& g, const parameter<T>& w,
                        const std::type_identity_t<parameter<T>>* b) {
    record_layer<T>(ctx, layer_record<T>::layer::convolution, g.in, g.out, g.window(),
                    std::span<const T>(w.value.data(), w.value.size()),
                    b != nullptr ? std::span<const T>(b->value.data(), b->value.size()) : std::span<const T>());
}

/// Shared trainable part of every convolution descriptor: the weight [out_c][kernel_h][kernel_w][in_c / groups]
/// and, with `has_bias`, a bias [out_c].
template <class T>
class trainable_convolution {
public:
    trainable_convolution(const conv_geometry& g, bool has_bias, rng& init)
        : geometry_(g),
          weight_("weight",
                  {static_cast<std::size_t>(g.out.c), static_cast<std::size_t>(g.kernel_h), static_cast<std::size_t>(g.kernel_w),
                   static_cast<std::size_t>(g.in_per_group())}),
          has_bias_(has_bias) {
        he_normal(weight_, static_cast<std::size_t>(g.filter_size()), init);
        if (has_bias_) bias_ = parameter<T>("bias", {static_cast<std::size_t>(g.out.c)}, false);
    }
    [[nodiscard]] shape output() const noexcept { return geometry_.out; }
    [[nodiscard]] const conv_geometry& geometry() const noexcept { return geometry_; }
    /// In a supernet the input may differ in spatial extent from the one the layer was built
    /// for (a stride-2 option or a pooling left out before it): the same weights then run
    /// with the geometry of that input.
    var forward(context<T>& ctx, var x) {
        const shape in = sample_shape(ctx.graph.value(x));
        const conv_geometry g = in == geometry_.in ? geometry_
                                                   : conv_geometry_for(in, geometry_.out.c, geometry_.kernel_h, geometry_.kernel_w,
                                                                       geometry_.stride, geometry_.dilation, geometry_.groups);
        if (ctx.layers != nullptr) record_convolution(ctx, g, weight_, has_bias_ ? &bias_ : nullptr);
        pass_channel_mask(ctx, g.in.c, g.out.c, g.depthwise() && !has_bias_);
        return conv2d(ctx.graph, x, g, weight_, has_bias_ ? &bias_ : nullptr);
    }
    template <class F>
    void visit(F&& f) {
        f(weight_);
        if (has_bias_) f(bias_);
    }

private:
    conv_geometry geometry_;
    parameter<T> weight_;
    parameter<T> bias_;
    bool has_bias_;
};

template <int Filters, int Kernel, int Stride, int Groups, bool Bias, class T>
class trainable<nascent::conv2d<Filters, Kernel, Stride, Groups, Bias>, T> : public trainable_convolution<T> {
public:
    trainable(shape in, rng& init)
        : trainable_convolution<T>(nascent::conv2d<Filters, Kernel, Stride, Groups, Bias>::geometry(in), Bias, init) {
        require(nascent::conv2d<Filters, Kernel, Stride, Groups, Bias>::accepts(in),
                "conv2d: the input channels must split evenly into the groups");
    }
};

template <int Kernel, int Stride, int Multiplier, bool Bias, class T>
class trainable<nascent::depthwise_conv2d<Kernel, Stride, Multiplier, Bias>, T> : public trainable_convolution<T> {
public:
    trainable(shape in, rng& init)
        : trainable_convolution<T>(nascent::depthwise_conv2d<Kernel, Stride, Multiplier, Bias>::geometry(in), Bias, init) {}
};

} // namespace nascent::nn
