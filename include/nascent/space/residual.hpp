// nascent/space/residual.hpp - y = x + Block(x); Block must keep the shape.
#pragma once

#include <cstddef>

#include "nascent/core/shape.hpp"

namespace nascent {

template <class Block>
struct residual final {
    /// The block must accept the input and give back the same shape, so the two can be added.
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return Block::accepts(in) && Block::output(in) == in; }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return in; }
    [[nodiscard]] static constexpr std::size_t params(shape in) noexcept { return Block::params(in); }
    /// The block's MACs plus one addition per element.
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept { return Block::macs(in) + in.size(); }
};

} // namespace nascent
