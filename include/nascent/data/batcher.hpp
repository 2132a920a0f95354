// nascent/data/batcher.hpp - cuts an image dataset into normalised mini-batches.
//
// A batcher walks a dataset in epochs. start_epoch() rewinds and, when shuffling,
// draws a fresh order (an index vector shuffled with the caller's nascent::rng, so a
// seed fixes every epoch's order). next() fills a {B, h, w, c} tensor (NHWC) with
// (pixel / 255 - mean[c]) / stddev[c], evaluated in double and rounded once to T,
// plus the B labels, and returns false once the epoch is used up. The last batch
// of an epoch is smaller than batch_size unless drop_last drops it. The tensor's
// storage is reused while the batch shape stays the same. If next() is called
// before any start_epoch(), the first epoch starts by itself.
// With set_augmentation(), each image is shifted and mirrored at random as it is copied
// (data/augmentation.hpp).
// The batcher keeps a reference to the dataset and the rng: both must outlive it.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/core/text.hpp"
#include "nascent/data/augmentation.hpp"
#include "nascent/data/dataset.hpp"
#include "nascent/data/normalization.hpp"

namespace nascent {

template <class T>
class batcher {
    static_assert(std::is_floating_point_v<T>, "batcher fills floating-point tensors");

public:
    batcher(const image_dataset& data, std::size_t batch_size, const normalization& norm, bool shuffle,
            bool drop_last, rng& random)
        : data_(&data), batch_size_(batch_size), shuffle_(shuffle), drop_last_(drop_last), random_(&random) {
        const auto channels = static_cast<std::size_t>(data.sample.c);
        require(batch_size > 0, "batcher: the batch size must be positive");
        require(data.sample.valid(), "batcher: the dataset's sample shape is not valid");
        require(data.pixels.size() == data.size() * data.sample.size(),
                string_of("batcher: the dataset holds ", data.pixels.size(), " pixel bytes, expected ", data.size(),
                       " images x ", data.sample.size()));
        require(norm.mean.size() == channels && norm.stddev.size() == channels,
                string_of("batcher: the normalization has ", norm.mean.size(), " means and ", norm.stddev.size(),
                       " standard deviations for ", channels, " channels"));
        // One lookup table per channel: every uint8 value, already normalised.
        table_.resize(256 * channels);
        for (std::size_t c = 0; c < channels; ++c) {
            const auto mean = static_cast<double>(norm.mean[c]);
            const auto stddev = static_cast<double>(norm.stddev[c]);
            require(std::isfinite(mean) && std::isfinite(stddev) && stddev > 0.0,
                    string_of("batcher: channel ", c, " has mean ", mean, " and stddev ", stddev,
                           "; both must be finite and the stddev positive"));
            for (std::size_t v = 0; v < 256; ++v) {
                table_[c * 256 + v] = static_cast<T>((static_cast<double>(v) / 255.0 - mean) / stddev);
            }
        }
        order_.resize(data.size());
    }
    /// A batcher over a temporary dataset would dangle.
    batcher(const image_dataset&&, std::size_t, const normalization&, bool, bool, rng&) = delete;

    /// Random shifts and mirror images from now on (data/augmentation.hpp); {} turns them off.
    void set_augmentation(const augmentation& a) {
        check_augmentation(a, data_->sample);
        augment_ = a;
    }

    /// Rewinds to the start of a new epoch; draws a new order when shuffling.
    void start_epoch() {
        std::iota(order_.begin(), order_.end(), std::size_t{0});
        if (shuffle_) random_->shuffle(order_.begin(), order_.end());
        position_ = 0;
        started_ = true;
    }

    /// Fills the next batch: images {B, h, w, c} and B labels. False when the epoch is over.
    bool next(xt::xtensor<T, 4>& images, std::vector<int>& labels) {
        if (!started_) start_epoch();
        const std::size_t remaining = order_.size() - position_;
        if (remaining == 0 || (drop_last_ && remaining < batch_size_)) return false;
        const std::size_t count = std::min(batch_size_, remaining);

        const shape s = data_->sample;
        const std::array<std::size_t, 4> wanted{count, static_cast<std::size_t>(s.h), static_cast<std::size_t>(s.w),
                                                static_cast<std::size_t>(s.c)};
        const auto& current = images.shape();
        if (!std::equal(current.begin(), current.end(), wanted.begin(), wanted.end())) images.resize(wanted);
        labels.resize(count);

        const std::size_t per_image = s.size();
        const auto channels = static_cast<std::size_t>(s.c);
        const T* table = table_.data();
        const std::uint8_t* pixels = data_->pixels.data();
        const std::uint8_t* label_bytes = data_->labels.data();
        const std::size_t* order = order_.data() + position_;
        T* out = images.data();
        for (std::size_t k = 0; k < count; ++k, out += per_image) {
            const std::size_t index = order[k];
            const std::uint8_t* in = pixels + index * per_image;
            if (augment_.active()) {
                transform_image(in, s, draw_transform(augment_, *random_), table, out);
            } else if (channels == 1) {
                for (std::size_t i = 0; i < per_image; ++i) out[i] = table[in[i]];
            } else {
                for (std::size_t i = 0; i < per_image; i += channels) {
                    for (std::size_t c = 0; c < channels; ++c) out[i + c] = table[c * 256 + in[i + c]];
                }
            }
            labels[k] = static_cast<int>(label_bytes[index]);
        }
        position_ += count;
        return true;
    }

    /// Batches next() yields per epoch.
    [[nodiscard]] std::size_t batches_per_epoch() const noexcept {
        const std::size_t n = order_.size();
        return n / batch_size_ + (!drop_last_ && n % batch_size_ != 0 ? 1 : 0);
    }
    [[nodiscard]] std::size_t batch_size() const noexcept { return batch_size_; }
    [[nodiscard]] const image_dataset& data() const noexcept { return *data_; }

private:
    const image_dataset* data_;
    std::size_t batch_size_;
    bool shuffle_;
    bool drop_last_;
    rng* random_;
    augmentation augment_{};
    std::vector<T> table_;           // [channel][256] normalised values
    std::vector<std::size_t> order_; // this epoch's sample order
    std::size_t position_ = 0;       // next entry of order_
    bool started_ = false;
};

} // namespace nascent
