// nascent/nn/channel_shuffle.hpp - differentiable channel shuffle and the trainable channel_shuffle<Groups>.
#pragma once

#include <cstddef>

#include "nascent/autograd/tape.hpp"
#include "nascent/core/error.hpp"
#include "nascent/nn/context.hpp"
#include "nascent/nn/kernels/channel_shuffle.hpp"
#include "nascent/nn/trainable.hpp"

namespace nascent::nn {

/// Records y = channel_shuffle(x) with `groups` groups (ops/channel_shuffle.hpp).
template <class T>
var channel_shuffle(tape<T>& t, var x, int groups) {
    const shape in = sample_shape(t.value(x));
    require(groups > 0 && in.c % groups == 0, "channel_shuffle: the channels do not split into the groups");
    const std::size_t pixels = static_cast<std::size_t>(batch_size(t.value(x))) * static_cast<std::size_t>(in.h) *
                               static_cast<std::size_t>(in.w);
    const var y = t.record(t.value(x).shape(), t.requires_grad(x), [x, pixels, in, groups](tape<T>& tp, var self) {
        kernels::channel_shuffle_backward(pixels, in.c, groups, tp.grad(self).data(), tp.grad(x).data());
    });
    kernels::channel_shuffle_forward(pixels, in.c, groups, t.value(x).data(), t.value(y).data());
    return y;
}

template <int Groups, class T>
class trainable<nascent::channel_shuffle<Groups>, T> : public stateless {
public:
    trainable(shape in, rng& /*init*/) : in_(in) {
        require(nascent::channel_shuffle<Groups>::accepts(in), "channel_shuffle: the channels do not split into the groups");
    }
    [[nodiscard]] shape output() const noexcept { return in_; }
    var forward(context<T>& ctx, var x) { return channel_shuffle(ctx.graph, x, Groups); }

private:
    shape in_;
};

} // namespace nascent::nn
