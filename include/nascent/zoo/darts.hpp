// nascent/zoo/darts.hpp - the DARTS cell space as On-NAS uses it (Liu et al., ICLR 2019),
// sized for a 64 KB microcontroller.
//
// A stem convolution, then three cells (space/cell.hpp) separated by fixed stride-2
// reductions that widen the channels, global pooling and a classifier. Each cell has
// three intermediate nodes; node j sums two edges, each an op applied to the cell input or
// an earlier node. Edge ops (C channels, shape kept), in this order:
//   0 max pool 3x3, 1 average pool 3x3, 2 skip (identity),
//   3 conv 1x5 then 5x1 (blocks/factorized_conv.hpp), 4 conv 3x3 (blocks/relu_conv_bn.hpp),
//   5 separable conv 3x3 (blocks/sep_conv.hpp), 6 dilated conv 3x3, dilation 2
//   (blocks/dil_conv.hpp), 7 none (zero<1>).
// DARTS's convolutions put relu first and batch norm last; pools are "same"-padded with
// stride 1 (average over real pixels, as count_include_pad=False).
//
// Departures (space/cell.hpp): one cell input and a summed output (no concatenation, no
// 1x1 preprocessing); reduction between cells is a fixed relu + 3x3 stride-2 convolution +
// batch norm instead of a searched reduction cell; the 1x7 / 7x1 convolution is 1x5 / 5x1.
// Cells are all different (each has its own decisions), not one normal cell repeated.
//
// Channels: 8 at the input's resolution (stem and first cell), 16 at half, 24 at a quarter.
//
// The header brings everything the space needs: cost::of<zoo::darts> (the blocks' cost
// lowering, cost/lower_blocks.hpp) and nn::model<zoo::darts> (nn/supernet.hpp, nn/blocks.hpp)
// work with it alone.
#pragma once

#include "nascent/blocks/dil_conv.hpp"
#include "nascent/blocks/factorized_conv.hpp"
#include "nascent/blocks/relu_conv_bn.hpp"
#include "nascent/blocks/sep_conv.hpp"
#include "nascent/cost/costs.hpp"
#include "nascent/cost/lower_blocks.hpp"
#include "nascent/nn/blocks.hpp"
#include "nascent/nn/supernet.hpp"
#include "nascent/ops/avg_pool2d.hpp"
#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/dense.hpp"
#include "nascent/ops/global_avg_pool.hpp"
#include "nascent/ops/identity.hpp"
#include "nascent/ops/max_pool2d.hpp"
#include "nascent/ops/relu.hpp"
#include "nascent/ops/zero.hpp"
#include "nascent/space/cell.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::zoo {

namespace darts_parts {

/// A cell of three nodes over DARTS's eight edge ops at C channels.
template <int C>
using darts_cell = cell<3, max_pool2d<3, 1, padding::same>, avg_pool2d<3, 1, padding::same>, identity,
                        blocks::factorized_conv<C, 5>, blocks::relu_conv_bn<C, 3>, blocks::sep_conv<C, 3>,
                        blocks::dil_conv<C, 3, 2>, zero<1>>;

} // namespace darts_parts

using darts = sequential<conv2d<8, 3>, batch_norm, darts_parts::darts_cell<8>, blocks::relu_conv_bn<16, 3, 2>,
                         darts_parts::darts_cell<16>, blocks::relu_conv_bn<24, 3, 2>, darts_parts::darts_cell<24>, relu,
                         global_avg_pool, dense<10>>;

} // namespace nascent::zoo
