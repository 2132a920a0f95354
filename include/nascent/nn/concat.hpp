// nascent/nn/concat.hpp - differentiable channel slices and channel concatenation.
#pragma once

#include <cstddef>

#include "nascent/autograd/tape.hpp"
#include "nascent/core/error.hpp"
#include "nascent/nn/kernels/concat.hpp"

namespace nascent::nn {

/// Records y = x[..., first : first + count] (a run of channels of every pixel).
template <class T>
var slice_channels(tape<T>& t, var x, int first, int count) {
    const shape in = sample_shape(t.value(x));
    require(first >= 0 && count > 0 && first + count <= in.c, "slice_channels: the slice is outside the input's channels");
    const int batch = batch_size(t.value(x));
    const std::size_t pixels = static_cast<std::size_t>(batch) * static_cast<std::size_t>(in.h) * static_cast<std::size_t>(in.w);
    const var y = t.record(batch_shape(batch, shape{in.h, in.w, count}), t.requires_grad(x),
                           [x, pixels, in, first, count](tape<T>& tp, var self) {
                               kernels::add_channels(pixels, tp.grad(self).data(), count, 0, tp.grad(x).data(), in.c, first,
                                                     count);
                           });
    kernels::copy_channels(pixels, t.value(x).data(), in.c, first, t.value(y).data(), count, 0, count);
    return y;
}

/// Records y = [a, b] along channels (same batch and spatial extent).
template <class T>
var concat_channels(tape<T>& t, var a, var b) {
    const shape sa = sample_shape(t.value(a));
    const shape sb = sample_shape(t.value(b));
    const int batch = batch_size(t.value(a));
    require(batch == batch_size(t.value(b)) && concat::accepts(sa, sb),
            "concat_channels: the operands differ in batch size or spatial extent");
    const shape out = concat::output(sa, sb);
    const std::size_t pixels = static_cast<std::size_t>(batch) * static_cast<std::size_t>(sa.h) * static_cast<std::size_t>(sa.w);
    const var y = t.record(batch_shape(batch, out), t.requires_grad(a) || t.requires_grad(b),
                           [a, b, pixels, sa, sb, out](tape<T>& tp, var self) {
                               const T* dy = tp.grad(self).data();
                               if (tp.requires_grad(a)) kernels::add_channels(pixels, dy, out.c, 0, tp.grad(a).data(), sa.c, 0, sa.c);
                               if (tp.requires_grad(b))
                                   kernels::add_channels(pixels, dy, out.c, sa.c, tp.grad(b).data(), sb.c, 0, sb.c);
                           });
    kernels::copy_channels(pixels, t.value(a).data(), sa.c, 0, t.value(y).data(), out.c, 0, sa.c);
    kernels::copy_channels(pixels, t.value(b).data(), sb.c, 0, t.value(y).data(), out.c, sa.c, sb.c);
    return y;
}

} // namespace nascent::nn
