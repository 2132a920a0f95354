// nascent/blocks/shuffle_xception.hpp - SPOS's Shuffle-Xception unit.
//
// A ShuffleNetV2 unit (blocks/shufflenet_v2.hpp) whose main branch is three depthwise 3x3 +
// pointwise pairs instead of one (Xception's separable stack), with Mid = Out / 2:
//   depthwise 3x3 (stride Stride) + BN, 1x1 -> Mid + BN + relu,
//   depthwise 3x3 + BN, 1x1 -> Mid + BN + relu,
//   depthwise 3x3 + BN, 1x1 -> (Out / 2 at stride 1, Out - In at stride 2) + BN + relu.
// Stride 1 splits the channels (In == Out), stride 2 adds the projection branch; then channel_shuffle<2>.
#pragma once

#include <type_traits>

#include "nascent/blocks/shufflenet_v2.hpp"
#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/channel_shuffle.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/identity.hpp"
#include "nascent/ops/relu.hpp"
#include "nascent/space/branches.hpp"
#include "nascent/space/channel_split.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::blocks {

template <int Mid, int Out, int Stride>
using shuffle_xception_branch =
    sequential<depthwise_conv2d<3, Stride>, batch_norm, conv2d<Mid, 1>, batch_norm, relu, depthwise_conv2d<3>, batch_norm,
               conv2d<Mid, 1>, batch_norm, relu, depthwise_conv2d<3>, batch_norm, conv2d<Out, 1>, batch_norm, relu>;

namespace detail {

template <int In, int Out, int Stride>
struct shuffle_xception_unit {
    static_assert(Stride == 1 || Stride == 2, "shuffle_xception<In, Out, Stride>: stride 1 or 2");
    static_assert(Stride == 2 || (In == Out && In % 2 == 0), "shuffle_xception stride 1 keeps an even channel count: In == Out");
    static_assert(Stride == 1 || (Out > In && Out % 2 == 0), "shuffle_xception stride 2 widens to an even Out > In");
    using type = std::conditional_t<
        Stride == 1, sequential<channel_split<identity, shuffle_xception_branch<Out / 2, Out / 2, 1>>, channel_shuffle<2>>,
        sequential<branches<shufflenet_v2_projection<In, 3>, shuffle_xception_branch<Out / 2, Out - In, 2>>, channel_shuffle<2>>>;
};

} // namespace detail

template <int In, int Out, int Stride = 1>
using shuffle_xception = typename detail::shuffle_xception_unit<In, Out, Stride>::type;

} // namespace nascent::blocks
