// nascent/blocks/grouped_conv.hpp - a grouped 1x1 convolution with batch norm (ShuffleNet v1, FBNet).
//
// grouped_pointwise<Out, Groups, Relu>: 1x1 convolution to Out channels in Groups groups
// (each output group reads In / Groups channels: Groups times fewer weights and MACs than
// the dense 1x1), batch norm, and a relu unless Relu is false.
#pragma once

#include <type_traits>

#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/relu.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::blocks {

template <int Out, int Groups, bool Relu = true>
using grouped_pointwise = std::conditional_t<Relu, sequential<conv2d<Out, 1, 1, Groups>, batch_norm, relu>,
                                             sequential<conv2d<Out, 1, 1, Groups>, batch_norm>>;

} // namespace nascent::blocks
