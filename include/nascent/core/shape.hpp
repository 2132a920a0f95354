// nascent/core/shape.hpp - the shape of one sample's activation.
//
// Activations are stored channel-last (NHWC), as the deploy kernels of
// CMSIS-NN and TF Lite Micro expect them; a batch adds a leading N. A vector
// (after flatten or dense) is the shape {1, 1, features}.
// `shape` is a structural type, so it can be a template argument.
#pragma once

#include <cstddef>

namespace nascent {

struct shape {
    int h = 1;
    int w = 1;
    int c = 1;

    /// Number of scalars in one sample of this shape.
    [[nodiscard]] constexpr std::size_t size() const noexcept {
        return static_cast<std::size_t>(h) * static_cast<std::size_t>(w) * static_cast<std::size_t>(c);
    }
    /// True when the shape is a plain feature vector (h == w == 1).
    [[nodiscard]] constexpr bool is_vector() const noexcept { return h == 1 && w == 1; }
    /// True when every extent is positive.
    [[nodiscard]] constexpr bool valid() const noexcept { return h > 0 && w > 0 && c > 0; }

    friend constexpr bool operator==(shape, shape) = default;
};

/// Spatial output extent of a window op with TF-style "same" padding: ceil(in / stride).
[[nodiscard]] constexpr int same_extent(int in, int stride) noexcept { return (in + stride - 1) / stride; }

/// Spatial output extent of a window op with "valid" padding (no padding).
[[nodiscard]] constexpr int valid_extent(int in, int kernel, int stride) noexcept {
    return in < kernel ? 0 : (in - kernel) / stride + 1;
}

/// Padding before the first element (top or left) for "same" padding, as TensorFlow does it:
/// the total padding max((out - 1) * stride + kernel - in, 0), with the smaller half first.
[[nodiscard]] constexpr int same_pad_before(int in, int kernel, int stride) noexcept {
    const int out = same_extent(in, stride);
    const int total = (out - 1) * stride + kernel - in;
    return total > 0 ? total / 2 : 0;
}

} // namespace nascent
