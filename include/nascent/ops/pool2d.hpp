// nascent/ops/pool2d.hpp - geometry shared by the windowed pooling ops.
//
// A pooling window of `kernel` x `kernel` moves by `stride`. With
// padding::valid the window never leaves the image (out = floor((in - k) / s) + 1);
// with padding::same the output is ceil(in / s) and padded positions are
// ignored (max ignores them, average divides by the count of real pixels).
#pragma once

#include <cstddef>

#include "nascent/core/problem.hpp"
#include "nascent/core/shape.hpp"

namespace nascent {

enum class padding { valid, same };

struct pool2d_geometry {
    shape in{};
    shape out{};
    int kernel = 2;
    int stride = 2;
    int pad_top = 0;
    int pad_left = 0;

    /// First and one-past-last input row covered by output row `oh` (clipped to the image).
    [[nodiscard]] constexpr int row_begin(int oh) const noexcept { return clip(oh * stride - pad_top, in.h); }
    [[nodiscard]] constexpr int row_end(int oh) const noexcept { return clip(oh * stride - pad_top + kernel, in.h); }
    [[nodiscard]] constexpr int col_begin(int ow) const noexcept { return clip(ow * stride - pad_left, in.w); }
    [[nodiscard]] constexpr int col_end(int ow) const noexcept { return clip(ow * stride - pad_left + kernel, in.w); }

private:
    static constexpr int clip(int v, int hi) noexcept { return v < 0 ? 0 : (v > hi ? hi : v); }
};

[[nodiscard]] constexpr pool2d_geometry pool2d_geometry_for(shape in, int kernel, int stride, padding pad) noexcept {
    pool2d_geometry g;
    g.in = in;
    g.kernel = kernel;
    g.stride = stride;
    if (pad == padding::same) {
        g.out = shape{same_extent(in.h, stride), same_extent(in.w, stride), in.c};
        g.pad_top = same_pad_before(in.h, kernel, stride);
        g.pad_left = same_pad_before(in.w, kernel, stride);
    } else {
        g.out = shape{valid_extent(in.h, kernel, stride), valid_extent(in.w, kernel, stride), in.c};
    }
    return g;
}

/// Common descriptor part of max_pool2d and avg_pool2d.
template <int Kernel, int Stride, padding Pad>
struct pool2d_descriptor {
    static_assert(Kernel > 0 && Stride > 0, "pooling needs a positive kernel and stride");
    static constexpr int kernel = Kernel;
    static constexpr int stride = Stride;
    static constexpr padding pad = Pad;

    [[nodiscard]] static constexpr pool2d_geometry geometry(shape in) noexcept {
        return pool2d_geometry_for(in, Kernel, Stride, Pad);
    }
    /// A valid-padded window must fit in the image.
    [[nodiscard]] static constexpr bool accepts(shape in) noexcept {
        return in.valid() && (Pad == padding::same || (in.h >= Kernel && in.w >= Kernel));
    }
    [[nodiscard]] static constexpr problem diagnose(shape in) noexcept {
        return in.valid() ? problem::window_too_large : problem::op_rejects_input;
    }
    [[nodiscard]] static constexpr shape output(shape in) noexcept { return geometry(in).out; }
    [[nodiscard]] static constexpr std::size_t params(shape /*in*/) noexcept { return 0; }
    /// One comparison or addition per window element, counted as a MAC.
    [[nodiscard]] static constexpr std::size_t macs(shape in) noexcept {
        return geometry(in).out.size() * static_cast<std::size_t>(Kernel * Kernel);
    }
};

} // namespace nascent
