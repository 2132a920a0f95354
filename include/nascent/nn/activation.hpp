// nascent/nn/activation.hpp - differentiable relu, relu6, hard swish and hard sigmoid, and their trainable forms.
#pragma once

#include <cstddef>

#include "nascent/autograd/tape.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/kernels/hard_sigmoid.hpp"
#include "nascent/nn/kernels/hard_swish.hpp"
#include "nascent/nn/kernels/relu.hpp"
#include "nascent/nn/kernels/relu6.hpp"
#include "nascent/nn/trainable.hpp"

namespace nascent::nn {

/// Records y = max(x, 0).
template <class T>
var relu(tape<T>& t, var x) {
    const var y = t.record(t.value(x).shape(), t.requires_grad(x), [x](tape<T>& tp, var self) {
        bool accumulate = true;
        T* dx = tp.grad_target(x, accumulate);
        kernels::relu_backward(tp.value(self).size(), tp.value(self).data(), tp.grad(self).data(), dx, accumulate);
    });
    kernels::relu_forward(t.value(x).size(), t.value(x).data(), t.value(y).data());
    return y;
}

/// Records y = min(max(x, 0), 6).
template <class T>
var relu6(tape<T>& t, var x) {
    const var y = t.record(t.value(x).shape(), t.requires_grad(x), [x](tape<T>& tp, var self) {
        bool accumulate = true;
        T* dx = tp.grad_target(x, accumulate);
        kernels::relu6_backward(tp.value(self).size(), tp.value(self).data(), tp.grad(self).data(), dx, accumulate);
    });
    kernels::relu6_forward(t.value(x).size(), t.value(x).data(), t.value(y).data());
    return y;
}

namespace detail {

/// Records y = forward(n, x, y) element-wise, with backward(n, x, dy, dx, accumulate) reading the input x.
template <class T>
var record_on_input(tape<T>& t, var x, void (*forward)(std::size_t, const T*, T*) noexcept,
                    void (*backward)(std::size_t, const T*, const T*, T*, bool) noexcept) {
    const var y = t.record(t.value(x).shape(), t.requires_grad(x), [x, backward](tape<T>& tp, var self) {
        bool accumulate = true;
        T* dx = tp.grad_target(x, accumulate);
        backward(tp.value(self).size(), tp.value(x).data(), tp.grad(self).data(), dx, accumulate);
    });
    forward(t.value(x).size(), t.value(x).data(), t.value(y).data());
    return y;
}

} // namespace detail

/// Records y = x * relu6(x + 3) / 6.
template <class T>
var hard_swish(tape<T>& t, var x) {
    return detail::record_on_input(t, x, &kernels::hard_swish_forward<T>, &kernels::hard_swish_backward<T>);
}

/// Records y = relu6(x + 3) / 6.
template <class T>
var hard_sigmoid(tape<T>& t, var x) {
    return detail::record_on_input(t, x, &kernels::hard_sigmoid_forward<T>, &kernels::hard_sigmoid_backward<T>);
}

namespace detail {
template <class T>
var relu_layer(context<T>& ctx, var x) {
    return stored_activation(ctx, relu(ctx.graph, x));
}
template <class T>
var relu6_layer(context<T>& ctx, var x) {
    return stored_activation(ctx, relu6(ctx.graph, x));
}
template <class T>
var hard_swish_layer(context<T>& ctx, var x) {
    return stored_activation(ctx, hard_swish(ctx.graph, x));
}
template <class T>
var hard_sigmoid_layer(context<T>& ctx, var x) {
    return stored_activation(ctx, hard_sigmoid(ctx.graph, x));
}
} // namespace detail

template <class T>
class trainable<nascent::relu, T> : public shape_preserving_layer<T, &detail::relu_layer<T>> {
    using base = shape_preserving_layer<T, &detail::relu_layer<T>>;

public:
    using base::base;
};

template <class T>
class trainable<nascent::relu6, T> : public shape_preserving_layer<T, &detail::relu6_layer<T>> {
    using base = shape_preserving_layer<T, &detail::relu6_layer<T>>;

public:
    using base::base;
};

template <class T>
class trainable<nascent::hard_swish, T> : public shape_preserving_layer<T, &detail::hard_swish_layer<T>> {
    using base = shape_preserving_layer<T, &detail::hard_swish_layer<T>>;

public:
    using base::base;
};

template <class T>
class trainable<nascent::hard_sigmoid, T> : public shape_preserving_layer<T, &detail::hard_sigmoid_layer<T>> {
    using base = shape_preserving_layer<T, &detail::hard_sigmoid_layer<T>>;

public:
    using base::base;
};

} // namespace nascent::nn
