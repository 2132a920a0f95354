// nascent/ops/max_pool2d.hpp - max pooling (training kernels: nn/kernels/max_pool2d.hpp).
#pragma once

#include "nascent/ops/pool2d.hpp"

namespace nascent {

/// Max pooling over Kernel x Kernel windows (stride defaults to the kernel).
template <int Kernel, int Stride = Kernel, padding Pad = padding::valid>
struct max_pool2d final : pool2d_descriptor<Kernel, Stride, Pad> {};

} // namespace nascent
