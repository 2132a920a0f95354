// nascent/nn/dense.hpp - differentiable fully connected layer and the trainable dense<Units>.
#pragma once

#include <cstddef>
#include <span>

#include "nascent/autograd/parameter.hpp"
#include "nascent/autograd/tape.hpp"
#include "nascent/core/error.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/kernels/dense.hpp"
#include "nascent/nn/trainable.hpp"

namespace nascent::nn {

/// Records y = x w^T + b on a batch of vectors x [batch, 1, 1, features].
template <class T>
var dense(tape<T>& t, var x, parameter<T>& w, parameter<T>& b) {
    const shape in = sample_shape(t.value(x));
    const int batch = batch_size(t.value(x));
    const int features = static_cast<int>(in.size());
    const int units = static_cast<int>(b.size());
    require(w.size() == static_cast<std::size_t>(units) * static_cast<std::size_t>(features),
            "dense: the weight does not match the input's feature count");
    const var y = t.record(batch_shape(batch, shape{1, 1, units}), true, [x, &w, &b, features, units](tape<T>& tp, var self) {
        T* dx = tp.requires_grad(x) ? tp.grad(x).data() : nullptr;
        kernels::dense_backward(batch_size(tp.value(self)), features, units, tp.value(x).data(), w.value.data(),
                                tp.grad(self).data(), dx, w.grad.data(), b.grad.data());
    });
    kernels::dense_forward(batch, features, units, t.value(x).data(), w.value.data(), b.value.data(), t.value(y).data());
    return y;
}

template <int Units, class T>
class trainable<nascent::dense<Units>, T> {
public:
    trainable(shape in, rng& init)
        : in_(in), weight_("weight", {static_cast<std::size_t>(Units), in.size()}), bias_("bias", {static_cast<std::size_t>(Units)}, false) {
        require(nascent::dense<Units>::accepts(in), "dense: the input is not a vector; put flatten or global_avg_pool before it");
        he_normal(weight_, in.size(), init);
    }
    [[nodiscard]] shape output() const noexcept { return shape{1, 1, Units}; }
    var forward(context<T>& ctx, var x) {
        if (ctx.layers != nullptr)
            record_layer<T>(ctx, layer_record<T>::layer::dense, sample_shape(ctx.graph.value(x)), output(), op_window{},
                            std::span<const T>(weight_.value.data(), weight_.size()),
                            std::span<const T>(bias_.value.data(), bias_.size()));
        pass_channel_mask(ctx, 1, Units, false);
        return dense(ctx.graph, x, weight_, bias_);
    }
    template <class F>
    void visit(F&& f) {
        f(weight_);
        f(bias_);
    }

private:
    shape in_;
    parameter<T> weight_;
    parameter<T> bias_;
};

} // namespace nascent::nn
