// nascent/blocks/depthwise_separable.hpp - MobileNet's depthwise-separable convolution.
//
// depthwise Kernel x Kernel (stride Stride) + batch norm + relu, then a 1x1 convolution to
// Out channels + batch norm (+ relu when FinalRelu). On the device both batch norms fold
// into their convolutions and the relus run inside them.
#pragma once

#include <type_traits>

#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/relu.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::blocks {

template <int Out, int Kernel = 3, int Stride = 1, bool FinalRelu = true>
using depthwise_separable =
    std::conditional_t<FinalRelu,
                       sequential<depthwise_conv2d<Kernel, Stride>, batch_norm, relu, conv2d<Out, 1>, batch_norm, relu>,
                       sequential<depthwise_conv2d<Kernel, Stride>, batch_norm, relu, conv2d<Out, 1>, batch_norm>>;

} // namespace nascent::blocks
