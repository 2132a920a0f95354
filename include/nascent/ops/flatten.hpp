// nascent/ops/flatten.hpp - {h, w, c} -> {1, 1, h * w * c}.
//
// Activations are NHWC and contiguous, so flattening moves no data: the
// features come in (h, w, c) order, as TF Lite and CMSIS-NN expect them.
#pragma once

#include <cstddef>

#include "nascent/core/shape.hpp"

namespace nascent {

struct flatten final {
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return in.valid(); }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return shape{1, 1, static_cast<int>(in.size())}; }
    [[nodiscard]] static constexpr std::size_t params(shape /*in*/) noexcept { return 0; }
    [[nodiscard]] static constexpr std::size_t macs(shape /*in*/) noexcept { return 0; }
};

} // namespace nascent
