// nascent/zoo/fbnet.hpp - the FBNet space (Wu et al., CVPR 2019), sized for a 64 KB microcontroller.
//
// Macro skeleton as zoo/proxylessnas.hpp (FBNet's own is MobileNetV2's too): a stride-2
// stem, one fixed block, searched layers in three stages, a 1x1 head, pooling, classifier.
// Each searched layer chooses among FBNet's blocks (blocks/grouped_mbconv.hpp: 1x1, relu,
// depthwise, relu, 1x1; grouped 1x1 convolutions and a channel shuffle for "g2"), in
// FBNet's order
//   0 k3_e1, 1 k3_e1_g2, 2 k3_e3, 3 k3_e6, 4 k5_e1, 5 k5_e1_g2, 6 k5_e3, 7 k5_e6,
// and, where the layer keeps its shape, 8: skip.
//
// Channels (original in brackets): stem 8 (16), first block 8 (16), stages 12 / 16 / 24
// (24 ... 352) with strides 1 / 2 / 2 and 2 / 3 / 2 layers, head 1x1 to 48 (1984).
// All channel counts are even, so every grouped option splits into its 2 groups.
//
// The header brings everything the space needs: cost::of<zoo::fbnet> (the blocks' cost
// lowering, cost/lower_blocks.hpp) and nn::model<zoo::fbnet> (nn/supernet.hpp, nn/blocks.hpp)
// work with it alone.
#pragma once

#include "nascent/blocks/grouped_mbconv.hpp"
#include "nascent/cost/costs.hpp"
#include "nascent/cost/lower_blocks.hpp"
#include "nascent/nn/blocks.hpp"
#include "nascent/nn/supernet.hpp"
#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/dense.hpp"
#include "nascent/ops/global_avg_pool.hpp"
#include "nascent/ops/identity.hpp"
#include "nascent/ops/relu.hpp"
#include "nascent/space/choice.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::zoo {

namespace fbnet_parts {

template <int In, int Out, int Kernel, int Expansion, int Groups, int Stride>
using block = blocks::grouped_mbconv<In, Out, Kernel, Expansion, Groups, Stride>;

/// A searched layer that changes the shape: FBNet's eight blocks.
template <int In, int Out, int Stride>
using reshaping_layer =
    choice<block<In, Out, 3, 1, 1, Stride>, block<In, Out, 3, 1, 2, Stride>, block<In, Out, 3, 3, 1, Stride>,
           block<In, Out, 3, 6, 1, Stride>, block<In, Out, 5, 1, 1, Stride>, block<In, Out, 5, 1, 2, Stride>,
           block<In, Out, 5, 3, 1, Stride>, block<In, Out, 5, 6, 1, Stride>>;

/// A searched layer that keeps the shape: the eight residual blocks or skip.
template <int C>
using keeping_layer = choice<block<C, C, 3, 1, 1, 1>, block<C, C, 3, 1, 2, 1>, block<C, C, 3, 3, 1, 1>, block<C, C, 3, 6, 1, 1>,
                             block<C, C, 5, 1, 1, 1>, block<C, C, 5, 1, 2, 1>, block<C, C, 5, 3, 1, 1>, block<C, C, 5, 6, 1, 1>,
                             identity>;

} // namespace fbnet_parts

using fbnet = sequential<conv2d<8, 3, 2>, batch_norm, relu, fbnet_parts::block<8, 8, 3, 1, 1, 1>,
                         fbnet_parts::reshaping_layer<8, 12, 1>, fbnet_parts::keeping_layer<12>,
                         fbnet_parts::reshaping_layer<12, 16, 2>, fbnet_parts::keeping_layer<16>, fbnet_parts::keeping_layer<16>,
                         fbnet_parts::reshaping_layer<16, 24, 2>, fbnet_parts::keeping_layer<24>, conv2d<48, 1>, batch_norm,
                         relu, global_avg_pool, dense<10>>;

} // namespace nascent::zoo
