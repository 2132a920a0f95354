// nascent/runtime/float/clamp.hpp - the output clamp of the float32 kernels (fused relu, relu6).
//
// clamp_of(activation) is the range [0, inf), [0, 6] or everything; clamp_elements() applies one
// to a step's input element by element (standalone relu and relu6). Freestanding.
#pragma once

#include <limits>

#include "nascent/runtime/geometry.hpp"

namespace nascent::deploy::float32 {

namespace detail {

using namespace nascent::deploy::detail;

/// The output clamp of a fused activation.
struct clamp_range {
    float lo = -std::numeric_limits<float>::infinity();
    float hi = std::numeric_limits<float>::infinity();

    [[nodiscard]] constexpr float operator()(float v) const noexcept { return v < lo ? lo : (v > hi ? hi : v); }
};

[[nodiscard]] constexpr clamp_range clamp_of(fused_activation a) noexcept {
    clamp_range r;
    if (a != fused_activation::none) r.lo = 0.0F;
    if (a == fused_activation::relu6) r.hi = 6.0F;
    return r;
}

/// y = r(x) for every element of the step's input into its output (standalone relu, relu6).
inline void clamp_elements(const step& s, std::byte* arena, clamp_range r) noexcept { map_elements<float>(s, arena, r); }

} // namespace detail

} // namespace nascent::deploy::float32
