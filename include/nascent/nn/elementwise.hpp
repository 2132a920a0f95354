// nascent/nn/elementwise.hpp - differentiable add, identity, zero, flatten and dropout,
// and the trainable forms of the last four.
#pragma once

#include <algorithm>
#include <cstddef>

#include "nascent/autograd/tape.hpp"
#include "nascent/core/error.hpp"
#include "nascent/core/text.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/kernels/add.hpp"
#include "nascent/nn/kernels/dropout.hpp"
#include "nascent/nn/trainable.hpp"
#include "nascent/ops/flatten.hpp"
#include "nascent/ops/identity.hpp"
#include "nascent/ops/zero.hpp"

namespace nascent::nn {

/// Records y = a + b (same shapes).
template <class T>
var add(tape<T>& t, var a, var b) {
    require(t.value(a).shape() == t.value(b).shape(), "add: the operands have different shapes");
    const var y = t.record(t.value(a).shape(), t.requires_grad(a) || t.requires_grad(b), [a, b](tape<T>& tp, var self) {
        const auto n = tp.value(self).size();
        if (tp.requires_grad(a)) kernels::accumulate(n, tp.grad(self).data(), tp.grad(a).data());
        if (tp.requires_grad(b)) kernels::accumulate(n, tp.grad(self).data(), tp.grad(b).data());
    });
    kernels::add_forward(t.value(a).size(), t.value(a).data(), t.value(b).data(), t.value(y).data());
    return y;
}

/// Records y = x reshaped to `shape_out` (same number of elements; no data moves in NHWC).
template <class T>
var reshape(tape<T>& t, var x, shape shape_out) {
    const int batch = batch_size(t.value(x));
    require(sample_shape(t.value(x)).size() == shape_out.size(), "reshape: the element counts differ");
    const var y = t.record(batch_shape(batch, shape_out), t.requires_grad(x), [x](tape<T>& tp, var self) {
        kernels::accumulate(tp.value(self).size(), tp.grad(self).data(), tp.grad(x).data());
    });
    std::copy(t.value(x).begin(), t.value(x).end(), t.value(y).begin());
    return y;
}

/// Records y = 0 with the shape `out` per sample; no gradient flows.
template <class T>
var zeros(tape<T>& t, int batch, shape out) {
    const var y = t.record(batch_shape(batch, out), false);
    std::fill(t.value(y).begin(), t.value(y).end(), T{0});
    return y;
}

/// Records inverted dropout with drop probability `rate` in training; the identity otherwise.
template <class T>
var dropout(context<T>& ctx, var x, double rate) {
    if (!ctx.training || rate <= 0.0) return x;
    require(ctx.random != nullptr, "dropout: training needs a random generator in the context");
    tape<T>& t = ctx.graph;
    const var y = t.record(t.value(x).shape(), t.requires_grad(x), [x](tape<T>& tp, var self) {
        kernels::multiply_backward(tp.value(self).size(), tp.saved(self).data(), tp.grad(self).data(), tp.grad(x).data());
    });
    auto& mask = t.saved(y);
    mask.resize(t.value(x).size());
    const T keep_scale = static_cast<T>(1.0 / (1.0 - rate));
    for (auto& m : mask) m = ctx.random->uniform() < rate ? T{0} : keep_scale;
    kernels::multiply(mask.size(), t.value(x).data(), mask.data(), t.value(y).data());
    return y;
}

namespace detail {
template <class T>
var identity_layer(context<T>& /*ctx*/, var x) {
    return x;
}
template <class T, int PercentDropped>
var dropout_layer(context<T>& ctx, var x) {
    return dropout(ctx, x, nascent::dropout<PercentDropped>::rate);
}
} // namespace detail

template <class T>
class trainable<nascent::identity, T> : public shape_preserving_layer<T, &detail::identity_layer<T>> {
    using base = shape_preserving_layer<T, &detail::identity_layer<T>>;

public:
    using base::base;
};

template <int Stride, class T>
class trainable<nascent::zero<Stride>, T> : public stateless {
public:
    trainable(shape in, rng& /*init*/) : out_(nascent::zero<Stride>::output(in)) {}
    [[nodiscard]] shape output() const noexcept { return out_; }
    var forward(context<T>& ctx, var x) {
        const shape in = sample_shape(ctx.graph.value(x));
        return zeros(ctx.graph, batch_size(ctx.graph.value(x)), nascent::zero<Stride>::output(in));
    }

private:
    shape out_;
};

template <class T>
class trainable<nascent::flatten, T> : public stateless {
public:
    trainable(shape in, rng& /*init*/) : in_(in), out_(nascent::flatten::output(in)) {}
    [[nodiscard]] shape output() const noexcept { return out_; }
    /// The layers after a flatten are sized for the supernet's activation, so a path whose
    /// activation has another extent here (a stride-2 option of an earlier choice) cannot run.
    var forward(context<T>& ctx, var x) {
        const shape got = sample_shape(ctx.graph.value(x));
        if (got.size() != in_.size())
            throw error(string_of("flatten: this architecture gives a ", got.h, "x", got.w, "x", got.c,
                               " activation, but the layers after the flatten were built for ", in_.h, "x", in_.w, "x", in_.c,
                               ": in a supernet, the options before a flatten must keep the spatial extent (or use global_avg_pool)"));
        return reshape(ctx.graph, x, out_);
    }

private:
    shape in_;
    shape out_;
};

template <int PercentDropped, class T>
class trainable<nascent::dropout<PercentDropped>, T>
    : public shape_preserving_layer<T, &detail::dropout_layer<T, PercentDropped>> {
    using base = shape_preserving_layer<T, &detail::dropout_layer<T, PercentDropped>>;

public:
    using base::base;
};

} // namespace nascent::nn
