// nascent/ops/hard_sigmoid.hpp - hard sigmoid y = relu6(x + 3) / 6 (MobileNetV3's squeeze-and-excite gate).
//
//     using head = sequential<conv2d<16, 3>, batch_norm, hard_sigmoid, global_avg_pool, dense<10>>;
#pragma once

#include "nascent/ops/shape_preserving.hpp"

namespace nascent {

struct hard_sigmoid final : shape_preserving {};

} // namespace nascent
