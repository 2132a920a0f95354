// nascent/ops/avg_pool2d.hpp - average pooling (training kernels: nn/kernels/avg_pool2d.hpp).
//
// Padded positions (padding::same) are not counted: each output is the mean of
// the real pixels under its window.
#pragma once

#include "nascent/ops/pool2d.hpp"

namespace nascent {

/// Average pooling over Kernel x Kernel windows (stride defaults to the kernel).
template <int Kernel, int Stride = Kernel, padding Pad = padding::valid>
struct avg_pool2d final : pool2d_descriptor<Kernel, Stride, Pad> {};

} // namespace nascent
