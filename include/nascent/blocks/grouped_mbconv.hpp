// nascent/blocks/grouped_mbconv.hpp - FBNet's MBConv with grouped 1x1 convolutions and a channel shuffle.
//
// grouped_mbconv<In, Out, Kernel, Expansion, Groups, Stride>:
//   grouped 1x1 convolution In -> In * Expansion (Groups groups) + batch norm + relu,
//   channel_shuffle<Groups> (ShuffleNet: the next grouped layer sees every group),
//   depthwise Kernel x Kernel, stride Stride + batch norm + relu,
//   grouped 1x1 convolution -> Out (Groups groups) + batch norm,
// residual when Stride == 1 and In == Out. FBNet's k3_e1_g2 / k5_e1_g2 are Expansion 1, Groups 2.
// With Groups 1 the convolutions are dense and there is no shuffle: FBNet's ungrouped blocks
// (MBConv with relu instead of MobileNetV2's relu6).
#pragma once

#include <type_traits>

#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/channel_shuffle.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/relu.hpp"
#include "nascent/space/residual.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::blocks {

template <int In, int Out, int Kernel, int Expansion, int Groups = 2, int Stride = 1>
using grouped_mbconv_body = std::conditional_t<
    Groups == 1,
    sequential<conv2d<In * Expansion, 1>, batch_norm, relu, depthwise_conv2d<Kernel, Stride>, batch_norm, relu, conv2d<Out, 1>,
               batch_norm>,
    sequential<conv2d<In * Expansion, 1, 1, Groups>, batch_norm, relu, channel_shuffle<Groups>, depthwise_conv2d<Kernel, Stride>,
               batch_norm, relu, conv2d<Out, 1, 1, Groups>, batch_norm>>;

template <int In, int Out, int Kernel, int Expansion, int Groups = 2, int Stride = 1>
using grouped_mbconv =
    std::conditional_t<Stride == 1 && In == Out, residual<grouped_mbconv_body<In, Out, Kernel, Expansion, Groups, Stride>>,
                       grouped_mbconv_body<In, Out, Kernel, Expansion, Groups, Stride>>;

} // namespace nascent::blocks
