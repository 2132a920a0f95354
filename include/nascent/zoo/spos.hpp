// nascent/zoo/spos.hpp - the Single Path One-Shot space (Guo et al., ECCV 2020), sized for a
// 64 KB microcontroller.
//
// ShuffleNetV2 skeleton: a stem convolution, three stages whose first unit halves the
// resolution and widens (the two-branch stride-2 unit) and whose other units keep the
// shape (the channel-split stride-1 unit), a 1x1 head, global pooling and a classifier.
// Each unit chooses among SPOS's four blocks, in SPOS's order
//   0 ShuffleNetV2 k3, 1 ShuffleNetV2 k5, 2 ShuffleNetV2 k7, 3 Shuffle-Xception
// (blocks/shufflenet_v2.hpp, blocks/shuffle_xception.hpp); there is no skip, as in SPOS's
// block search.
//
// Channels (original in brackets): stem 8 at stride 1 (16, stride 2), stages 16 / 32 / 64
// (64 ... 640) with 4 / 4 / 3 units (4 / 4 / 8 / 4), head 1x1 to 96 (1024). On 28x28
// inputs the stages run at 14x14, 7x7 and 4x4.
//
// The header brings everything the space needs: cost::of<zoo::spos> (the blocks' cost
// lowering, cost/lower_blocks.hpp) and nn::model<zoo::spos> (nn/supernet.hpp, nn/blocks.hpp)
// work with it alone.
#pragma once

#include "nascent/blocks/shuffle_xception.hpp"
#include "nascent/blocks/shufflenet_v2.hpp"
#include "nascent/cost/costs.hpp"
#include "nascent/cost/lower_blocks.hpp"
#include "nascent/nn/blocks.hpp"
#include "nascent/nn/supernet.hpp"
#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/dense.hpp"
#include "nascent/ops/global_avg_pool.hpp"
#include "nascent/ops/relu.hpp"
#include "nascent/space/choice.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::zoo {

namespace spos_parts {

/// One searched unit: In -> Out channels at stride Stride.
template <int In, int Out, int Stride>
using unit = choice<blocks::shufflenet_v2<In, Out, 3, Stride>, blocks::shufflenet_v2<In, Out, 5, Stride>,
                    blocks::shufflenet_v2<In, Out, 7, Stride>, blocks::shuffle_xception<In, Out, Stride>>;

} // namespace spos_parts

using spos = sequential<conv2d<8, 3>, batch_norm, relu,
                        // stage 1: 16 channels (14x14 on 28x28 inputs)
                        spos_parts::unit<8, 16, 2>, spos_parts::unit<16, 16, 1>, spos_parts::unit<16, 16, 1>,
                        spos_parts::unit<16, 16, 1>,
                        // stage 2: 32 channels (7x7)
                        spos_parts::unit<16, 32, 2>, spos_parts::unit<32, 32, 1>, spos_parts::unit<32, 32, 1>,
                        spos_parts::unit<32, 32, 1>,
                        // stage 3: 64 channels (4x4)
                        spos_parts::unit<32, 64, 2>, spos_parts::unit<64, 64, 1>, spos_parts::unit<64, 64, 1>,
                        conv2d<96, 1>, batch_norm, relu, global_avg_pool, dense<10>>;

} // namespace nascent::zoo
