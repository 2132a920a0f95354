// nascent/zoo/single_path_nas.hpp - the Single-Path NAS space (Stamoulis et al., ECML-PKDD 2019),
// sized for a 64 KB microcontroller.
//
// Single-Path NAS searches MBConv layers (blocks/mbconv.hpp) through one "superkernel" per
// layer instead of separate candidate blocks: the depthwise kernel is 3x3 or 5x5, the 3x3
// being the centre of the 5x5 weights (elastic_kernel), and the expansion ratio is 3 or 6,
// expansion 3 being the first half of the channels of expansion 6 (elastic_width). A layer
// that keeps its shape may also be skipped (Single-Path NAS drops a layer whose expansion
// falls to zero): optional<residual<...>>.
// Slots per layer: expansion (0: e3, 1: e6), kernel (0: 3x3, 1: 5x5); a shape-keeping layer
// starts with its optional slot (0: keep, 1: skip).
//
// Macro skeleton and channels as zoo/proxylessnas.hpp: stride-2 stem to 8 channels, one fixed
// MBConv, stages 12 / 16 / 24 with strides 1 / 2 / 2 and 2 / 3 / 2 layers, 1x1 head to 48.
//
// The header brings everything the space needs: cost::of<zoo::single_path_nas> (the blocks' cost
// lowering, cost/lower_blocks.hpp) and nn::model<zoo::single_path_nas> (nn/supernet.hpp, nn/blocks.hpp)
// work with it alone.
#pragma once

#include <type_traits>

#include "nascent/blocks/mbconv.hpp"
#include "nascent/cost/costs.hpp"
#include "nascent/cost/lower_blocks.hpp"
#include "nascent/nn/blocks.hpp"
#include "nascent/nn/supernet.hpp"
#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/dense.hpp"
#include "nascent/ops/global_avg_pool.hpp"
#include "nascent/ops/relu6.hpp"
#include "nascent/space/elastic.hpp"
#include "nascent/space/optional.hpp"
#include "nascent/space/residual.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::zoo {

namespace single_path_nas_parts {

/// The expansion 1x1 convolution of W channels.
template <int W>
using expand = sequential<conv2d<W, 1>, batch_norm, relu6>;

/// The depthwise convolution at a stride, as a family of kernel sizes.
template <int Stride>
struct depthwise {
    template <int Kernel>
    using of = depthwise_conv2d<Kernel, Stride>;
};

/// The superkernel MBConv body: expansion 3 or 6, kernel 3 or 5.
template <int In, int Out, int Stride>
using body = sequential<elastic_width<expand, 3 * In, 6 * In>, elastic_kernel<depthwise<Stride>::template of, 3, 5>,
                        batch_norm, relu6, conv2d<Out, 1>, batch_norm>;

/// A layer that changes the shape.
template <int In, int Out, int Stride>
using reshaping_layer = body<In, Out, Stride>;

/// A layer that keeps the shape: residual, and may be skipped.
template <int C>
using keeping_layer = optional<residual<body<C, C, 1>>>;

} // namespace single_path_nas_parts

using single_path_nas =
    sequential<conv2d<8, 3, 2>, batch_norm, relu6, blocks::mbconv<8, 8, 3, 1>,
               single_path_nas_parts::reshaping_layer<8, 12, 1>, single_path_nas_parts::keeping_layer<12>,
               single_path_nas_parts::reshaping_layer<12, 16, 2>, single_path_nas_parts::keeping_layer<16>,
               single_path_nas_parts::keeping_layer<16>, single_path_nas_parts::reshaping_layer<16, 24, 2>,
               single_path_nas_parts::keeping_layer<24>, conv2d<48, 1>, batch_norm, relu6, global_avg_pool, dense<10>>;

} // namespace nascent::zoo
