// nascent/runtime/learning/learner.hpp - what an incremental model does with the features of one
// sample: classify them, or learn from them with its buffer.
//
//     learner l{config, classifier_memory{...}, buffer_memory{...}, &counters};
//     l.reset(initial_weights);                 // the classifier as exported, an empty buffer
//     const int k = l.predict(features);        // int8 features of the extractor's output
//     l.learn(features, label);                 // learn_status::learned or refused_label
//
// learn() offers the sample to the buffer (learning/sample_buffer.hpp), then runs `epochs` passes
// of SGD over the samples in the buffer, in slot order, one update every `batch` samples and one
// for the rest; with a capacity of 0 it runs them over the latest sample alone (TinyOL). A
// sample's int8 features are dequantised with the extractor output's scale and zero point
// before the classifier (learning/classifier.hpp) sees them. A label outside [0, classes) is
// refused and counted; nothing else changes.
// The same code runs on a host (deploy/incremental.hpp) and a device (learning/incremental_model.hpp).
//
// Freestanding: no heap, no exceptions; the memory is the caller's.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/learning/classifier.hpp"
#include "nascent/runtime/learning/sample_buffer.hpp"

namespace nascent::deploy::learning {

/// How the classifier learns; a structural type.
struct learning_settings {
    float learning_rate = 0.01F;
    float momentum = 0.0F;         ///< 0: plain SGD, no velocity in RAM
    std::uint32_t epochs = 1;      ///< passes over the buffer per sample learned
    std::uint32_t batch = 1;       ///< samples per update

    friend constexpr bool operator==(const learning_settings&, const learning_settings&) = default;
};

/// Everything an incremental model is besides its extractor and weights.
struct incremental_config {
    classifier_shape classifier{};
    std::uint32_t buffer_capacity = 0;           ///< samples; 0: learn from the latest one only
    replacement policy = replacement::fifo;
    learning_settings learning{};
    float feature_scale = 1.0F;                  ///< the extractor output's quantisation:
    std::int32_t feature_zero_point = 0;         ///< real = scale * (q - zero_point)
    std::uint32_t seed = 1;                      ///< the buffer's random draws

    /// Null when the configuration can run, else what is wrong with it.
    [[nodiscard]] constexpr const char* problem() const noexcept {
        if (classifier.features == 0) return "the classifier has no features";
        if (classifier.classes < 2) return "the classifier needs at least two classes";
        if (classifier.classes > 256) return "the classifier has more than 256 classes (labels are bytes)";
        if (learning.epochs == 0) return "learning runs no epoch";
        if (learning.batch == 0) return "the learning batch is empty";
        if (!(learning.learning_rate > 0.0F)) return "the learning rate is not positive";
        if (!(learning.momentum >= 0.0F && learning.momentum < 1.0F)) return "the momentum is outside [0, 1)";
        if (!(feature_scale > 0.0F)) return "the feature scale is not positive";
        if (feature_zero_point < -128 || feature_zero_point > 127) return "the feature zero point is outside [-128, 127]";
        return nullptr;
    }
    [[nodiscard]] constexpr bool uses_momentum() const noexcept { return learning.momentum > 0.0F; }
    friend constexpr bool operator==(const incremental_config&, const incremental_config&) = default;
};

/// What learn() did.
enum class learn_status : std::uint8_t { learned, refused_label, extractor_failed };

/// Samples learned and labels refused since reset.
struct learner_counters {
    std::uint32_t learned = 0;
    std::uint32_t refused = 0;
};

class learner {
public:
    constexpr learner(const incremental_config& c, classifier_memory cm, buffer_memory bm, learner_counters* n) noexcept
        : config_(c), classifier_(c.classifier, cm), memory_(cm),
          buffer_(bm, c.buffer_capacity, c.classifier.features, c.classifier.classes, c.policy, c.seed), counters_(n) {}

    /// The classifier of `initial_weights`, zero gradients and velocity, an empty buffer.
    constexpr void reset(const float* initial_weights) const noexcept {
        const std::uint32_t n = config_.classifier.weight_count();
        for (std::uint32_t i = 0; i < n; ++i) {
            memory_.weights[i] = initial_weights[i];
            memory_.gradients[i] = 0.0F;
            if (memory_.velocity != nullptr) memory_.velocity[i] = 0.0F;
        }
        for (std::uint32_t i = 0; i < config_.classifier.activation_count(); ++i) memory_.activations[i] = 0.0F;
        buffer_.reset();
        *counters_ = learner_counters{};
    }

    [[nodiscard]] constexpr const classifier& model() const noexcept { return classifier_; }
    [[nodiscard]] constexpr const sample_buffer& buffer() const noexcept { return buffer_; }
    [[nodiscard]] constexpr const learner_counters& counters() const noexcept { return *counters_; }

    /// The class of int8 features `q`.
    constexpr int predict(const std::int8_t* q) const noexcept {
        dequantise(q);
        classifier_.forward();
        return classifier_.predicted();
    }

    /// Learns features `q` of class `label` (see the top of this file).
    constexpr learn_status learn(const std::int8_t* q, int label) const noexcept {
        if (label < 0 || static_cast<std::uint32_t>(label) >= config_.classifier.classes) {
            ++counters_->refused;
            return learn_status::refused_label;
        }
        ++counters_->learned;
        const auto y = static_cast<std::uint8_t>(label);
        buffer_.insert(q, y);
        const learning_settings& s = config_.learning;
        const std::uint32_t samples = buffer_.capacity() == 0 ? 1 : buffer_.size();
        for (std::uint32_t e = 0; e < s.epochs; ++e) {
            std::uint32_t in_batch = 0;
            for (std::uint32_t i = 0; i < samples; ++i) {
                const bool latest = buffer_.capacity() == 0;
                dequantise(latest ? q : buffer_.features(i));
                classifier_.forward();
                classifier_.backward(latest ? y : buffer_.label(i));
                if (++in_batch == s.batch) {
                    classifier_.update(s.learning_rate, s.momentum, in_batch);
                    in_batch = 0;
                }
            }
            if (in_batch > 0) classifier_.update(s.learning_rate, s.momentum, in_batch);
        }
        return learn_status::learned;
    }

private:
    constexpr void dequantise(const std::int8_t* q) const noexcept {
        float* x = classifier_.input();
        for (std::uint32_t i = 0; i < config_.classifier.features; ++i)
            x[i] = config_.feature_scale * static_cast<float>(static_cast<std::int32_t>(q[i]) - config_.feature_zero_point);
    }

    incremental_config config_;
    classifier classifier_;
    classifier_memory memory_;
    sample_buffer buffer_;
    learner_counters* counters_;
};

} // namespace nascent::deploy::learning
