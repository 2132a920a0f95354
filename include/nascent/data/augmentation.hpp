// nascent/data/augmentation.hpp - random shifts and mirror images of training batches.
//
//     train::fit_options settings;
//     settings.augment = {.max_shift = 2, .horizontal_flip = true};   // what the search program uses
//
// A batcher with an augmentation (batcher::set_augmentation) moves each image it hands out by
// a random whole-pixel offset in [-max_shift, max_shift] along each axis, filling the
// uncovered border with raw value 0 (the background of Fashion-MNIST and MNIST), and, when
// horizontal_flip is set, mirrors it left to right with probability 1/2. The draws come from
// the batcher's rng after the epoch's order, so a seed still fixes every batch. The default
// (no shift, no flip) hands out the images unchanged and draws nothing.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/core/text.hpp"
#include "nascent/data/dataset.hpp"

namespace nascent {

struct augmentation {
    int max_shift = 0;             ///< pixels, each axis
    bool horizontal_flip = false;  ///< mirror left to right with probability 1/2

    [[nodiscard]] bool active() const noexcept { return max_shift > 0 || horizontal_flip; }
};

/// The offset and mirroring of one image.
struct image_transform {
    int dy = 0, dx = 0;
    bool flip = false;
};

/// Draws one image's transform; nothing when the augmentation is inactive.
inline image_transform draw_transform(const augmentation& a, rng& random) {
    image_transform t;
    if (a.max_shift > 0) {
        const auto span = static_cast<std::uint64_t>(2 * a.max_shift + 1);
        t.dy = static_cast<int>(random.below(span)) - a.max_shift;
        t.dx = static_cast<int>(random.below(span)) - a.max_shift;
    }
    if (a.horizontal_flip) t.flip = random.below(2) == 1;
    return t;
}

/// Throws nascent::error unless `a` can apply to images of shape `s`.
inline void check_augmentation(const augmentation& a, shape s) {
    require(a.max_shift >= 0 && a.max_shift < s.h && a.max_shift < s.w,
            string_of("augmentation: the shift ", a.max_shift, " must be between 0 and the image's extent (", s.h, "x", s.w, ") minus 1"));
}

/// Output pixel (y, x) of the transformed image reads source pixel (y + dy, x' + dx), where
/// x' = w - 1 - x when flipped; out-of-image reads give raw value 0. `in` is one HWC image
/// of raw bytes, `table` maps channel c's byte v to table[c * 256 + v], `out` gets h*w*c values.
template <class T>
void transform_image(const std::uint8_t* in, shape s, const image_transform& t, const T* table, T* out) {
    const auto channels = static_cast<std::size_t>(s.c);
    for (int y = 0; y < s.h; ++y) {
        const int sy = y + t.dy;
        for (int x = 0; x < s.w; ++x) {
            const int sx = (t.flip ? s.w - 1 - x : x) + t.dx;
            const bool inside = sy >= 0 && sy < s.h && sx >= 0 && sx < s.w;
            const std::uint8_t* pixel = inside ? in + (static_cast<std::size_t>(sy) * static_cast<std::size_t>(s.w) + static_cast<std::size_t>(sx)) * channels
                                               : nullptr;
            for (std::size_t c = 0; c < channels; ++c) *out++ = table[c * 256 + (inside ? pixel[c] : 0U)];
        }
    }
}

} // namespace nascent
