// nascent/nn/channel_split.hpp - training interpreter of channel_split<Left, Right>.
//
// The input's channels are sliced in halves; Left runs on the first, then Right on the
// second (the decision cursor advances in slot order); the outputs are concatenated.
#pragma once

#include "nascent/nn/branches.hpp"
#include "nascent/space/channel_split.hpp"

namespace nascent::nn {

template <class Left, class Right, class T>
class trainable<nascent::channel_split<Left, Right>, T> : public detail::trainable_two_branches<Left, Right, true, T> {
public:
    using detail::trainable_two_branches<Left, Right, true, T>::trainable_two_branches;
};

} // namespace nascent::nn
