// nascent/blocks/dil_conv.hpp - DARTS's dilated separable convolution.
//
// dil_conv<C, Kernel, Dilation, Stride>: relu, depthwise Kernel x Kernel with taps Dilation
// pixels apart (stride Stride), 1x1 -> C, batch norm. DARTS's "dil_conv_3x3" is
// dil_conv<C, 3, 2>: a 5x5 receptive field with 9 weights per channel.
#pragma once

#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/dilated_depthwise_conv2d.hpp"
#include "nascent/ops/relu.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::blocks {

template <int C, int Kernel, int Dilation = 2, int Stride = 1>
using dil_conv = sequential<relu, dilated_depthwise_conv2d<Kernel, Dilation, Stride>, conv2d<C, 1>, batch_norm>;

} // namespace nascent::blocks
