// nascent/nn/batch_norm.hpp - differentiable batch normalisation and the trainable batch_norm.
#pragma once

#include <cstddef>
#include <span>

#include "nascent/autograd/parameter.hpp"
#include "nascent/autograd/tape.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/kernels/batch_norm.hpp"
#include "nascent/nn/mixing.hpp"
#include "nascent/nn/trainable.hpp"

namespace nascent::nn {

/// Parameters and running statistics of one batch-norm layer.
template <class T>
struct batch_norm_state {
    parameter<T> gamma;
    parameter<T> beta;
    buffer<T> running_mean;
    buffer<T> running_var;

    explicit batch_norm_state(std::size_t channels)
        : gamma("gamma", {channels}, false), beta("beta", {channels}, false),
          running_mean{"running_mean", xt::xarray<T>::from_shape({channels})},
          running_var{"running_var", xt::xarray<T>::from_shape({channels})} {
        gamma.value.fill(T{1});
        running_mean.value.fill(T{0});
        running_var.value.fill(T{1});
    }
};

/// Records batch normalisation of x: batch statistics (and running-average update) when
/// `training`, running averages otherwise. With `Relu` the output is also rectified, in the
/// same pass (the fused form of batch_norm followed by relu).
template <bool Relu = false, class T>
var batch_norm(tape<T>& t, var x, batch_norm_state<T>& s, bool training) {
    const tensor_shape shp = t.value(x).shape();
    const std::size_t channels = shp[3];
    const std::size_t rows = shp[0] * shp[1] * shp[2];
    constexpr double eps = nascent::batch_norm::epsilon;
    if (training) {
        const var y = t.record(shp, true, [x, &s, rows, channels](tape<T>& tp, var self) {
            const auto& saved = tp.saved(self);
            bool accumulate = true;
            T* dx = tp.requires_grad(x) ? tp.grad_target(x, accumulate) : nullptr;
            kernels::batch_norm_train_backward<Relu>(rows, channels, tp.value(x).data(), saved.data(),
                                                     saved.data() + channels, s.gamma.value.data(), tp.value(self).data(),
                                                     tp.grad(self).data(), dx, s.gamma.grad.data(), s.beta.grad.data(),
                                                     accumulate);
        });
        auto& saved = t.saved(y);  // [batch mean | inv_std], one per channel
        saved.resize(2 * channels);
        kernels::batch_norm_train_forward<Relu>(rows, channels, t.value(x).data(), s.gamma.value.data(),
                                                s.beta.value.data(), t.value(y).data(), saved.data(),
                                                saved.data() + channels, s.running_mean.value.data(),
                                                s.running_var.value.data(), nascent::batch_norm::momentum, eps);
        return y;
    }
    const var y = t.record(shp, true, [x, &s, rows, channels](tape<T>& tp, var self) {
        T* dx = tp.requires_grad(x) ? tp.grad(x).data() : nullptr;
        kernels::batch_norm_eval_backward<Relu>(rows, channels, tp.value(x).data(), s.gamma.value.data(),
                                                s.running_mean.value.data(), s.running_var.value.data(), eps,
                                                tp.value(self).data(), tp.grad(self).data(), dx, s.gamma.grad.data(),
                                                s.beta.grad.data());
    });
    kernels::batch_norm_eval_forward<Relu>(rows, channels, t.value(x).data(), s.gamma.value.data(), s.beta.value.data(),
                                           s.running_mean.value.data(), s.running_var.value.data(), eps,
                                           t.value(y).data());
    return y;
}

/// batch_norm followed by relu in one op: one pass over memory less each way, no
/// intermediate activation. The training interpreter uses it wherever the two are adjacent.
template <class T>
var batch_norm_relu(tape<T>& t, var x, batch_norm_state<T>& s, bool training) {
    return batch_norm<true>(t, x, s, training);
}

template <class T>
class trainable<nascent::batch_norm, T> {
public:
    trainable(shape in, rng& /*init*/) : in_(in), state_(static_cast<std::size_t>(in.c)) {}
    [[nodiscard]] shape output() const noexcept { return in_; }
    var forward(context<T>& ctx, var x) { return run<false>(ctx, x); }
    /// batch_norm followed by relu, fused (nn/sequential.hpp runs the pair this way).
    var forward_relu(context<T>& ctx, var x) { return run<true>(ctx, x); }
    template <class F>
    void visit(F&& f) {
        f(state_.gamma);
        f(state_.beta);
        f(state_.running_mean);
        f(state_.running_var);
    }
    [[nodiscard]] batch_norm_state<T>& state() noexcept { return state_; }

private:
    template <bool Relu>
    var run(context<T>& ctx, var x) {
        const int channels = sample_shape(ctx.graph.value(x)).c;
        if (ctx.layers != nullptr) record(ctx, sample_shape(ctx.graph.value(x)));
        const var y = batch_norm<Relu>(ctx.graph, x, state_, ctx.training);
        if (ctx.unmasked_channels <= 0 || ctx.masked_tensor_channels != channels || ctx.unmasked_channels >= channels) return y;
        // Channels an elastic width left out stay zero (context::unmasked_channels).
        const int unmasked[1] = {ctx.unmasked_channels};
        return channel_scale<T>(ctx.graph, y, nullptr, unmasked, 0);
    }
    void record(context<T>& ctx, shape in) {
        auto span_of = [](const auto& a) { return std::span<const T>(a.data(), a.size()); };
        record_layer<T>(ctx, layer_record<T>::layer::batch_norm, in, in, op_window{}, span_of(state_.gamma.value),
                        span_of(state_.beta.value));
        auto& r = ctx.layers->back();
        r.mean.assign(state_.running_mean.value.begin(), state_.running_mean.value.end());
        r.var.assign(state_.running_var.value.begin(), state_.running_var.value.end());
        r.epsilon = nascent::batch_norm::epsilon;
    }

    shape in_;
    batch_norm_state<T> state_;
};

} // namespace nascent::nn
