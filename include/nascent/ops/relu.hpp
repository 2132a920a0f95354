// nascent/ops/relu.hpp - rectified linear unit y = max(x, 0).
#pragma once

#include "nascent/ops/shape_preserving.hpp"

namespace nascent {

struct relu final : shape_preserving {};

} // namespace nascent
