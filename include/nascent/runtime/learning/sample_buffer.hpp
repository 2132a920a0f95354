// nascent/runtime/learning/sample_buffer.hpp - the buffer of labelled samples a device learns from:
// int8 features and their labels, with a replacement policy once it is full.
//
//     std::int8_t features[capacity * width];  std::uint8_t labels[capacity];  buffer_counters n{};
//     sample_buffer b{{features, labels, &n}, capacity, width, classes, replacement::reservoir, seed};
//     b.insert(sample, label);   // stored, or (reservoir) dropped
//     for (std::uint32_t i = 0; i < b.size(); ++i) use(b.features(i), b.label(i));
//
// Policies, once all `capacity` slots hold a sample:
//   fifo            the oldest sample is replaced;
//   reservoir       the k-th sample offered is kept with probability capacity / k, over a slot drawn
//                   uniformly (Vitter's algorithm R): the buffer is a uniform sample of the stream;
//   class_balanced  a sample of the class with the most samples in the buffer is replaced (the
//                   lowest class of equal counts; the first such slot from a rotating cursor, so
//                   the oldest first in a stream of one class): classes seen rarely stay.
// The random draws come from a xorshift32 generator in the counters, seeded by `seed`, so a host
// and a device keep the same samples. A capacity of 0 keeps nothing (learning from the latest
// sample only, as TinyOL does).
//
// Freestanding: no heap, no exceptions; the memory is the caller's.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nascent::deploy::learning {

enum class replacement : std::uint8_t { fifo, reservoir, class_balanced };

/// The buffer's state besides its samples.
struct buffer_counters {
    std::uint32_t size = 0;    ///< slots holding a sample
    std::uint32_t cursor = 0;  ///< fifo: the oldest slot; class_balanced: where the search starts
    std::uint32_t offered = 0; ///< samples offered by insert() since reset
    std::uint32_t random = 0;  ///< xorshift32 state (never 0 after reset)
};

/// Where a buffer's bytes live (the caller owns them).
struct buffer_memory {
    std::int8_t* features = nullptr;  ///< capacity * width
    std::uint8_t* labels = nullptr;   ///< capacity
    buffer_counters* counters = nullptr;
};

class sample_buffer {
public:
    /// No slot: insert() dropped the sample.
    static constexpr std::uint32_t dropped = 0xFFFFFFFFU;

    constexpr sample_buffer(buffer_memory m, std::uint32_t capacity, std::uint32_t width, std::uint32_t classes,
                            replacement policy, std::uint32_t seed) noexcept
        : memory_(m), capacity_(capacity), width_(width), classes_(classes), policy_(policy), seed_(seed) {}

    /// Empties the buffer and restarts the random draws.
    constexpr void reset() const noexcept { *memory_.counters = buffer_counters{0, 0, 0, seed_ == 0 ? 0x9E3779B9U : seed_}; }

    [[nodiscard]] constexpr std::uint32_t size() const noexcept { return memory_.counters->size; }
    [[nodiscard]] constexpr std::uint32_t capacity() const noexcept { return capacity_; }
    [[nodiscard]] constexpr const std::int8_t* features(std::uint32_t slot) const noexcept {
        return memory_.features + static_cast<std::size_t>(slot) * width_;
    }
    [[nodiscard]] constexpr std::uint8_t label(std::uint32_t slot) const noexcept { return memory_.labels[slot]; }

    /// Offers a sample (label < classes; the caller checks); returns its slot, or `dropped`.
    constexpr std::uint32_t insert(const std::int8_t* sample, std::uint8_t label) const noexcept {
        buffer_counters& n = *memory_.counters;
        ++n.offered;
        if (capacity_ == 0) return dropped;
        std::uint32_t slot = dropped;
        if (n.size < capacity_) {
            slot = n.size++;
        } else if (policy_ == replacement::fifo) {
            slot = n.cursor;
            n.cursor = (n.cursor + 1) % capacity_;
        } else if (policy_ == replacement::reservoir) {
            const std::uint32_t draw = next_random() % n.offered;
            if (draw < capacity_) slot = draw;
        } else {
            slot = balanced_slot();
        }
        if (slot == dropped) return dropped;
        std::int8_t* to = memory_.features + static_cast<std::size_t>(slot) * width_;
        for (std::uint32_t i = 0; i < width_; ++i) to[i] = sample[i];
        memory_.labels[slot] = label;
        return slot;
    }

private:
    constexpr std::uint32_t next_random() const noexcept {
        std::uint32_t x = memory_.counters->random;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        memory_.counters->random = x;
        return x;
    }

    /// class_balanced: a slot of the most frequent class, the first from the cursor.
    constexpr std::uint32_t balanced_slot() const noexcept {
        std::uint32_t largest_class = 0;
        std::uint32_t largest_count = 0;
        for (std::uint32_t k = 0; k < classes_; ++k) {
            std::uint32_t count = 0;
            for (std::uint32_t s = 0; s < capacity_; ++s) count += memory_.labels[s] == k ? 1U : 0U;
            if (count > largest_count) {
                largest_count = count;
                largest_class = k;
            }
        }
        buffer_counters& n = *memory_.counters;
        for (std::uint32_t step = 0; step < capacity_; ++step) {
            const std::uint32_t s = (n.cursor + step) % capacity_;
            if (memory_.labels[s] == largest_class) {
                n.cursor = (s + 1) % capacity_;
                return s;
            }
        }
        return dropped;  // not reached: a full buffer holds the largest class
    }

    buffer_memory memory_;
    std::uint32_t capacity_;
    std::uint32_t width_;
    std::uint32_t classes_;
    replacement policy_;
    std::uint32_t seed_;
};

} // namespace nascent::deploy::learning
