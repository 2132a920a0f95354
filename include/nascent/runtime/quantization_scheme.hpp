// nascent/runtime/quantization_scheme.hpp - the int8 quantisation scheme: how real values become int8.
//
//     const deploy::tensor_quantization q = deploy::quantization_of_range(lo, hi);   // an activation
//     const std::int8_t v = q.quantize(x);                                           // real = q.scale * (v - q.zero_point)
//     const double s = deploy::weight_scale(w, n);                                   // one output channel
//     const double level = deploy::weight_level(w[i], s);                            // in [-127, 127]
// The one definition that post-training quantisation (deploy/quantize.hpp) and quantisation-aware
// training (nn/fake_quantization.hpp) both round with, and that the int8 kernels (runtime/int8/)
// assume:
// - activations: per tensor, asymmetric: real = scale * (q - zero_point), q in [-128, 127];
//   scale = (hi - lo) / 255 (as a float) over the range widened to hold 0, zero_point =
//   round(-128 - lo / scale) clamped to [-128, 127], so 0 is exact; an empty range: scale 1/128,
//   zero point 0;
// - weights: per output channel, symmetric: scale = max |w| / 127 (1 for an all-zero channel),
//   q = round(w / scale) clamped to [-127, 127];
// - rounding: std::nearbyint in the default rounding mode (to nearest, ties to even), in double.
// Host side: the kernels see only the integers (runtime/fixed_point.hpp); no heap, but <cmath>.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace nascent::deploy {

/// How a tensor's int8 values stand for real ones: real = scale * (q - zero_point).
struct tensor_quantization {
    float scale = 1.0F;
    int zero_point = 0;

    /// The int8 level nearest to x (saturating), as a double.
    [[nodiscard]] double level(double x) const noexcept {
        return std::clamp(std::nearbyint(x / static_cast<double>(scale)) + zero_point, -128.0, 127.0);
    }
    /// The int8 value nearest to x (saturating).
    [[nodiscard]] std::int8_t quantize(float x) const noexcept { return static_cast<std::int8_t>(level(static_cast<double>(x))); }
    /// The real value of q.
    [[nodiscard]] float dequantize(std::int8_t q) const noexcept {
        return scale * static_cast<float>(static_cast<int>(q) - zero_point);
    }
    friend bool operator==(const tensor_quantization&, const tensor_quantization&) = default;
};

/// The quantisation of values in [lo, hi]: the range widened to hold 0, spread over the 256
/// int8 values, the zero point rounded so that 0 is exact. An empty range (lo == hi == 0) gets
/// scale 1/128 and zero point 0.
[[nodiscard]] inline tensor_quantization quantization_of_range(double lo, double hi) noexcept {
    const double l = std::min(0.0, lo);
    const double h = std::max(0.0, hi);
    if (!(h - l > 0.0) || !std::isfinite(h - l)) return {1.0F / 128.0F, 0};
    const auto scale = static_cast<float>((h - l) / 255.0);
    const double zero = std::nearbyint(-128.0 - l / static_cast<double>(scale));
    return {scale, static_cast<int>(std::clamp(zero, -128.0, 127.0))};
}

/// The scale of one output channel's n weights: max |w| / 127, or 1 when they are all zero.
template <class T>
[[nodiscard]] double weight_scale(const T* w, std::size_t n) noexcept {
    double largest = 0.0;
    for (std::size_t i = 0; i < n; ++i) largest = std::max(largest, std::abs(static_cast<double>(w[i])));
    return largest > 0.0 ? largest / 127.0 : 1.0;
}

/// The int8 level of weight w in a channel of scale `scale`: round(w / scale) in [-127, 127].
[[nodiscard]] inline double weight_level(double w, double scale) noexcept {
    return std::clamp(std::nearbyint(w / scale), -127.0, 127.0);
}

} // namespace nascent::deploy
