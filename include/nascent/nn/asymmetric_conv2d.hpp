// nascent/nn/asymmetric_conv2d.hpp - the trainable asymmetric_conv2d (a KernelH x KernelW window).
#pragma once

#include "nascent/nn/conv2d.hpp"
#include "nascent/ops/asymmetric_conv2d.hpp"

namespace nascent::nn {

template <int Filters, int KernelH, int KernelW, int Stride, class T>
class trainable<nascent::asymmetric_conv2d<Filters, KernelH, KernelW, Stride>, T> : public trainable_convolution<T> {
public:
    trainable(shape in, rng& init)
        : trainable_convolution<T>(nascent::asymmetric_conv2d<Filters, KernelH, KernelW, Stride>::geometry(in), false, init) {}
};

} // namespace nascent::nn
