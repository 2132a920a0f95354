// nascent/blocks/mbconv.hpp - MobileNetV2's inverted residual block (MBConv), as ProxylessNAS and FBNet search it.
//
// mbconv<In, Out, Kernel, Expansion, Stride>:
//   1x1 convolution In -> In * Expansion + batch norm + relu6,
//   depthwise Kernel x Kernel, stride Stride + batch norm + relu6,
//   1x1 convolution -> Out + batch norm (linear bottleneck),
// with the input added back when Stride == 1 and In == Out (the block is then
// residual<mbconv_body<...>>). The input channel count is a template parameter because the
// expansion width and the residual depend on it; a space must feed the block In channels
// (the supernet check of the space says so at compile time when it does not).
// The 1x1 expansion is kept at Expansion 1, as FBNet's e1 blocks do.
#pragma once

#include <type_traits>

#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/relu6.hpp"
#include "nascent/space/residual.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::blocks {

template <int In, int Out, int Kernel, int Expansion, int Stride = 1>
using mbconv_body = sequential<conv2d<In * Expansion, 1>, batch_norm, relu6, depthwise_conv2d<Kernel, Stride>, batch_norm,
                               relu6, conv2d<Out, 1>, batch_norm>;

template <int In, int Out, int Kernel, int Expansion, int Stride = 1>
using mbconv = std::conditional_t<Stride == 1 && In == Out, residual<mbconv_body<In, Out, Kernel, Expansion, Stride>>,
                                  mbconv_body<In, Out, Kernel, Expansion, Stride>>;

} // namespace nascent::blocks
