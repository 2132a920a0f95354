// nascent/runtime/int8/conv_params.hpp - the quantisation of an int8 conv or dense step, as its kernels read it.
//
// params (int32) of conv and dense: z_in, z_out, act_min, act_max, then bias[C], multiplier[C],
// shift[C] (param_layout below; weighted_count(C) of them). conv_params_of(step, params) reads
// them once; q(oc, acc) is output channel oc's int8 value of a sum without the bias.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/fixed_point.hpp"
#include "nascent/runtime/int8/bytes.hpp"
#include "nascent/runtime/program.hpp"

namespace nascent::deploy::param_layout {

// int8 conv / dense
inline constexpr int z_in = 0;
inline constexpr int z_out = 1;
inline constexpr int act_min = 2;
inline constexpr int act_max = 3;
inline constexpr int channels_begin = 4;  ///< bias[C] at 4, multiplier[C] at 4 + C, shift[C] at 4 + 2C

/// Parameters of an int8 conv or dense step of `channels` output channels.
[[nodiscard]] constexpr std::uint32_t weighted_count(int channels) noexcept {
    return static_cast<std::uint32_t>(channels_begin) + 3U * static_cast<std::uint32_t>(channels);
}

} // namespace nascent::deploy::param_layout

namespace nascent::deploy::int8 {

namespace detail {

using namespace nascent::deploy::detail;

/// Filters whose starting sums a conv computes at once (a stack array of int32).
inline constexpr int filter_chunk = 32;

/// v clamped to [lo, hi], as a byte.
[[nodiscard, gnu::always_inline]] inline std::int8_t clamped(std::int32_t v, std::int32_t lo, std::int32_t hi) noexcept {
    return static_cast<std::int8_t>(v < lo ? lo : (v > hi ? hi : v));
}

/// A conv or dense step's quantisation (param_layout).
struct conv_params {
    std::int32_t z_in = 0;
    std::int32_t z_out = 0;
    std::int32_t lo = -128;
    std::int32_t hi = 127;
    const std::int32_t* bias = nullptr;
    const std::int32_t* multiplier = nullptr;
    const std::int32_t* shift = nullptr;
    /// Every channel's shift in [-24, -2] and z_out in [-128, 127] (requantize_sums' short form).
    bool plain = false;

    /// Output channel oc's factor, prepared.
    [[nodiscard]] scaling scale(int oc) const noexcept { return {multiplier[oc], static_cast<int>(shift[oc])}; }
    /// The int8 value of a sum that includes the bias, scaled by s.
    [[nodiscard]] std::int8_t out(const scaling& s, std::int32_t acc) const noexcept { return clamped(s(acc) + z_out, lo, hi); }
    /// Output channel oc's int8 value for the accumulated sum acc (bias not included).
    [[nodiscard]] std::int8_t operator()(int oc, std::int32_t acc) const noexcept { return out(scale(oc), wrapping_add(acc, bias[oc])); }
};

[[nodiscard]] inline conv_params conv_params_of(const step& s, const std::int32_t* params) noexcept {
    const std::int32_t* p = params + s.params;
    const int c = s.out.extent.c;
    conv_params q;
    q.z_in = p[param_layout::z_in];
    q.z_out = p[param_layout::z_out];
    q.lo = p[param_layout::act_min];
    q.hi = p[param_layout::act_max];
    q.bias = p + param_layout::channels_begin;
    q.multiplier = q.bias + c;
    q.shift = q.bias + 2 * c;
    q.plain = q.z_out >= -128 && q.z_out <= 127;
    for (int o = 0; o < c; ++o) q.plain = q.plain && q.shift[o] >= -24 && q.shift[o] <= -2;
    return q;
}

} // namespace detail

} // namespace nascent::deploy::int8
