// nascent/space/channel_split.hpp - split the channels in halves, one branch per half, concatenate.
//
// channel_split<Left, Right>: Left reads the first half of the input's channels, Right the
// second half; the output is [Left(first half), Right(second half)] along channels
// (ShuffleNetV2's stride-1 unit is channel_split<identity, branch> then channel_shuffle<2>).
// The input's channel count must be even. Slots: Left's, then Right's (space/branches.hpp).
#pragma once

#include "nascent/space/branches.hpp"

namespace nascent {

template <class Left, class Right>
struct channel_split final : detail::two_branches<Left, Right, true> {};

} // namespace nascent
