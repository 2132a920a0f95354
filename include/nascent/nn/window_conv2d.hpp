// nascent/nn/window_conv2d.hpp - differentiable rectangular / dilated convolution (ops/window_conv2d.hpp)
// and the trainable part shared by asymmetric_conv2d and dilated_depthwise_conv2d.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>

#include "nascent/autograd/parameter.hpp"
#include "nascent/autograd/tape.hpp"
#include "nascent/core/error.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/kernels/window_conv2d.hpp"
#include "nascent/nn/trainable.hpp"

namespace nascent::nn {

/// Records y = conv(x, w) with window geometry g (no bias).
template <class T>
var window_conv2d(tape<T>& t, var x, const window_geometry& g, parameter<T>& w) {
    require(g.valid(), "window_conv2d: the geometry is neither ungrouped nor depthwise");
    require(sample_shape(t.value(x)) == g.in, "window_conv2d: the input's shape differs from the geometry's");
    require(w.size() == g.weight_count(), "window_conv2d: the weight does not match the geometry");
    const int batch = batch_size(t.value(x));
    const var y = t.record(batch_shape(batch, g.out), true, [g, x, &w](tape<T>& tp, var self) {
        const int n = batch_size(tp.value(self));
        const std::size_t scratch_size = std::max(static_cast<std::size_t>(n) * g.col_size(), 2 * g.weight_count());
        T* dx = tp.requires_grad(x) ? tp.grad(x).data() : nullptr;
        kernels::window_conv2d_backward(g, n, tp.value(x).data(), w.value.data(), tp.saved(self).data(),
                                        tp.grad(self).data(), dx, w.grad.data(), tp.scratch(scratch_size));
    });
    auto& col = t.saved(y);
    col.resize(static_cast<std::size_t>(batch) * g.col_size());
    kernels::window_conv2d_forward(g, batch, t.value(x).data(), w.value.data(), t.value(y).data(), col.data(),
                                   t.scratch(g.weight_count()));
    return y;
}

/// A window convolution owning its weight [out_c][kernel_h][kernel_w][in_c / groups].
template <class T>
class trainable_window_convolution {
public:
    trainable_window_convolution(const window_geometry& g, rng& init)
        : geometry_(g),
          weight_("weight", {static_cast<std::size_t>(g.out.c), static_cast<std::size_t>(g.kernel_h),
                             static_cast<std::size_t>(g.kernel_w), static_cast<std::size_t>(g.in_per_group())}) {
        require(g.valid(), "window convolution: the geometry is neither ungrouped nor depthwise");
        he_normal(weight_, static_cast<std::size_t>(g.filter_size()), init);
    }
    [[nodiscard]] shape output() const noexcept { return geometry_.out; }
    [[nodiscard]] const window_geometry& geometry() const noexcept { return geometry_; }
    /// A supernet may feed an input of another spatial extent than the layer was built for (nn/conv2d.hpp).
    var forward(context<T>& ctx, var x) {
        const shape in = sample_shape(ctx.graph.value(x));
        const window_geometry g = in == geometry_.in ? geometry_
                                                     : window_geometry_for(in, geometry_.out.c, geometry_.kernel_h,
                                                                           geometry_.kernel_w, geometry_.stride,
                                                                           geometry_.dilation, geometry_.groups);
        if (ctx.layers != nullptr)
            record_layer<T>(ctx, layer_record<T>::layer::convolution, g.in, g.out,
                            op_window{g.kernel_h, g.kernel_w, g.stride, g.dilation, g.groups, g.pad_top, g.pad_left},
                            std::span<const T>(weight_.value.data(), weight_.size()), std::span<const T>());
        pass_channel_mask(ctx, g.in.c, g.out.c, g.depthwise());
        return window_conv2d(ctx.graph, x, g, weight_);
    }
    template <class F>
    void visit(F&& f) {
        f(weight_);
    }

private:
    window_geometry geometry_;
    parameter<T> weight_;
};

} // namespace nascent::nn
