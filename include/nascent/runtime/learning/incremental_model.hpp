// nascent/runtime/learning/incremental_model.hpp - a frozen int8 extractor, a float32 classifier
// that keeps learning and a buffer of samples, as one type whose RAM is a compile-time figure.
//
//     using model = nascent::deploy::learning::incremental_model<my_model::extractor, my_model::config>;
//     static_assert(model::ram_bytes <= 64 * 1024);                         // training included
//     static_assert(nascent::deploy::learning::assert_ram_fits<model, 64 * 1024>);  // names the largest part
//     model::state state;                                   // all of its RAM (static or on the stack)
//     model::reset(state, my_model::classifier_weights);
//     copy an image into model::input(state);
//     model::learn(state, my_model::extractor_weights, my_model::extractor_params, label);
//     const int k = model::predict(state, ...);           // after writing the next input
//
// Extractor is an int8 program (an exported header's `extractor`: a network cut before its
// head, deploy/incremental.hpp); its output, int8 features, feeds the learner
// (learning/learner.hpp) of Config, an incremental_config. `state` holds every byte the model
// writes: the extractor's arena, the classifier's weights, gradients, velocity (with momentum)
// and activations, and the buffer; ram_bytes is sizeof(state), and part_bytes() says how it
// divides. The weights of the extractor and the initial classifier stay in flash (flash_bytes).
//
// Freestanding: no heap, no exceptions, no VLA.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nascent/runtime/learning/learner.hpp"
#include "nascent/runtime/network.hpp"

namespace nascent::deploy::learning {

/// The parts of an incremental model's RAM.
enum class ram_part : std::uint8_t { extractor_arena, classifier_weights, gradients, optimiser_state, activations, buffer };
inline constexpr int ram_part_count = 6;

[[nodiscard]] constexpr const char* ram_part_name(ram_part p) noexcept {
    constexpr const char* names[ram_part_count] = {"extractor arena", "classifier weights", "gradients", "optimiser state",
                                                   "classifier activations", "buffer"};
    return names[static_cast<int>(p)];
}

/// The RAM of an incremental model, part by part: what sizeof(incremental_model<...>::state) is,
/// computed from the configuration and the extractor's arena (a host reads it without the type).
struct ram_figures {
    std::size_t parts[ram_part_count]{};
    std::size_t total = 0;

    [[nodiscard]] constexpr std::size_t operator[](ram_part p) const noexcept { return parts[static_cast<int>(p)]; }
    /// The largest part (the first of equal ones).
    [[nodiscard]] constexpr ram_part largest() const noexcept {
        int best = 0;
        for (int k = 1; k < ram_part_count; ++k)
            if (parts[k] > parts[best]) best = k;
        return static_cast<ram_part>(best);
    }
};

/// The RAM of the model of `c` over an extractor of `arena_bytes`. The buffer's part holds its
/// samples and labels, the buffer's and learner's counters and the alignment padding (at most 3 bytes).
[[nodiscard]] constexpr ram_figures ram_of(const incremental_config& c, std::size_t arena_bytes) noexcept {
    const std::size_t weights = c.classifier.weight_count();
    const std::size_t velocity = c.uses_momentum() ? weights : 0;
    const std::size_t activations = c.classifier.activation_count();
    const auto round4 = [](std::size_t n) { return (n + 3) / 4 * 4; };
    const std::size_t samples = std::size_t{c.buffer_capacity} * (c.classifier.features + 1);
    ram_figures r;
    r.total = round4(4 * (2 * weights + velocity + activations) + sizeof(learner_counters) + sizeof(buffer_counters) +
                     round4(arena_bytes) + samples);
    r.parts[0] = arena_bytes;
    r.parts[1] = 4 * weights;
    r.parts[2] = 4 * weights;
    r.parts[3] = 4 * velocity;
    r.parts[4] = 4 * activations;
    r.parts[5] = r.total - arena_bytes - 4 * (2 * weights + velocity + activations);
    return r;
}

namespace detail {

/// N elements, or nothing at all (with [[no_unique_address]]) when N is 0.
template <class T, std::size_t N>
struct storage {
    T values[N];
    [[nodiscard]] constexpr T* data() noexcept { return values; }
};
template <class T>
struct storage<T, 0> {
    [[nodiscard]] constexpr T* data() noexcept { return nullptr; }
};

} // namespace detail

template <const auto& Extractor, const auto& Config>
class incremental_model {
    static_assert(Extractor.element == precision::int8, "nascent: the extractor of an incremental model is an int8 program");
    static_assert(Config.problem() == nullptr, "nascent: the incremental configuration is not valid (incremental_config::problem() says why)");
    static_assert(Config.classifier.features == Extractor.output.extent.size(),
                  "nascent: the classifier's feature count is not the extractor's output size: the header does not match its extractor");
    static_assert(Extractor.output.pixel_stride == Extractor.output.extent.c,
                  "nascent: the extractor's output is a channel slice; cut at a contiguous tensor");

public:
    using extractor = network<Extractor>;
    static constexpr const incremental_config& config = Config;
    static constexpr classifier_shape classifier = Config.classifier;
    static constexpr std::size_t classifier_weight_count = classifier.weight_count();
    static constexpr std::size_t velocity_count = Config.uses_momentum() ? classifier_weight_count : 0;
    static constexpr std::size_t activation_count = classifier.activation_count();
    static constexpr std::size_t buffer_capacity = Config.buffer_capacity;
    static constexpr std::size_t feature_count = classifier.features;

    /// Every byte the model writes.
    struct state {
        float weights[classifier_weight_count];
        float gradients[classifier_weight_count];
        [[no_unique_address]] detail::storage<float, velocity_count> velocity;
        float activations[activation_count];
        learner_counters counters;
        buffer_counters buffer;
        typename extractor::arena arena;
        [[no_unique_address]] detail::storage<std::int8_t, buffer_capacity * feature_count> features;
        [[no_unique_address]] detail::storage<std::uint8_t, buffer_capacity> labels;
    };

    static constexpr ram_figures ram = ram_of(Config, Extractor.arena_bytes);
    static_assert(ram.total == sizeof(state), "nascent: ram_of() does not describe incremental_model::state");
    /// Bytes of RAM of part `p` (ram_of()).
    [[nodiscard]] static constexpr std::size_t part_bytes(ram_part p) noexcept { return ram[p]; }
    /// All of it: training included.
    static constexpr std::size_t ram_bytes = ram.total;
    static constexpr ram_part largest_part = ram.largest();
    /// Flash: the extractor's weights and parameters and the initial classifier.
    static constexpr std::size_t flash_bytes = extractor::flash_bytes + classifier_weight_count * sizeof(float);

    /// The learner over `s`.
    [[nodiscard]] static constexpr learner learner_of(state& s) noexcept {
        return learner(Config, classifier_memory{s.weights, s.gradients, s.velocity.data(), s.activations},
                       buffer_memory{s.features.data(), s.labels.data(), &s.buffer}, &s.counters);
    }
    /// The classifier of `initial_weights` (classifier_weight_count floats), an empty buffer.
    static void reset(state& s, const float* initial_weights) noexcept { learner_of(s).reset(initial_weights); }
    /// Where the next image goes (the extractor's input).
    [[nodiscard]] static std::int8_t* input(state& s) noexcept { return extractor::input(s.arena); }

    /// Runs the extractor on the input and classifies its features; -1 when the extractor cannot run.
    static int predict(state& s, const std::int8_t* weights, const std::int32_t* params) noexcept {
        const std::int8_t* features = extractor::run(s.arena, weights, params);
        return features == nullptr ? -1 : learner_of(s).predict(features);
    }
    /// Runs the extractor on the input and learns its features as `label`; a label outside the
    /// classes is refused and counted (learner::learn).
    static learn_status learn(state& s, const std::int8_t* weights, const std::int32_t* params, int label) noexcept {
        if (label < 0 || label >= static_cast<int>(classifier.classes)) return learner_of(s).learn(nullptr, label);
        const std::int8_t* features = extractor::run(s.arena, weights, params);
        return features == nullptr ? learn_status::extractor_failed : learner_of(s).learn(features, label);
    }
};

/// Instantiated by assert_ram_fits: fails to compile when the model's RAM is over the budget; its
/// arguments name the largest part and its bytes, the model's RAM and the budget.
template <ram_part LargestPart, std::size_t LargestPartBytes, std::size_t RamBytes, std::size_t Budget>
struct incremental_model_over_ram_budget {
    static_assert(RamBytes <= Budget,
                  "nascent: the incremental model's RAM (training included) is over the budget (see the template arguments of "
                  "incremental_model_over_ram_budget: the largest part, its bytes, the model's RAM, the budget)");
    static constexpr bool checked = true;
};

/// True, and compiles only, when incremental model `Model` fits `Budget` bytes of RAM.
template <class Model, std::size_t Budget>
inline constexpr bool assert_ram_fits =
    incremental_model_over_ram_budget<Model::largest_part, Model::part_bytes(Model::largest_part), Model::ram_bytes, Budget>::checked;

} // namespace nascent::deploy::learning
