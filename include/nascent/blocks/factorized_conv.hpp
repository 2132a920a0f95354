// nascent/blocks/factorized_conv.hpp - a k x k convolution factorised into 1 x k then k x 1 (DARTS's "conv 7x1 1x7").
//
// factorized_conv<C, Kernel, Stride>: relu, 1 x Kernel convolution -> C (stride Stride),
// Kernel x 1 convolution -> C, batch norm: a Kernel x Kernel receptive field with
// 2 * Kernel * C * C weights instead of Kernel^2 * C * C.
#pragma once

#include "nascent/ops/asymmetric_conv2d.hpp"
#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/relu.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::blocks {

template <int C, int Kernel, int Stride = 1>
using factorized_conv = sequential<relu, asymmetric_conv2d<C, 1, Kernel, Stride>, asymmetric_conv2d<C, Kernel, 1>, batch_norm>;

} // namespace nascent::blocks
