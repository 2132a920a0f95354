// nascent/data/class_subsets.hpp - parts of a dataset chosen by class: the images of some classes,
// and a labelled stream of a few images per class, as a device would receive them.
//
//     const image_dataset known = classes_of(train, 0, 5);                  // classes 0-4, in order
//     std::size_t first = 0;
//     const image_dataset stream = stream_of(train, 0, 10, 20, seed, &first); // 20 of each class, shuffled
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/text.hpp"
#include "nascent/data/dataset.hpp"

namespace nascent {

/// The images of `data` at `indices`, in that order, with the same shape and classes.
[[nodiscard]] inline image_dataset pick(const image_dataset& data, const std::vector<std::size_t>& indices) {
    image_dataset result = subset(data, 0, 0);
    result.pixels.reserve(indices.size() * data.sample.size());
    for (const std::size_t i : indices) {
        require(i < data.size(), string_of("pick: image ", i, " of a dataset of ", data.size(), " images"));
        result.pixels.insert(result.pixels.end(), data.image(i), data.image(i) + data.sample.size());
        result.labels.push_back(data.labels[i]);
    }
    return result;
}

/// The images of `data` whose label is in [first_class, end_class), in order, at most `limit` of them.
[[nodiscard]] inline image_dataset classes_of(const image_dataset& data, int first_class, int end_class,
                                              std::size_t limit = std::numeric_limits<std::size_t>::max()) {
    std::vector<std::size_t> indices;
    for (std::size_t i = 0; i < data.size() && indices.size() < limit; ++i)
        if (data.labels[i] >= first_class && data.labels[i] < end_class) indices.push_back(i);
    return pick(data, indices);
}

/// `per_class` images of each class in [first_class, end_class), taken from the end of `data`
/// backwards, in an order shuffled by `seed`. `first`, when given, receives the lowest index taken
/// (the images before it are not in the stream). Throws when a class has fewer images.
[[nodiscard]] inline image_dataset stream_of(const image_dataset& data, int first_class, int end_class, std::size_t per_class,
                                             std::uint64_t seed, std::size_t* first = nullptr) {
    require(first_class >= 0 && first_class < end_class, "stream_of: an empty range of classes");
    std::vector<std::size_t> picked;
    std::vector<std::size_t> taken(static_cast<std::size_t>(end_class), 0);
    std::size_t lowest = data.size();
    const std::size_t wanted = per_class * static_cast<std::size_t>(end_class - first_class);
    for (std::size_t i = data.size(); i-- > 0 && picked.size() < wanted;) {
        const int y = data.labels[i];
        if (y < first_class || y >= end_class || taken[static_cast<std::size_t>(y)] == per_class) continue;
        ++taken[static_cast<std::size_t>(y)];
        picked.push_back(i);
        lowest = i;
    }
    require(picked.size() == wanted, string_of("stream_of: the dataset has fewer than ", per_class, " images of some class in [", first_class,
                                               ", ", end_class, ")"));
    rng random(seed);
    for (std::size_t i = picked.size(); i > 1; --i) std::swap(picked[i - 1], picked[random.below(i)]);
    if (first != nullptr) *first = lowest;
    return pick(data, picked);
}

} // namespace nascent
