// nascent/blocks/sep_conv.hpp - DARTS's separable convolution: two relu + depthwise + pointwise + batch norm stacks.
//
// sep_conv<C, Kernel, Stride>: relu, depthwise Kernel (stride Stride), 1x1 -> C, BN,
// relu, depthwise Kernel, 1x1 -> C, BN (DARTS's "sep_conv_3x3" is sep_conv<C, 3>).
#pragma once

#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/relu.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::blocks {

template <int C, int Kernel, int Stride = 1>
using sep_conv = sequential<relu, depthwise_conv2d<Kernel, Stride>, conv2d<C, 1>, batch_norm, relu, depthwise_conv2d<Kernel>,
                            conv2d<C, 1>, batch_norm>;

} // namespace nascent::blocks
