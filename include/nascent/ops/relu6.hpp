// nascent/ops/relu6.hpp - clipped rectifier y = min(max(x, 0), 6) (MobileNet, MBConv).
#pragma once

#include "nascent/ops/shape_preserving.hpp"

namespace nascent {

struct relu6 final : shape_preserving {};

} // namespace nascent
