// nascent/zoo/munas.hpp - the μNAS CNN space (Liberis et al., 2021) as the type `zoo::munas`.
//
//   nn::model<zoo::munas> model(shape{28, 28, 1}, seed);
//   const cost::costs c = cost::of<zoo::munas>(shape{28, 28, 1}, precision::int8, arch);
//
// A plain first block, then three blocks each optional and either plain or residual, global average
// pooling, up to two hidden dense layers of 24 units + relu (optional), and the dense classifier.
// Plain block: an optional pre-pool (max or average 2x2, stride 2, "same" padding), a first layer at
// stride 1 or 2 (slot 0 or 1), up to two more layers (optional). Residual block: up to three stride-1
// layers added to the block's input, valid only when the last width equals the input channels
// (space::sample and space::validate reject the others). Layer options: 0-3 conv 3x3, 5x5, 7x7, 1x1
// (width slot: 8, 16 or 24 filters), 4-6 depthwise 3x3, 5x5, 7x7 (none in the network's first
// layer); then batch norm and relu. The header alone makes cost::of and nn::model work.
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
