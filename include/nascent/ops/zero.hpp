// nascent/ops/zero.hpp - y = 0 (the "none" edge of a DARTS cell), optionally strided.
//
// With Stride 2 the output has the spatial extent of a stride-2 "same" op,
// so it can stand beside the other options of a reduction edge.
#pragma once

#include <cstddef>

#include "nascent/core/shape.hpp"

namespace nascent {

template <int Stride = 1>
struct zero final {
    static_assert(Stride == 1 || Stride == 2, "zero<Stride> supports strides 1 and 2");
    static constexpr int stride = Stride;

    [[nodiscard]] static constexpr bool accepts(shape in) noexcept { return in.valid(); }
    [[nodiscard]] static constexpr shape output(shape in) noexcept {
        return shape{same_extent(in.h, Stride), same_extent(in.w, Stride), in.c};
    }
    [[nodiscard]] static constexpr std::size_t params(shape /*in*/) noexcept { return 0; }
    [[nodiscard]] static constexpr std::size_t macs(shape /*in*/) noexcept { return 0; }
};

} // namespace nascent
