// nascent/runtime/int8/rescale.hpp - the rescaling of int8 pools, activations and concat.
//
// params (int32): z_in, z_out, act_min, act_max, multiplier, shift (param_layout::rescale);
// rescale_params_of(step, params) reads them; rescale_elements() applies them element-wise.
// The identity factor (2^30, 1) with equal zero points only clamps.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/fixed_point.hpp"
#include "nascent/runtime/int8/conv_params.hpp"

namespace nascent::deploy::param_layout {

// int8 pools and standalone activations: z_in, z_out, act_min, act_max as conv, then
namespace rescale {
inline constexpr int multiplier = 4;
inline constexpr int shift = 5;
inline constexpr int count = 6;
} // namespace rescale

} // namespace nascent::deploy::param_layout

namespace nascent::deploy::int8 {

namespace detail {

using namespace nascent::deploy::detail;

/// The (z_in, z_out, act_min, act_max, multiplier, shift) of pools and activations.
struct rescale_params {
    std::int32_t z_in = 0;
    std::int32_t z_out = 0;
    std::int32_t lo = -128;
    std::int32_t hi = 127;
    std::int32_t multiplier = std::int32_t{1} << 30;
    int shift = 1;

    /// True when values keep their scale and zero point (only the clamp applies).
    [[nodiscard]] bool identity() const noexcept {
        return multiplier == identity_multiplier.multiplier && shift == identity_multiplier.shift && z_in == z_out;
    }
    [[nodiscard]] std::int8_t operator()(std::int32_t x) const noexcept {
        return static_cast<std::int8_t>(requantize(x - z_in, multiplier, shift, z_out, lo, hi));
    }
    [[nodiscard]] std::int8_t clamp(std::int32_t v) const noexcept {
        return static_cast<std::int8_t>(v < lo ? lo : (v > hi ? hi : v));
    }
};

[[nodiscard]] inline rescale_params rescale_params_of(const step& s, const std::int32_t* params) noexcept {
    const std::int32_t* p = params + s.params;
    return {p[param_layout::z_in], p[param_layout::z_out], p[param_layout::act_min], p[param_layout::act_max],
            p[param_layout::rescale::multiplier], static_cast<int>(p[param_layout::rescale::shift])};
}

/// Applies r to every element of input 0 into the output (element-wise; may run in place).
inline void rescale_elements(const step& s, std::byte* arena, const rescale_params& r) noexcept {
    if (r.identity()) map_elements<std::int8_t>(s, arena, [&r](std::int8_t x) { return r.clamp(x); });
    else map_elements<std::int8_t>(s, arena, r);
}

} // namespace detail

} // namespace nascent::deploy::int8
