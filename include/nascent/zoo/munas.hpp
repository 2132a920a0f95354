// nascent/zoo/munas.hpp - the μNAS CNN space (Liberis et al., "μNAS: Constrained Neural Architecture
// Search for Microcontrollers", 2021), as a type.
//
// μNAS grows a chain of convolution blocks, each of one to three layers, then global
// pooling and one to three dense layers. Here:
//
// layer<Stride>: one of
//   0 conv 3x3, 1 conv 5x5, 2 conv 7x7, 3 conv 1x1   (each with a width slot: 8, 16 or 24 filters)
//   4 depthwise 3x3, 5 depthwise 5x5, 6 depthwise 7x7 (keeps the channels)
// then batch norm and relu. The first layer of the network has no depthwise options (its
// input has one or three channels).
//
// plain block: an optional pre-pool (max or average 2x2, stride 2; "same" padding, so it
// never fails on a small input), a first layer at stride 1 or 2 (slot: 0 stride 1,
// 1 stride 2), and up to two more layers (optional).
// residual block: up to three stride-1 layers whose output is added to the block's input
// (μNAS's optional branch from the previous block, joined by Add). It is valid only when
// the last layer's width equals the block's input channels; random sampling and
// space::validate reject the others.
//
// network: a plain first block, then three blocks each of which may be left out
// (optional) and is either plain or residual (choice), global average pooling, up to two
// hidden dense layers of 24 units + relu (optional), and the dense classifier.
//
// Departures from μNAS: widths are 8 / 16 / 24 (μNAS draws any count), the pool size is 2,
// strides and pre-pools belong to a block's first layer, and the skip connection spans
// one block; the chain has at most four blocks.
//
// The header brings everything the space needs: cost::of<zoo::munas> (the blocks' cost
// lowering, cost/lower_blocks.hpp) and nn::model<zoo::munas> (nn/supernet.hpp, nn/blocks.hpp)
// work with it alone.
#pragma once

#include "nascent/cost/costs.hpp"
#include "nascent/cost/lower_blocks.hpp"
#include "nascent/nn/blocks.hpp"
#include "nascent/nn/supernet.hpp"
#include "nascent/ops/avg_pool2d.hpp"
#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/dense.hpp"
#include "nascent/ops/global_avg_pool.hpp"
#include "nascent/ops/max_pool2d.hpp"
#include "nascent/ops/relu.hpp"
#include "nascent/space/choice.hpp"
#include "nascent/space/elastic.hpp"
#include "nascent/space/optional.hpp"
#include "nascent/space/residual.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::zoo {

namespace munas_parts {

/// A convolution + batch norm + relu of Kernel and Stride, as a family of widths.
template <int Kernel, int Stride>
struct conv {
    template <int Width>
    using of = sequential<conv2d<Width, Kernel, Stride>, batch_norm, relu>;
};

/// The width slot of a convolution: 8, 16 or 24 filters.
template <int Kernel, int Stride>
using conv_option = elastic_width<conv<Kernel, Stride>::template of, 8, 16, 24>;

template <int Kernel, int Stride>
using depthwise_option = sequential<depthwise_conv2d<Kernel, Stride>, batch_norm, relu>;

/// The network's first layer: convolutions only.
template <int Stride>
using first_layer =
    choice<conv_option<3, Stride>, conv_option<5, Stride>, conv_option<7, Stride>, conv_option<1, Stride>>;

template <int Stride>
using layer = choice<conv_option<3, Stride>, conv_option<5, Stride>, conv_option<7, Stride>, conv_option<1, Stride>,
                     depthwise_option<3, Stride>, depthwise_option<5, Stride>, depthwise_option<7, Stride>>;

using pre_pool = optional<choice<max_pool2d<2, 2, padding::same>, avg_pool2d<2, 2, padding::same>>>;

template <template <int> class Layer>
using plain_block = sequential<pre_pool, choice<Layer<1>, Layer<2>>, optional<layer<1>>, optional<layer<1>>>;

using residual_block = residual<sequential<layer<1>, optional<layer<1>>, optional<layer<1>>>>;

using later_block = optional<choice<plain_block<layer>, residual_block>>;

using hidden_dense = optional<sequential<dense<24>, relu>>;

} // namespace munas_parts

using munas = sequential<munas_parts::plain_block<munas_parts::first_layer>, munas_parts::later_block, munas_parts::later_block,
                         munas_parts::later_block, global_avg_pool, munas_parts::hidden_dense, munas_parts::hidden_dense,
                         dense<10>>;

} // namespace nascent::zoo
