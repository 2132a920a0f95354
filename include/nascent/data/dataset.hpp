// nascent/data/dataset.hpp - a labelled image dataset held in memory.
//
// Pixels are uint8, one byte per channel value, stored NHWC row-major: image i is
// the sample.size() bytes starting at pixels[i * sample.size()]. Labels are class
// indices below `classes`, one per image. make_image_dataset() builds a dataset
// from an IDX image file (rank 3, N x h x w, or rank 4, N x h x w x c) and an IDX
// label file (rank 1, N) and throws nascent::error if they do not fit together.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "nascent/core/config.hpp"
#include "nascent/core/error.hpp"
#include "nascent/core/shape.hpp"
#include "nascent/core/text.hpp"
#include "nascent/data/idx.hpp"

namespace nascent {

struct image_dataset {
    shape sample{};                       ///< per-image shape {h, w, c}
    std::vector<std::uint8_t> pixels;     ///< size() * sample.size() bytes, NHWC
    std::vector<std::uint8_t> labels;     ///< one class index per image
    int classes = 0;                      ///< every label is below this
    std::vector<std::string> class_names; ///< empty, or one name per class

    /// Number of images.
    [[nodiscard]] std::size_t size() const noexcept { return labels.size(); }
    /// First byte of image i (i < size()).
    [[nodiscard]] const std::uint8_t* image(std::size_t i) const noexcept {
        NASCENT_ASSERT(i < size());
        return pixels.data() + i * sample.size();
    }
};

/// Copy of images [first, first + count) of `data`, with the same shape and classes.
[[nodiscard]] inline image_dataset subset(const image_dataset& data, std::size_t first, std::size_t count) {
    require(first <= data.size() && count <= data.size() - first,
            string_of("subset: images [", first, ", ", first, " + ", count, ") exceed a dataset of ", data.size(),
                   " images"));
    const std::size_t per_image = data.sample.size();
    image_dataset result;
    result.sample = data.sample;
    result.classes = data.classes;
    result.class_names = data.class_names;
    const auto pixel_first = data.pixels.begin() + static_cast<std::ptrdiff_t>(first * per_image);
    result.pixels.assign(pixel_first, pixel_first + static_cast<std::ptrdiff_t>(count * per_image));
    const auto label_first = data.labels.begin() + static_cast<std::ptrdiff_t>(first);
    result.labels.assign(label_first, label_first + static_cast<std::ptrdiff_t>(count));
    return result;
}

/// Builds a dataset from IDX images and labels; `what` names the pair in error messages
/// (e.g. "Fashion-MNIST train"). `class_names` is empty or has `classes` entries.
[[nodiscard]] inline image_dataset make_image_dataset(idx_array images, idx_array labels, int classes,
                                                      std::vector<std::string> class_names, std::string what) {
    const std::string where = what + ": ";
    require(classes > 0 && classes <= 256,
            where + "the number of classes must be between 1 and 256, got " + std::to_string(classes));
    require(class_names.empty() || class_names.size() == static_cast<std::size_t>(classes),
            where + std::to_string(class_names.size()) + " class names for " + std::to_string(classes) + " classes");
    require(images.dims.size() == 3 || images.dims.size() == 4,
            where + "images must have rank 3 (N x h x w) or 4 (N x h x w x c), got rank " +
                std::to_string(images.dims.size()));
    require(labels.dims.size() == 1, where + "labels must have rank 1, got rank " + std::to_string(labels.dims.size()));
    require(images.data.size() == images.count() && labels.data.size() == labels.count(),
            where + "element count does not match the dimensions");

    constexpr auto int_max = static_cast<std::uint32_t>(std::numeric_limits<int>::max());
    const std::uint32_t h = images.dims[1];
    const std::uint32_t w = images.dims[2];
    const std::uint32_t c = images.dims.size() == 4 ? images.dims[3] : 1;
    require(h > 0 && w > 0 && c > 0 && h <= int_max && w <= int_max && c <= int_max,
            where + "implausible image shape " + detail::dims_string({h, w, c}) + " (h x w x c)");

    const std::uint32_t image_count = images.dims[0];
    const std::uint32_t label_count = labels.dims[0];
    require(image_count == label_count, where + std::to_string(image_count) + " images but " +
                                            std::to_string(label_count) + " labels; the counts must be equal");
    for (std::size_t i = 0; i < labels.data.size(); ++i) {
        if (labels.data[i] >= classes) {
            throw error(where + "label " + std::to_string(labels.data[i]) + " at index " + std::to_string(i) +
                        " is out of range (classes = " + std::to_string(classes) + ")");
        }
    }

    image_dataset result;
    result.sample = shape{static_cast<int>(h), static_cast<int>(w), static_cast<int>(c)};
    result.pixels = std::move(images.data);
    result.labels = std::move(labels.data);
    result.classes = classes;
    result.class_names = std::move(class_names);
    return result;
}

} // namespace nascent
