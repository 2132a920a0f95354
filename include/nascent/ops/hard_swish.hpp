// nascent/ops/hard_swish.hpp - hard swish y = x * relu6(x + 3) / 6 (MobileNetV3).
//
//     using head = sequential<conv2d<16, 3>, batch_norm, hard_swish, global_avg_pool, dense<10>>;
#pragma once

#include "nascent/ops/shape_preserving.hpp"

namespace nascent {

struct hard_swish final : shape_preserving {};

} // namespace nascent
