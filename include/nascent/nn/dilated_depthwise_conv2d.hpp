// nascent/nn/dilated_depthwise_conv2d.hpp - the trainable dilated_depthwise_conv2d.
#pragma once

#include "nascent/nn/conv2d.hpp"
#include "nascent/ops/dilated_depthwise_conv2d.hpp"

namespace nascent::nn {

template <int Kernel, int Dilation, int Stride, class T>
class trainable<nascent::dilated_depthwise_conv2d<Kernel, Dilation, Stride>, T> : public trainable_convolution<T> {
public:
    trainable(shape in, rng& init)
        : trainable_convolution<T>(nascent::dilated_depthwise_conv2d<Kernel, Dilation, Stride>::geometry(in), false, init) {}
};

} // namespace nascent::nn
