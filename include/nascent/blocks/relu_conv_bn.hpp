// nascent/blocks/relu_conv_bn.hpp - DARTS's ReLUConvBN: relu, then a Kernel x Kernel convolution, then batch norm.
//
// DARTS's edge ops put the activation first, so that a cell node (a sum of edges) is
// not rectified and the skip edge carries it unchanged.
#pragma once

#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/relu.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::blocks {

template <int Out, int Kernel, int Stride = 1>
using relu_conv_bn = sequential<relu, conv2d<Out, Kernel, Stride>, batch_norm>;

} // namespace nascent::blocks
