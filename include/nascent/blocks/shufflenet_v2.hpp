// nascent/blocks/shufflenet_v2.hpp - ShuffleNetV2's unit, as Single Path One-Shot (SPOS) searches it.
//
// shufflenet_v2<In, Out, Kernel, Stride>, with Mid = Out / 2 channels inside the main branch:
// - Stride 1 (In == Out): channel_split<identity, main>: half the channels pass unchanged,
//   the other half runs the main branch
//     1x1 -> Mid + BN + relu, depthwise Kernel + BN, 1x1 -> Out / 2 + BN + relu;
// - Stride 2 (Out > In): branches<projection, main>: both read the whole input;
//     projection: depthwise Kernel stride 2 + BN, 1x1 -> In + BN + relu;
//     main: as above with the depthwise at stride 2 and Out - In output channels;
// then channel_shuffle<2> mixes the two halves for the next unit.
// shufflenet_v2_branch and shufflenet_v2_projection are exposed for blocks built on them
// (blocks/shuffle_xception.hpp).
#pragma once

#include <type_traits>

#include "nascent/ops/batch_norm.hpp"
#include "nascent/ops/channel_shuffle.hpp"
#include "nascent/ops/conv2d.hpp"
#include "nascent/ops/identity.hpp"
#include "nascent/ops/relu.hpp"
#include "nascent/space/branches.hpp"
#include "nascent/space/channel_split.hpp"
#include "nascent/space/sequential.hpp"

namespace nascent::blocks {

/// The main branch: 1x1 -> Mid, depthwise Kernel (stride Stride), 1x1 -> Out.
template <int Mid, int Out, int Kernel, int Stride>
using shufflenet_v2_branch = sequential<conv2d<Mid, 1>, batch_norm, relu, depthwise_conv2d<Kernel, Stride>, batch_norm,
                                        conv2d<Out, 1>, batch_norm, relu>;

/// The stride-2 unit's projection branch: depthwise Kernel stride 2, 1x1 -> In.
template <int In, int Kernel>
using shufflenet_v2_projection = sequential<depthwise_conv2d<Kernel, 2>, batch_norm, conv2d<In, 1>, batch_norm, relu>;

namespace detail {

template <int In, int Out, int Kernel, int Stride>
struct shufflenet_v2_unit {
    static_assert(Stride == 1 || Stride == 2, "shufflenet_v2<In, Out, Kernel, Stride>: stride 1 or 2");
    static_assert(Stride == 2 || (In == Out && In % 2 == 0), "shufflenet_v2 stride 1 keeps an even channel count: In == Out");
    static_assert(Stride == 1 || (Out > In && Out % 2 == 0), "shufflenet_v2 stride 2 widens to an even Out > In");
    using type = std::conditional_t<
        Stride == 1,
        sequential<channel_split<identity, shufflenet_v2_branch<Out / 2, Out / 2, Kernel, 1>>, channel_shuffle<2>>,
        sequential<branches<shufflenet_v2_projection<In, Kernel>, shufflenet_v2_branch<Out / 2, Out - In, Kernel, 2>>,
                   channel_shuffle<2>>>;
};

} // namespace detail

template <int In, int Out, int Kernel, int Stride = 1>
using shufflenet_v2 = typename detail::shufflenet_v2_unit<In, Out, Kernel, Stride>::type;

} // namespace nascent::blocks
