// nascent/nn/asymmetric_conv2d.hpp - the trainable asymmetric_conv2d (a KernelH x KernelW window).
#pragma once

#include "nascent/nn/window_conv2d.hpp"
#include "nascent/ops/asymmetric_conv2d.hpp"

namespace nascent::nn {

template <int Filters, int KernelH, int KernelW, int Stride, class T>
class trainable<nascent::asymmetric_conv2d<Filters, KernelH, KernelW, Stride>, T> : public trainable_window_convolution<T> {
public:
    trainable(shape in, rng& init)
        : trainable_window_convolution<T>(nascent::asymmetric_conv2d<Filters, KernelH, KernelW, Stride>::geometry(in), init) {}
};

} // namespace nascent::nn
