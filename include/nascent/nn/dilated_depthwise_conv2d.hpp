// nascent/nn/dilated_depthwise_conv2d.hpp - the trainable dilated_depthwise_conv2d.
#pragma once

#include "nascent/nn/window_conv2d.hpp"
#include "nascent/ops/dilated_depthwise_conv2d.hpp"

namespace nascent::nn {

template <int Kernel, int Dilation, int Stride, class T>
class trainable<nascent::dilated_depthwise_conv2d<Kernel, Dilation, Stride>, T> : public trainable_window_convolution<T> {
public:
    trainable(shape in, rng& init)
        : trainable_window_convolution<T>(nascent::dilated_depthwise_conv2d<Kernel, Dilation, Stride>::geometry(in), init) {}
};

} // namespace nascent::nn
