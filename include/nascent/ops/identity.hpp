// nascent/ops/identity.hpp - y = x (the "skip" option of a choice).
#pragma once

#include <cstddef>

#include "nascent/core/shape.hpp"

namespace nascent {

struct identity final {
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return in.valid(); }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return in; }
    [[nodiscard]] static constexpr std::size_t params(shape /*in*/) noexcept { return 0; }
    [[nodiscard]] static constexpr std::size_t macs(shape /*in*/) noexcept { return 0; }
};

} // namespace nascent
