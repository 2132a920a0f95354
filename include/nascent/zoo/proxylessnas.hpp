// nascent/zoo/proxylessnas.hpp - the ProxylessNAS space (Cai et al., ICLR 2019), sized for a
// 64 KB microcontroller.
//
// Macro skeleton (MobileNetV2's, shortened): a stride-2 stem, one fixed MBConv, then
// searched layers in three stages, a 1x1 head, global pooling and a classifier.
// Each searched layer chooses among six MBConvs (blocks/mbconv.hpp): kernel 3, 5 or 7
// times expansion 3 or 6, in the order
//   0 k3e3, 1 k3e6, 2 k5e3, 3 k5e6, 4 k7e3, 5 k7e6,
// and, where the layer keeps its shape (stride 1, same channels), 6: skip (identity: the
// block is left out, as ProxylessNAS's "zero" op on a residual).
//
// Channels (original in brackets): stem 8 (32), first MBConv 8 (16), stages 12 / 16 / 24
// (24 ... 320) with strides 1 / 2 / 2 and 2 / 3 / 2 layers, head 1x1 to 48 (1280). On
// 28x28 inputs the stages run at 14x14, 7x7 and 4x4.
// Slots: one per searched layer, 7 decisions (docs/spaces.md lists the figures).
//
// The header brings everything the space needs: cost::of<zoo::proxylessnas> (the blocks' cost
// lowering, cost/lower_blocks.hpp) and nn::model<zoo::proxylessnas> (nn/supernet.hpp, nn/blocks.hpp)
// work with it alone.
#pragma once

#include "nascent/blocks/mbconv.hpp"
#include "nascent/cost/costs.hpp"
#include "nascent/cost/lower_blocks.hpp"
#include "nascent/nn/blocks.hpp"
#include "nascent/nn/supernet.hpp"
#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/dense.hpp"
#include "nascent/ops/global_avg_pool.hpp"
#include "nascent/ops/identity.hpp"
#include "nascent/ops/relu6.hpp"
#include "nascent/space/choice.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::zoo {

namespace proxylessnas_parts {

/// A searched layer that changes the shape: the six MBConvs.
template <int In, int Out, int Stride>
using reshaping_layer = choice<blocks::mbconv<In, Out, 3, 3, Stride>, blocks::mbconv<In, Out, 3, 6, Stride>,
                               blocks::mbconv<In, Out, 5, 3, Stride>, blocks::mbconv<In, Out, 5, 6, Stride>,
                               blocks::mbconv<In, Out, 7, 3, Stride>, blocks::mbconv<In, Out, 7, 6, Stride>>;

/// A searched layer that keeps the shape: the six residual MBConvs or skip.
template <int C>
using keeping_layer = choice<blocks::mbconv<C, C, 3, 3>, blocks::mbconv<C, C, 3, 6>, blocks::mbconv<C, C, 5, 3>,
                             blocks::mbconv<C, C, 5, 6>, blocks::mbconv<C, C, 7, 3>, blocks::mbconv<C, C, 7, 6>, identity>;

} // namespace proxylessnas_parts

using proxylessnas =
    sequential<conv2d<8, 3, 2>, batch_norm, relu6, blocks::mbconv<8, 8, 3, 1>,
               proxylessnas_parts::reshaping_layer<8, 12, 1>, proxylessnas_parts::keeping_layer<12>,
               proxylessnas_parts::reshaping_layer<12, 16, 2>, proxylessnas_parts::keeping_layer<16>,
               proxylessnas_parts::keeping_layer<16>, proxylessnas_parts::reshaping_layer<16, 24, 2>,
               proxylessnas_parts::keeping_layer<24>, conv2d<48, 1>, batch_norm, relu6, global_avg_pool, dense<10>>;

} // namespace nascent::zoo
