// nascent/nn/pooling.hpp - differentiable max, average and global average pooling,
// and their trainable forms.
#pragma once

#include "nascent/autograd/tape.hpp"
#include "nascent/core/error.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/kernels/avg_pool2d.hpp"
#include "nascent/nn/kernels/global_avg_pool.hpp"
#include "nascent/nn/kernels/max_pool2d.hpp"
#include "nascent/nn/trainable.hpp"

namespace nascent::nn {

/// Records max pooling with geometry g.
template <class T>
var max_pool2d(tape<T>& t, var x, const pool2d_geometry& g) {
    require(sample_shape(t.value(x)) == g.in, "max_pool2d: the input's shape differs from the geometry's");
    const int batch = batch_size(t.value(x));
    const var y = t.record(batch_shape(batch, g.out), t.requires_grad(x), [x, g](tape<T>& tp, var self) {
        bool accumulate = true;
        if (kernels::tiles(g) && !tp.has_grad(x)) {
            T* dx = tp.grad_target(x, accumulate);
            kernels::max_pool2d_backward_assign(g, batch_size(tp.value(self)), tp.saved_indices(self).data(),
                                                tp.grad(self).data(), dx);
            return;
        }
        kernels::max_pool2d_backward(tp.value(self).size(), tp.saved_indices(self).data(), tp.grad(self).data(),
                                     tp.grad(x).data());
    });
    auto& argmax = t.saved_indices(y);
    argmax.resize(t.value(y).size());
    kernels::max_pool2d_forward(g, batch, t.value(x).data(), t.value(y).data(), argmax.data());
    return y;
}

/// Records average pooling with geometry g.
template <class T>
var avg_pool2d(tape<T>& t, var x, const pool2d_geometry& g) {
    require(sample_shape(t.value(x)) == g.in, "avg_pool2d: the input's shape differs from the geometry's");
    const int batch = batch_size(t.value(x));
    const var y = t.record(batch_shape(batch, g.out), t.requires_grad(x), [x, g](tape<T>& tp, var self) {
        kernels::avg_pool2d_backward(g, batch_size(tp.value(self)), tp.grad(self).data(), tp.grad(x).data());
    });
    kernels::avg_pool2d_forward(g, batch, t.value(x).data(), t.value(y).data());
    return y;
}

/// Records the mean over the spatial extent.
template <class T>
var global_avg_pool(tape<T>& t, var x) {
    const shape in = sample_shape(t.value(x));
    const int batch = batch_size(t.value(x));
    const var y = t.record(batch_shape(batch, shape{1, 1, in.c}), t.requires_grad(x), [x, in](tape<T>& tp, var self) {
        kernels::global_avg_pool_backward(in, batch_size(tp.value(self)), tp.grad(self).data(), tp.grad(x).data());
    });
    kernels::global_avg_pool_forward(in, batch, t.value(x).data(), t.value(y).data());
    return y;
}

template <int Kernel, int Stride, padding Pad, class T>
class trainable<nascent::max_pool2d<Kernel, Stride, Pad>, T> : public stateless {
public:
    trainable(shape in, rng& /*init*/) : geometry_(nascent::max_pool2d<Kernel, Stride, Pad>::geometry(in)) {
        require(nascent::max_pool2d<Kernel, Stride, Pad>::accepts(in), "max_pool2d: the window is larger than the input");
    }
    [[nodiscard]] shape output() const noexcept { return geometry_.out; }
    /// A supernet may feed an input of another spatial extent than the layer was built for (nn/conv2d.hpp).
    var forward(context<T>& ctx, var x) {
        const shape in = sample_shape(ctx.graph.value(x));
        return max_pool2d(ctx.graph, x, in == geometry_.in ? geometry_ : nascent::max_pool2d<Kernel, Stride, Pad>::geometry(in));
    }

private:
    pool2d_geometry geometry_;
};

template <int Kernel, int Stride, padding Pad, class T>
class trainable<nascent::avg_pool2d<Kernel, Stride, Pad>, T> : public stateless {
public:
    trainable(shape in, rng& /*init*/) : geometry_(nascent::avg_pool2d<Kernel, Stride, Pad>::geometry(in)) {
        require(nascent::avg_pool2d<Kernel, Stride, Pad>::accepts(in), "avg_pool2d: the window is larger than the input");
    }
    [[nodiscard]] shape output() const noexcept { return geometry_.out; }
    /// A supernet may feed an input of another spatial extent than the layer was built for (nn/conv2d.hpp).
    var forward(context<T>& ctx, var x) {
        const shape in = sample_shape(ctx.graph.value(x));
        return avg_pool2d(ctx.graph, x, in == geometry_.in ? geometry_ : nascent::avg_pool2d<Kernel, Stride, Pad>::geometry(in));
    }

private:
    pool2d_geometry geometry_;
};

template <class T>
class trainable<nascent::global_avg_pool, T> : public stateless {
public:
    trainable(shape in, rng& /*init*/) : out_{1, 1, in.c} {}
    [[nodiscard]] shape output() const noexcept { return out_; }
    var forward(context<T>& ctx, var x) { return global_avg_pool(ctx.graph, x); }

private:
    shape out_;
};

} // namespace nascent::nn
