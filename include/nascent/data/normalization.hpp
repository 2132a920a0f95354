// nascent/data/normalization.hpp - per-channel standardisation of image inputs.
//
// A network sees pixel p of channel c as (p / 255 - mean[c]) / stddev[c].
// standardization_of() measures mean and (population) standard deviation of
// p / 255 per channel over a whole dataset, usually the training split, and the
// result is then applied unchanged to every split. A channel that is constant
// gets stddev 1, so it maps to zero instead of dividing by zero.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/data/dataset.hpp"

namespace nascent {

struct normalization {
    std::vector<float> mean;   ///< per channel, in units of pixel / 255
    std::vector<float> stddev; ///< per channel, positive
};

/// Mean and standard deviation of pixel / 255, per channel, over every image of `data`.
[[nodiscard]] inline normalization standardization_of(const image_dataset& data) {
    const auto channels = static_cast<std::size_t>(data.sample.c);
    require(data.sample.valid() && data.size() > 0, "standardization_of: the dataset holds no images");
    require(data.pixels.size() == data.size() * data.sample.size(),
            "standardization_of: the pixel count does not match size() x sample.size()");

    // Integer sums are exact (255^2 x 2^40 pixels would still fit); doubles take over from there.
    std::vector<std::uint64_t> sum(channels, 0);
    std::vector<std::uint64_t> sum_sq(channels, 0);
    const std::uint8_t* p = data.pixels.data();
    const std::size_t positions = data.pixels.size() / channels;
    if (channels == 1) {
        std::uint64_t s = 0;
        std::uint64_t sq = 0;
        for (std::size_t i = 0; i < positions; ++i) {
            const std::uint64_t v = p[i];
            s += v;
            sq += v * v;
        }
        sum[0] = s;
        sum_sq[0] = sq;
    } else {
        for (std::size_t i = 0; i < positions; ++i, p += channels) {
            for (std::size_t c = 0; c < channels; ++c) {
                const std::uint64_t v = p[c];
                sum[c] += v;
                sum_sq[c] += v * v;
            }
        }
    }

    normalization result;
    result.mean.resize(channels);
    result.stddev.resize(channels);
    const auto n = static_cast<double>(positions);
    for (std::size_t c = 0; c < channels; ++c) {
        const double mean = static_cast<double>(sum[c]) / n;
        const double variance = std::max(0.0, static_cast<double>(sum_sq[c]) / n - mean * mean);
        const double stddev = std::sqrt(variance) / 255.0;
        result.mean[c] = static_cast<float>(mean / 255.0);
        result.stddev[c] = stddev > 0.0 ? static_cast<float>(stddev) : 1.0F;
    }
    return result;
}

} // namespace nascent
