// nascent/ops/global_avg_pool.hpp - mean over the spatial extent: {h, w, c} -> {1, 1, c}.
#pragma once

#include <cstddef>

#include "nascent/core/shape.hpp"

namespace nascent {

struct global_avg_pool final {
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return in.valid(); }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return shape{1, 1, in.c}; }
    [[nodiscard]] static constexpr std::size_t params(shape /*in*/) noexcept { return 0; }
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept { return in.size(); }
};

} // namespace nascent
