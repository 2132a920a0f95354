// nascent/ops/shape_preserving.hpp - the common descriptor part of parameter-free ops
// that keep their input's shape (activations, identity, dropout).
#pragma once

#include <cstddef>

#include "nascent/core/shape.hpp"

namespace nascent {

/// Accepts any valid shape, returns it unchanged, has no parameters and counts no MACs.
struct shape_preserving {
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return in.valid(); }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return in; }
    [[nodiscard]] static constexpr std::size_t params(shape /*in*/) noexcept { return 0; }
    [[nodiscard]] static constexpr std::size_t macs(shape /*in*/) noexcept { return 0; }
};

} // namespace nascent
