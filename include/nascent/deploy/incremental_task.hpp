// nascent/deploy/incremental_task.hpp - the class-incremental task an incremental model is judged
// on: pre-train the classifier on the classes the extractor knows, learn a labelled stream on the
// device, count right answers on held-out images before and after.
//
//     const deploy::extractor e = deploy::cut_extractor(build, steps);
//     const std::vector<std::int8_t> table = deploy::input_of_pixel<std::int8_t>(metadata);
//     const deploy::class_incremental_task task{&known, &stream, &held_out};
//     const deploy::incremental_outcome r = deploy::run_class_incremental(e, config, table, task);
//     r.before, r.after;   // held-out accuracy (percent) of the initial and of the adapted model
//
// The classifier starts from initial_classifier(seed), is fitted on the features of `known` with
// the device's arithmetic (fit_classifier), and then learns `stream` one sample at a time with the
// learner the device runs (incremental_host), buffer and all; `after` is the mean over `orders`
// orders of the stream (the classifier and buffer reset before each), since a few hundred samples
// learned in one order make a noisy score. Every image goes through the int8 extractor, as on the
// device.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "nascent/core/error.hpp"
#include "nascent/core/random.hpp"
#include "nascent/data/dataset.hpp"
#include "nascent/deploy/incremental.hpp"

namespace nascent::deploy {

/// Int8 features and their labels, row after row.
struct labelled_features {
    std::vector<std::int8_t> features;
    std::vector<std::uint8_t> labels;
};

/// The features extractor `e` gives for every image of `data` (pixel values mapped to the
/// extractor's input by `table`, 256 entries per channel), with the images' labels.
[[nodiscard]] inline labelled_features features_of(const extractor& e, std::span<const std::int8_t> table, const image_dataset& data) {
    const auto channels = static_cast<std::size_t>(data.sample.c);
    require(table.size() == 256 * channels, string_of("features_of: a pixel table of ", table.size(), " entries for ", channels, " channels"));
    require(e.program.input.extent.size() == data.sample.size(), "features_of: the images are not the extractor's input");
    const learning::incremental_config probe{.classifier = {e.feature_count(), 0, 2}};
    incremental_host host(e, probe, std::vector<float>(probe.classifier.weight_count(), 0.0F));
    labelled_features r;
    r.features.reserve(data.size() * e.feature_count());
    for (std::size_t i = 0; i < data.size(); ++i) {
        const std::uint8_t* image = data.image(i);
        for (std::size_t k = 0; k < data.sample.size(); ++k) host.input()[k] = table[(k % channels) * 256 + image[k]];
        const std::int8_t* f = host.extract();
        r.features.insert(r.features.end(), f, f + e.feature_count());
        r.labels.push_back(static_cast<std::uint8_t>(data.labels[i]));
    }
    return r;
}

/// What a class-incremental run reads; the datasets must outlive the run.
struct class_incremental_task {
    const image_dataset* known = nullptr;     ///< the pre-training classes' images: the initial classifier learns them
    const image_dataset* stream = nullptr;    ///< what the device receives, in order
    const image_dataset* held_out = nullptr;  ///< judged before and after the stream
    int fit_epochs = 5;                       ///< of the initial classifier
    float fit_rate = 0.05F;
    std::uint32_t fit_batch = 16;
    std::uint64_t seed = 1;
    int orders = 3;                           ///< stream orders averaged: the given one, then shuffles by seed + k
};

/// The result of a class-incremental run.
struct incremental_outcome {
    double before = 0.0;                ///< held-out accuracy of the initial model, percent
    double after = 0.0;                 ///< after learning the stream, percent (the mean over the orders)
    std::vector<float> initial;         ///< the initial classifier (what a header ships)
    learning::ram_figures ram{};        ///< of the model on a device
    std::size_t flash_bytes = 0;
    learning::learner_counters counters{};
};

/// Percent of `data`'s rows that `host` classifies as labelled.
[[nodiscard]] inline double accuracy_of(incremental_host& host, const labelled_features& data) {
    require(!data.labels.empty(), "accuracy_of: no samples");
    const std::uint32_t n = host.config().classifier.features;
    std::size_t right = 0;
    for (std::size_t i = 0; i < data.labels.size(); ++i) right += host.predict_features(data.features.data() + i * n) == data.labels[i] ? 1 : 0;
    return 100.0 * static_cast<double>(right) / static_cast<double>(data.labels.size());
}

/// The features of a task's three datasets through one extractor: everything a run reads of the
/// images, so that classifiers and buffers over the same cut share one extraction.
struct task_features {
    labelled_features known, stream, held_out;
};

/// The features of task `t`'s datasets through extractor `e` (`table` maps pixels to its input).
[[nodiscard]] inline task_features features_of(const extractor& e, std::span<const std::int8_t> table, const class_incremental_task& t) {
    require(t.known != nullptr && t.stream != nullptr && t.held_out != nullptr, "run_class_incremental: the task needs its three datasets");
    require(t.known->size() > 0 && t.held_out->size() > 0, "run_class_incremental: no pre-training or no held-out images");
    return {features_of(e, table, *t.known), features_of(e, table, *t.stream), features_of(e, table, *t.held_out)};
}

/// Runs task `t` for the incremental model of extractor `e` and configuration `c` over features
/// `f` of the task's datasets (features_of(e, table, t)); see the top of this file.
[[nodiscard]] inline incremental_outcome run_class_incremental(const extractor& e, const learning::incremental_config& c, const task_features& f,
                                                               const class_incremental_task& t) {
    require(t.orders >= 1, "run_class_incremental: at least one stream order");
    incremental_outcome r;
    r.initial = fit_classifier(initial_classifier(c.classifier, t.seed), c.classifier, e.features, f.known.features, f.known.labels, t.fit_epochs,
                               t.fit_rate, t.fit_batch, t.seed);
    incremental_host host(e, c, r.initial);
    r.before = accuracy_of(host, f.held_out);
    const std::uint32_t n = c.classifier.features;
    std::vector<std::size_t> order(f.stream.labels.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (int k = 0; k < t.orders; ++k) {
        if (k > 0) {
            rng random(t.seed + static_cast<std::uint64_t>(k));
            for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[random.below(i)]);
        }
        host.reset();
        for (const std::size_t i : order) (void)host.learn_features(f.stream.features.data() + i * n, f.stream.labels[i]);
        r.after += accuracy_of(host, f.held_out) / t.orders;
        if (k == 0) r.counters = host.counters();
    }
    r.ram = host.ram();
    r.flash_bytes = host.flash_bytes();
    return r;
}

/// Runs task `t` for the incremental model of extractor `e` and configuration `c` (see the top of
/// this file); `table` maps pixels to the extractor's input.
[[nodiscard]] inline incremental_outcome run_class_incremental(const extractor& e, const learning::incremental_config& c,
                                                               std::span<const std::int8_t> table, const class_incremental_task& t) {
    return run_class_incremental(e, c, features_of(e, table, t), t);
}

} // namespace nascent::deploy
