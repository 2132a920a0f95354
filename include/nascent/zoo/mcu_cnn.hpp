// nascent/zoo/mcu_cnn.hpp - a compact plain-CNN space for small-image classification on
// microcontrollers: the default space of the search program (examples/nascent_search).
//
// The shape of the hand-designed networks that do well on 28x28 images within 64 KB (two or
// three 3x3 convolution stages with pooling, then a small head), with every size searched:
//
//   stem:    conv 3x3 + batch norm + relu, 8 / 16 / 24 / 32 filters (elastic_width), that
//            halves the resolution either by a max pool 2x2 after it or by its own stride 2
//   stage 2: the same with 16 / 32 / 48 / 64 filters
//   stage 3: up to two more convs 3x3 of 32 / 48 / 64 filters (each optional)
//   head:    global average pooling and a dense classifier, or a 1x1 conv to 16 channels
//            that is flattened into the classifier (more weights, more spatial detail)
//
// The widths are elastic_width slots (weight sharing by channel masking, nn/elastic.hpp), so a
// supernet holds one set of weights per layer. Both ways of halving give the same resolution,
// so the head always sees 7x7 (on 28x28 inputs) and the flattened classifier's weights serve
// every path. On 28x28x1 inputs the space spans about 2 KB to 32 KB of peak RAM and 1 KB to
// 105 KB of int8 flash, below 8 M MACs: a budget of 64,000 bytes of flash cuts through its
// middle, and 4 KB of RAM admits only the strided convolutions.
//
// zoo::mcu_cnn_exits is the same space with early exits (EDANAS, NACHOS; docs/early_exits.md):
// after the stem no exit, a pooled linear head, or a head with a strided 3x3 convolution of 16
// filters first; after stage 2 no exit or a pooled linear head. Two more decisions, six times as
// many networks.
//
// The header brings everything the space needs: cost::of<zoo::mcu_cnn> and
// nn::model<zoo::mcu_cnn> work with it alone.
#pragma once

#include "nascent/cost/costs.hpp"
#include "nascent/cost/lower_blocks.hpp"
#include "nascent/nn/blocks.hpp"
#include "nascent/nn/supernet.hpp"
#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/dense.hpp"
#include "nascent/ops/flatten.hpp"
#include "nascent/ops/global_avg_pool.hpp"
#include "nascent/ops/max_pool2d.hpp"
#include "nascent/ops/relu.hpp"
#include "nascent/space/choice.hpp"
#include "nascent/space/early_exit.hpp"
#include "nascent/space/elastic.hpp"
#include "nascent/space/optional.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::zoo {

namespace mcu_cnn_parts {

/// conv 3x3 at Stride + batch norm + relu, as a family of widths.
template <int Stride>
struct conv3x3 {
    template <int Width>
    using of = sequential<conv2d<Width, 3, Stride>, batch_norm, relu>;
};

template <int Stride, int... Widths>
using searched_conv = elastic_width<conv3x3<Stride>::template of, Widths...>;

using pool = max_pool2d<2, 2, padding::same>;

/// A searched conv that halves the resolution: conv then pool, or a strided conv.
template <int... Widths>
using halving_conv = choice<sequential<searched_conv<1, Widths...>, pool>, searched_conv<2, Widths...>>;

using stem = halving_conv<8, 16, 24, 32>;
using stage2 = halving_conv<16, 32, 48, 64>;
using stage3 = sequential<optional<searched_conv<1, 32, 48, 64>>, optional<searched_conv<1, 32, 48, 64>>>;
using head = choice<sequential<global_avg_pool, dense<10>>,
                    sequential<conv2d<16, 1>, batch_norm, relu, flatten, dense<10>>>;

using linear_exit = sequential<global_avg_pool, dense<10>>;
using conv_exit = sequential<conv2d<16, 3, 2>, batch_norm, relu, global_avg_pool, dense<10>>;
using exit_after_stem = early_exit<linear_exit, conv_exit>;
using exit_after_stage2 = early_exit<linear_exit>;

} // namespace mcu_cnn_parts

using mcu_cnn = sequential<mcu_cnn_parts::stem, mcu_cnn_parts::stage2, mcu_cnn_parts::stage3, mcu_cnn_parts::head>;
using mcu_cnn_exits = sequential<mcu_cnn_parts::stem, mcu_cnn_parts::exit_after_stem, mcu_cnn_parts::stage2, mcu_cnn_parts::exit_after_stage2,
                                 mcu_cnn_parts::stage3, mcu_cnn_parts::head>;

} // namespace nascent::zoo
