// nascent/ops/identity.hpp - y = x (the "skip" option of a choice).
#pragma once

#include "nascent/ops/shape_preserving.hpp"

namespace nascent {

struct identity final : shape_preserving {};

} // namespace nascent
